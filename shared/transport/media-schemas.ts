import { z } from 'zod';

// The answers of the non-chat endpoints (docs/dedalus-api.md, Endpoints), as loose as
// schemas.ts: optional fields also take `null`, unknown fields pass through.

function absent<T extends z.ZodTypeAny>(schema: T) {
	return schema.nullable().optional();
}

const usageSchema = absent(z.object({}).passthrough());

export const embeddingListSchema = z
	.object({
		data: z.array(
			z
				.object({
					index: z.number().int().nonnegative(),
					// A list of numbers, or base64 little-endian float32 when encoding_format is base64.
					embedding: z.union([z.array(z.number()), z.string()]),
				})
				.passthrough(),
		),
		model: absent(z.string()),
		usage: usageSchema,
	})
	.passthrough();
export type EmbeddingList = z.infer<typeof embeddingListSchema>;

export const imageListSchema = z
	.object({
		created: absent(z.number()),
		data: z.array(
			z
				.object({
					b64_json: absent(z.string()),
					url: absent(z.string()),
					revised_prompt: absent(z.string()),
				})
				.passthrough(),
		),
		usage: usageSchema,
	})
	.passthrough();
export type ImageList = z.infer<typeof imageListSchema>;

/** json and verbose_json answers; text, srt and vtt answers are plain text (read as such). */
export const transcriptionSchema = z.object({ text: z.string() }).passthrough();

export const ocrSchema = z
	.object({
		model: absent(z.string()),
		pages: z.array(
			z.object({ index: z.number().int().nonnegative(), markdown: z.string() }).passthrough(),
		),
		usage: usageSchema,
	})
	.passthrough();
export type OcrResult = z.infer<typeof ocrSchema>;
