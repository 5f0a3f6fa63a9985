import { z } from 'zod';

// Each Dedalus-specific field is optional: older gateways and SDKs lack them (docs/dedalus-api.md).
// Schemas are loose (passthrough) so that new fields reach users instead of being stripped.

export const mcpToolResultSchema = z
	.object({
		tool_name: z.string(),
		server_name: z.string().optional(),
		arguments: z.unknown().optional(),
		is_error: z.boolean().optional(),
		duration_ms: z.number().optional(),
		result: z.unknown().optional(),
	})
	.passthrough();

export const mcpServerErrorSchema = z
	.object({
		message: z.string(),
		code: z.string().optional(),
		recommendation: z.string().optional(),
	})
	.passthrough();

export const chatCompletionSchema = z
	.object({
		id: z.string().optional(),
		object: z.string().optional(),
		created: z.number().optional(),
		model: z.string().optional(),
		choices: z
			.array(
				z
					.object({
						index: z.number().optional(),
						message: z
							.object({
								role: z.string().optional(),
								content: z.string().nullable().optional(),
							})
							.passthrough(),
						finish_reason: z.string().nullable().optional(),
					})
					.passthrough(),
			)
			.min(1),
		usage: z
			.object({
				prompt_tokens: z.number().optional(),
				completion_tokens: z.number().optional(),
				total_tokens: z.number().optional(),
			})
			.passthrough()
			.optional(),
		mcp_tool_results: z.array(mcpToolResultSchema).optional(),
		tools_executed: z.array(z.string()).optional(),
		mcp_server_errors: z.record(mcpServerErrorSchema).optional(),
	})
	.passthrough();

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

export const modelSchema = z
	.object({
		id: z.string(),
		provider: z.string().optional(),
		display_name: z.string().optional(),
		description: z.string().optional(),
		owned_by: z.string().optional(),
	})
	.passthrough();

export type Model = z.infer<typeof modelSchema>;

export const modelListSchema = z
	.object({
		object: z.string().optional(),
		data: z.array(modelSchema),
	})
	.passthrough();

/** Error bodies come FastAPI-style (`{detail}`, a string, an object or a 422 list) or OpenAI-style (`{error:{message}}`). */
export const errorBodySchema = z
	.object({
		connect_url: z.string().optional(),
		detail: z
			.union([
				z.string(),
				z.array(
					z
						.object({ loc: z.array(z.union([z.string(), z.number()])).optional(), msg: z.string() })
						.passthrough(),
				),
				z
					.object({
						connect_url: z.string().optional(),
						message: z.string().optional(),
						server: z.string().optional(),
					})
					.passthrough(),
			])
			.optional(),
		error: z
			.union([
				z.string(),
				z.object({ message: z.string().optional(), code: z.unknown().optional() }).passthrough(),
			])
			.optional(),
		message: z.string().optional(),
	})
	.passthrough();

export type ErrorBody = z.infer<typeof errorBodySchema>;
