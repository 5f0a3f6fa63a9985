import { z } from 'zod';

// The answers of the non-chat endpoints (docs/dedalus-api.md, Endpoints), as loose as
// schemas.ts: optional fields also take `null`, unknown fields pass through.

function absent<T extends z.ZodTypeAny>(schema: T) {
	return schema.nullable().optional();
}

const usageSchema = absent(z.object({}).passthrough());

/**
 * A list of numbers, or base64 little-endian float32 when encoding_format is base64. Checked in
 * one loop per vector: zod's z.array(z.number()) costs a parse context per element, which was
 * most of the node's own time for 1,000 vectors (the whole check, as strict, not skipped).
 */
const vectorSchema = z.custom<number[] | string>(
	(value) =>
		typeof value === 'string' ||
		(Array.isArray(value) && value.every((element) => typeof element === 'number')),
	{ message: 'Expected a list of numbers or a base64 string' },
);

export const embeddingListSchema = z
	.object({
		data: z.array(
			z
				.object({
					index: z.number().int().nonnegative(),
					embedding: vectorSchema,
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
