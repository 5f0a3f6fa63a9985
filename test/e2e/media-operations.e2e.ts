// The new Dedalus operations with n8n's own binary data in a real n8n 2.41.1 against the emulator:
// Generate Speech -> Transcribe (the file n8n stored is uploaded again), and Image Generate (a
// linked image fetched without a key) -> Image Analyze with an MCP server that needs consent: the
// run pauses, and the resume reads the image again from the waiting node's input in webhook().
import { startEmulator, type Emulator } from '../../emulator/src';
import {
	PACKAGE_NAME,
	EmulatorAdmin,
	GMAIL,
	LeakCheck,
	dedalusCredential,
	fakeApiKey,
	httpCall,
	keyIdOf,
	nodeOutput,
	postResume,
	rawExecution,
	startN8n,
	startWaitingRun,
	waitFinished,
	type N8nInstance,
} from '../../n8n-runner';

const API_KEY = fakeApiKey(44);
const CREDENTIAL = { id: 'e2eMediaOps00001', name: 'Dedalus (media)' };
const DEDALUS = `${PACKAGE_NAME}.dedalus`;
const SPEECH_PATH = 'e2e-media-speech';
const ANALYZE_PATH = 'e2e-media-analyze';
const EMBED_PATH = 'e2e-media-embed';
const TRANSLATE_PATH = 'e2e-media-translate';

function id(workflow: number, n: number): string {
	return `6d656469-0000-4000-8000-${String(workflow * 100 + n).padStart(12, '0')}`;
}

function dedalusStep(workflow: number, n: number, name: string, parameters: object) {
	return {
		id: id(workflow, n),
		name,
		type: DEDALUS,
		typeVersion: 1,
		position: [200 * n, 0],
		webhookId: id(workflow, 50 + n),
		parameters,
		credentials: { dedalusApi: CREDENTIAL },
	};
}

const SPEECH = {
	id: 'e2eMediaSpeech01',
	name: 'E2E: Generate Speech -> Transcribe',
	nodes: [
		{
			id: id(1, 1),
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: id(1, 11),
			parameters: {
				httpMethod: 'POST',
				path: SPEECH_PATH,
				responseMode: 'lastNode',
				responseData: 'firstEntryJson',
				options: {},
			},
		},
		dedalusStep(1, 2, 'Speak', {
			resource: 'audio',
			operation: 'speech',
			model: { __rl: true, mode: 'id', value: 'openai/gpt-4o-mini-tts' },
			input: '={{ $json.body.text }}',
			voice: 'nova',
			options: { responseFormat: 'wav' },
		}),
		dedalusStep(1, 3, 'Transcribe', {
			resource: 'audio',
			operation: 'transcribe',
			model: { __rl: true, mode: 'id', value: 'openai/whisper-1' },
			binaryPropertyName: 'data',
			options: {},
		}),
	],
	connections: {
		Webhook: { main: [[{ node: 'Speak', type: 'main', index: 0 }]] },
		Speak: { main: [[{ node: 'Transcribe', type: 'main', index: 0 }]] },
	},
};

// Generate Speech -> Translate: the spoken file uploaded to /v1/audio/translations.
const TRANSLATE = {
	...SPEECH,
	id: 'e2eMediaTransl01',
	name: 'E2E: Generate Speech -> Translate',
	nodes: SPEECH.nodes.map((node) => {
		if (node.name === 'Webhook') {
			return {
				...node,
				id: id(4, 1),
				webhookId: id(4, 11),
				parameters: { ...node.parameters, path: TRANSLATE_PATH },
			};
		}
		if (node.name === 'Speak') return { ...node, id: id(4, 2), webhookId: id(4, 52) };
		return {
			...node,
			id: id(4, 3),
			webhookId: id(4, 53),
			parameters: { ...node.parameters, operation: 'translate' },
		};
	}),
};

// Embedding -> Create: one vector per input item (three texts sent in one batch).
const EMBED = {
	id: 'e2eMediaEmbed001',
	name: 'E2E: Embedding Create',
	nodes: [
		{
			id: id(3, 1),
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: id(3, 11),
			parameters: {
				httpMethod: 'POST',
				path: EMBED_PATH,
				responseMode: 'lastNode',
				responseData: 'allEntries',
				options: {},
			},
		},
		{
			id: id(3, 2),
			name: 'Texts',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [200, 0],
			parameters: {
				jsCode: 'return $json.body.texts.map((text) => ({ json: { text } }));',
			},
		},
		dedalusStep(3, 3, 'Embed', {
			resource: 'embedding',
			operation: 'create',
			model: { __rl: true, mode: 'id', value: 'openai/text-embedding-3-small' },
			text: '={{ $json.text }}',
			options: { dimensions: 8 },
		}),
	],
	connections: {
		Webhook: { main: [[{ node: 'Texts', type: 'main', index: 0 }]] },
		Texts: { main: [[{ node: 'Embed', type: 'main', index: 0 }]] },
	},
};

