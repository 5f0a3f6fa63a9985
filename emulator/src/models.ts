export interface ModelCapabilities {
	text?: boolean;
	vision?: boolean;
	tools?: boolean;
	structured_output?: boolean;
	streaming?: boolean;
	thinking?: boolean;
	audio?: boolean;
	image_generation?: boolean;
	input_token_limit?: number;
	output_token_limit?: number;
}

export interface Model {
	id: string;
	provider: string;
	created_at: string;
	display_name?: string | null;
	description?: string | null;
	version?: string | null;
	capabilities?: ModelCapabilities | null;
	defaults?: Record<string, number | null> | null;
	// Older payloads carry OpenAI's fields too; clients must cope with both shapes.
	object?: 'model';
	owned_by?: string;
	created?: number;
}

function epoch(iso: string): number {
	return Math.floor(Date.parse(iso) / 1000);
}

export const MODELS: readonly Model[] = [
	{
		id: 'openai/gpt-4.1',
		object: 'model',
		created: epoch('2025-04-14T00:00:00Z'),
		owned_by: 'openai',
		provider: 'openai',
		created_at: '2025-04-14T00:00:00Z',
		display_name: 'GPT-4.1',
		description: 'Flagship GPT model for complex tasks, long context and tool use.',
		version: '2025-04-14',
		capabilities: {
			text: true,
			vision: true,
			tools: true,
			structured_output: true,
			streaming: true,
			thinking: false,
			audio: false,
			image_generation: false,
			input_token_limit: 1047576,
			output_token_limit: 32768,
		},
		defaults: { temperature: 1, top_p: 1, max_output_tokens: null },
	},
	{
		id: 'openai/gpt-4o-mini',
		object: 'model',
		created: epoch('2024-07-18T00:00:00Z'),
		owned_by: 'openai',
		provider: 'openai',
		created_at: '2024-07-18T00:00:00Z',
		display_name: 'GPT-4o mini',
		description: 'Small, fast and affordable model for focused tasks.',
		capabilities: {
			text: true,
			vision: true,
			tools: true,
			structured_output: true,
			streaming: true,
			input_token_limit: 128000,
			output_token_limit: 16384,
		},
	},
	{
		id: 'anthropic/claude-sonnet-4-20250514',
		provider: 'anthropic',
		created_at: '2025-05-14T00:00:00Z',
		display_name: 'Claude Sonnet 4',
		description: 'Balanced Anthropic model with extended thinking and strong tool use.',
		version: '20250514',
		capabilities: {
			text: true,
			vision: true,
			tools: true,
			structured_output: true,
			streaming: true,
			thinking: true,
			input_token_limit: 200000,
			output_token_limit: 64000,
		},
		defaults: { temperature: 1, max_output_tokens: 8192 },
	},
	{
		id: 'google/gemini-2.5-flash',
		provider: 'google',
		created_at: '2025-06-17T00:00:00Z',
		display_name: 'Gemini 2.5 Flash',
		description: 'Fast multimodal Gemini model with thinking.',
		version: '2.5',
		capabilities: {
			text: true,
			vision: true,
			tools: true,
			structured_output: true,
			streaming: true,
			thinking: true,
			audio: true,
			input_token_limit: 1048576,
			output_token_limit: 65536,
		},
		defaults: { temperature: 1, top_p: 0.95, top_k: 64 },
	},
	// Models for the non-chat endpoints (media.ts says which endpoint each one serves). The real
	// list has 300+ models, chat and otherwise, so a model picker meets these too.
	{
		id: 'openai/text-embedding-3-small',
		provider: 'openai',
		created_at: '2024-01-25T00:00:00Z',
		display_name: 'text-embedding-3-small',
		description: 'Small embedding model, 1536 dimensions.',
		capabilities: { text: false, input_token_limit: 8192 },
	},
	{
		id: 'openai/text-embedding-3-large',
		provider: 'openai',
		created_at: '2024-01-25T00:00:00Z',
		display_name: 'text-embedding-3-large',
		description: 'Large embedding model, 3072 dimensions.',
		capabilities: { text: false, input_token_limit: 8192 },
	},
	{
		id: 'openai/dall-e-3',
		provider: 'openai',
		created_at: '2023-10-31T00:00:00Z',
		display_name: 'DALL·E 3',
		capabilities: { text: false, image_generation: true },
	},
	{
		id: 'openai/gpt-image-1',
		provider: 'openai',
		created_at: '2025-04-23T00:00:00Z',
		display_name: 'GPT Image 1',
		capabilities: { text: false, image_generation: true },
	},
	{
		id: 'openai/tts-1',
		provider: 'openai',
		created_at: '2023-11-06T00:00:00Z',
		display_name: 'TTS 1',
		capabilities: { text: false, audio: true },
	},
	{
		id: 'openai/gpt-4o-mini-tts',
		provider: 'openai',
		created_at: '2025-03-20T00:00:00Z',
		display_name: 'GPT-4o mini TTS',
		capabilities: { text: false, audio: true },
	},
	{
		id: 'openai/whisper-1',
		provider: 'openai',
		created_at: '2023-02-27T00:00:00Z',
		display_name: 'Whisper',
		capabilities: { text: false, audio: true },
	},
	{
		id: 'mistral/mistral-ocr-latest',
		provider: 'mistral',
		created_at: '2025-03-06T00:00:00Z',
		display_name: 'Mistral OCR',
		capabilities: { text: false, vision: true },
	},
	{
		// Emulator-only model: replies with a plain echo, handy for the simplest tests.
		id: 'dedalus/echo',
		provider: 'dedalus',
		created_at: '2025-01-01T00:00:00Z',
		display_name: 'Echo (emulator)',
		description: 'Deterministic echo model served by the local emulator.',
		capabilities: {
			text: true,
			vision: false,
			tools: true,
			structured_output: true,
			streaming: true,
		},
	},
];

const BY_ID = new Map(MODELS.map((m) => [m.id, m]));

/** Metadata a model lacks goes out as `null`, as the real API's FastAPI models send it (Ruby SDK). */
const NULLABLE = [
	'display_name',
	'description',
	'version',
	'capabilities',
	'defaults',
	'provider_info',
] as const;

function wireModel(model: Model): Record<string, unknown> {
	const out: Record<string, unknown> = { ...model };
	for (const field of NULLABLE) if (out[field] === undefined) out[field] = null;
	return out;
}

export const MODELS_LIST_JSON = JSON.stringify({ object: 'list', data: MODELS.map(wireModel) });
const MODEL_JSON = new Map(MODELS.map((m) => [m.id, JSON.stringify(wireModel(m))]));

export function findModel(id: string): Model | undefined {
	return BY_ID.get(id);
}

export function modelJson(id: string): string | undefined {
	return MODEL_JSON.get(id);
}

export function modelNotFound(id: string): { detail: string } {
	return { detail: `Model '${id}' not found` };
}
