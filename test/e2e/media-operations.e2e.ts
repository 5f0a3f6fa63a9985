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
			workflows: [SPEECH, ANALYZE],
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
