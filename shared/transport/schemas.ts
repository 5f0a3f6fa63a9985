import { z } from 'zod';

// Every Dedalus-specific field is optional: older gateways and SDKs lack them, and a FastAPI
// gateway sends `null` for an absent one (docs/dedalus-api.md), so each optional field also takes
// `null`. Schemas are loose (passthrough) so that new fields reach users instead of being stripped.

/** Missing or `null`: the API uses both for "absent". */
function absent<T extends z.ZodTypeAny>(schema: T) {
	return schema.nullable().optional();
}

export const mcpToolResultSchema = z
	.object({
		tool_name: z.string(),
		server_name: absent(z.string()),
		arguments: z.unknown().optional(),
		is_error: absent(z.boolean()),
		duration_ms: absent(z.number()),
		result: z.unknown().optional(),
	})
	.passthrough();

export const mcpServerErrorSchema = z
	.object({
		message: z.string(),
		code: absent(z.string()),
		recommendation: absent(z.string()),
	})
	.passthrough();

export const chatCompletionSchema = z
	.object({
		id: absent(z.string()),
		object: absent(z.string()),
		created: absent(z.number()),
		model: absent(z.string()),
		choices: z
			.array(
				z
					.object({
						index: absent(z.number()),
						message: z
							.object({
								role: absent(z.string()),
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
				prompt_tokens: absent(z.number()),
				completion_tokens: absent(z.number()),
				total_tokens: absent(z.number()),
			})
			.passthrough()
			.nullable()
			.optional(),
		mcp_tool_results: absent(z.array(mcpToolResultSchema)),
		tools_executed: absent(z.array(z.string())),
		mcp_server_errors: absent(z.record(mcpServerErrorSchema)),
	})
	.passthrough();

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

export const modelSchema = z
	.object({
		id: z.string(),
		provider: absent(z.string()),
		display_name: absent(z.string()),
		description: absent(z.string()),
		owned_by: absent(z.string()),
	})
	.passthrough();

export type Model = z.infer<typeof modelSchema>;

export const modelListSchema = z
	.object({
		object: absent(z.string()),
		data: z.array(modelSchema),
	})
	.passthrough();

/** A field of an error body: a wrong type is dropped, never a reason to lose the rest. */
function lenient<T extends z.ZodTypeAny>(schema: T) {
	return schema.nullable().optional().catch(undefined);
}

const text = lenient(z.string());

/**
 * Error bodies come FastAPI-style (`{detail}`: a string, an object or a 422 list) or OpenAI-style
 * (`{error:{message}}`); the consent case is `{error: "oauth_required", connect_url, poll_url,
 * server_id | deployment_id}` at the top level, or older `detail.connect_url` / `detail.server`
 * (docs/dedalus-api.md).
 */
export const errorBodySchema = z
	.object({
		connect_url: text,
		poll_url: text,
		server_id: text,
		deployment_id: text,
		detail: lenient(
			z.union([
				z.string(),
				z.array(
					z
						.object({ loc: z.array(z.union([z.string(), z.number()])).optional(), msg: z.string() })
						.passthrough(),
				),
				z
					.object({
						error: text,
						connect_url: text,
						poll_url: text,
						server_id: text,
						deployment_id: text,
						message: text,
						server: text,
					})
					.passthrough(),
			]),
		),
		error: lenient(
			z.union([
				z.string(),
				z.object({ message: text, code: z.unknown().optional() }).passthrough(),
			]),
		),
		message: text,
	})
	.passthrough();

export type ErrorBody = z.infer<typeof errorBodySchema>;

/** What `poll_url` answers (Python SDK `lib/oauth_handler.py`): one flag, or one per server. */
export const consentPollSchema = z
	.object({
		connected: lenient(z.boolean()),
		servers: lenient(
			z.array(
				z
					.object({ server_id: text, deployment_id: text, connected: lenient(z.boolean()) })
					.passthrough(),
			),
		),
	})
	.passthrough();

export type ConsentPoll = z.infer<typeof consentPollSchema>;