const ANALYZE = {
	id: 'e2eMediaAnalyze1',
	name: 'E2E: Image Generate -> Image Analyze with consent',
	nodes: [
		{
			id: id(2, 1),
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: id(2, 11),
			parameters: {
				httpMethod: 'POST',
				path: ANALYZE_PATH,
				responseMode: 'responseNode',
				options: {},
			},
		},
		{
			id: id(2, 2),
			name: 'Respond',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.1,
			position: [200, 0],
			parameters: {
				respondWith: 'json',
				responseBody: '={{ { "resumeUrl": $execution.resumeUrl, "executionId": $execution.id } }}',
				options: {},
			},
		},
		dedalusStep(2, 3, 'Draw', {
			resource: 'image',
			operation: 'generate',
			// dall-e-3 answers with a link (the emulator, as OpenAI): fetched without the key.
			model: { __rl: true, mode: 'id', value: 'openai/dall-e-3' },
			prompt: '={{ $json.body.prompt }}',
			options: {},
		}),
		dedalusStep(2, 4, 'Look', {
			resource: 'image',
			operation: 'analyze',
			model: { __rl: true, mode: 'id', value: 'openai/gpt-4.1' },
			prompt: 'Describe this image and mail it',
			imageSource: 'binary',
			binaryPropertyName: 'data',
			mcpServers: GMAIL,
			options: {},
		}),
	],
	connections: {
		Webhook: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
		Respond: { main: [[{ node: 'Draw', type: 'main', index: 0 }]] },
		Draw: { main: [[{ node: 'Look', type: 'main', index: 0 }]] },
	},
};

describe('media operations with n8n binary data (real n8n)', () => {
	let emulator: Emulator;
	let admin: EmulatorAdmin;
	let n8n: N8nInstance;
	const leaks = new LeakCheck([API_KEY]);

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		admin = new EmulatorAdmin(emulator.url);
		n8n = await startN8n({
			label: 'media',
			credentials: [dedalusCredential({ ...CREDENTIAL, apiKey: API_KEY, baseUrl: emulator.url })],
			workflows: [SPEECH, ANALYZE, EMBED, TRANSLATE],
		});
	});

	afterAll(async () => {
		expect(leaks.leaks()).toEqual([]);
		await n8n?.stop();
		await emulator?.close();
	});

	it('speaks a text and transcribes the stored audio back to it', async () => {
		const response = await httpCall(n8n.webhookUrl(SPEECH_PATH), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ text: 'the invoice is paid' }),
		});
		expect(response.status).toBe(200);
		expect((response.json as { text: string }).text).toBe('the invoice is paid');
		leaks.add('speech answer', response.text);
	});

	it('speaks a text and translates the stored audio through /v1/audio/translations', async () => {
		const response = await httpCall(n8n.webhookUrl(TRANSLATE_PATH), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ text: 'the invoice is late' }),
		});
		expect(response.status).toBe(200);
		expect((response.json as { text: string }).text).toBe(
			'English translation: the invoice is late',
		);
		const translations = emulator
			.requests()
			.filter((entry) => entry.path === '/v1/audio/translations');
		expect(translations).toHaveLength(1);
		leaks.add('translation answer', response.text);
	});

	it('embeds three items in one batch, one vector per item, equal texts equal vectors', async () => {
		const before = emulator.requests().filter((entry) => entry.path === '/v1/embeddings').length;
		const response = await httpCall(n8n.webhookUrl(EMBED_PATH), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ texts: ['paid invoice', 'open invoice', 'paid invoice'] }),
		});
		expect(response.status).toBe(200);
		const items = response.json as Array<{ embedding: number[] }>;
		expect(items).toHaveLength(3);
		for (const item of items) expect(item.embedding).toHaveLength(8);
		expect(items[0].embedding).toEqual(items[2].embedding);
		expect(items[0].embedding).not.toEqual(items[1].embedding);
		const after = emulator.requests().filter((entry) => entry.path === '/v1/embeddings').length;
		expect(after - before).toBe(1);
		leaks.add('embedding answer', response.text);
	});

	it('pauses Image Analyze for consent and, after it, sends the generated image again', async () => {
		const run = await startWaitingRun(n8n, ANALYZE_PATH, { prompt: 'a red door' });
		const downloads = emulator
			.requests()
			.filter((entry) => entry.path.startsWith('/v1/images/files/'));
		expect(downloads).toHaveLength(1);
		expect(downloads[0].keyId).toBeNull();
		await admin.setConsent(GMAIL, keyIdOf(API_KEY), true);
		const resumed = await postResume(run.resumeUrl);
		expect(resumed.status).toBe(200);
		const execution = await waitFinished(n8n, run.executionId);
		expect(execution.status).toBe('success');
		const [answer] = nodeOutput(execution, 'Look') ?? [];
		expect(String(answer.json.content)).toContain('emails');
		const chats = (await admin.completions()).map((entry) => entry.status);
		expect(chats).toEqual([401, 200]);
		leaks.add('analyze execution', await rawExecution(n8n, run.executionId));
		leaks.add('emulator log', await admin.rawLog());
	});
});
