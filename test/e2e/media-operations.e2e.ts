// The new Dedalus operations with n8n's own binary data in a real n8n 2.41.1 against the emulator:
// Generate Speech -> Transcribe (the file n8n stored is uploaded again), and Image Generate (a
// linked image fetched without a key) -> Image Analyze with an MCP server that needs consent: the
// run pauses, and the resume reads the image again from the waiting node's input in webhook().
// Chat -> Complete with Attachments: a generated image and a PDF (a webhook's raw body, or made
// in the workflow) as content parts, also resent after consent; the emulator's log shows each
// file's part type, size and sha256. Document -> Extract Text from links: n8n downloads each file
// without a key and sends it as a data URI.
import { createHash } from 'node:crypto';

import { makePdf, servedFile, startEmulator, type Emulator } from '../../emulator/src';
import { imagePlaceholder } from '../../emulator/src/ocr';
import {
	CHAT_PATH,
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
const ATTACH_PATH = 'e2e-media-attach';
const ATTACH_CONSENT_PATH = 'e2e-media-attach-consent';
const OCR_LINKS_PATH = 'e2e-media-ocr-links';
const IMAGE_FILES = '/v1/images/files/';

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

function webhookStep(workflow: number, path: string, options: object = {}) {
	return {
		id: id(workflow, 1),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: id(workflow, 11),
		parameters: { httpMethod: 'POST', path, ...options },
	};
}

// Image Generate makes no item of its own input: a Merge (by position) puts the image ("data")
// and the PDF ("invoice") on one item, as a user would.
function mergeStep(workflow: number, n: number) {
	return {
		id: id(workflow, n),
		name: 'Files',
		type: 'n8n-nodes-base.merge',
		typeVersion: 3.2,
		position: [200 * n, 0],
		parameters: { mode: 'combine', combineBy: 'combineByPosition', options: {} },
	};
}

function drawStep(workflow: number, n: number) {
	return dedalusStep(workflow, n, 'Draw', {
		resource: 'image',
		operation: 'generate',
		model: { __rl: true, mode: 'id', value: 'openai/dall-e-3' },
		prompt: 'a green paid stamp',
		options: {},
	});
}

function askStep(workflow: number, n: number, prompt: string, mcpServers = '') {
	return dedalusStep(workflow, n, 'Ask', {
		resource: 'chat',
		operation: 'complete',
		model: { __rl: true, mode: 'id', value: 'openai/gpt-4.1' },
		prompt,
		mcpServers,
		options: { attachments: 'data, invoice' },
	});
}

const ATTACH_PROMPT = 'Summarize the invoice and describe the picture';

// The PDF is the webhook's raw body (n8n stores it as binary "invoice").
const ATTACH = {
	id: 'e2eMediaAttach01',
	name: 'E2E: Chat Complete with an image and a PDF as attachments',
	nodes: [
		webhookStep(5, ATTACH_PATH, {
			responseMode: 'lastNode',
			responseData: 'firstEntryJson',
			options: { binaryPropertyName: 'invoice' },
		}),
		drawStep(5, 2),
		mergeStep(5, 3),
		askStep(5, 4, ATTACH_PROMPT),
	],
	connections: {
		Webhook: {
			main: [
				[
					{ node: 'Draw', type: 'main', index: 0 },
					{ node: 'Files', type: 'main', index: 1 },
				],
			],
		},
		Draw: { main: [[{ node: 'Files', type: 'main', index: 0 }]] },
		Files: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] },
	},
};

// The PDF is made in the workflow (Convert to File from the body's base64); Gmail needs consent.
const ATTACH_CONSENT = {
	id: 'e2eMediaAttach02',
	name: 'E2E: Chat Complete with attachments and consent',
	nodes: [
		webhookStep(6, ATTACH_CONSENT_PATH, { responseMode: 'responseNode', options: {} }),
		{
			id: id(6, 2),
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
		drawStep(6, 3),
		{
			id: id(6, 4),
			name: 'Make PDF',
			type: 'n8n-nodes-base.convertToFile',
			typeVersion: 1.1,
			position: [600, 200],
			parameters: {
				operation: 'toBinary',
				sourceProperty: 'body.pdf',
				binaryPropertyName: 'invoice',
				options: { fileName: 'invoice.pdf', mimeType: 'application/pdf' },
			},
		},
		mergeStep(6, 5),
		askStep(6, 6, 'Mail the invoice and describe the picture', GMAIL),
	],
	connections: {
		Webhook: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
		Respond: {
			main: [
				[
					{ node: 'Draw', type: 'main', index: 0 },
					{ node: 'Make PDF', type: 'main', index: 0 },
				],
			],
		},
		Draw: { main: [[{ node: 'Files', type: 'main', index: 0 }]] },
		'Make PDF': { main: [[{ node: 'Files', type: 'main', index: 1 }]] },
		Files: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] },
	},
};

// Document -> Extract Text with Document Source "URL": one item per link.
const OCR_LINKS = {
	id: 'e2eMediaOcrUrl01',
	name: 'E2E: Document Extract Text from links',
	nodes: [
		webhookStep(7, OCR_LINKS_PATH, {
			responseMode: 'lastNode',
			responseData: 'allEntries',
			options: {},
		}),
		{
			id: id(7, 2),
			name: 'Links',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [200, 0],
			parameters: { jsCode: 'return $json.body.links.map((url) => ({ json: { url } }));' },
		},
		dedalusStep(7, 3, 'Read', {
			resource: 'document',
			operation: 'extractText',
			model: { __rl: true, mode: 'id', value: 'mistral/mistral-ocr-latest' },
			documentSource: 'url',
			documentUrl: '={{ $json.url }}',
			options: {},
		}),
	],
	connections: {
		Webhook: { main: [[{ node: 'Links', type: 'main', index: 0 }]] },
		Links: { main: [[{ node: 'Read', type: 'main', index: 0 }]] },
	},
};

function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

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
			workflows: [SPEECH, ANALYZE, EMBED, TRANSLATE, ATTACH, ATTACH_CONSENT, OCR_LINKS],
		});
	});

	// Each test reads the log and consent from a clean emulator.
	beforeEach(() => emulator.reset());

	/**
	 * The image Draw fetched (the one download of the run), as the emulator serves it: the bytes
	 * n8n stored, and what an attachment must carry.
	 */
	async function downloadedImage(): Promise<Buffer> {
		const downloads = emulator.requests().filter((entry) => entry.path.startsWith(IMAGE_FILES));
		expect(downloads).toHaveLength(1);
		const res = await fetch(`${emulator.url}${downloads[0].path}`);
		expect(res.status).toBe(200);
		return Buffer.from(await res.arrayBuffer());
	}

	/** What the emulator must have logged for the image and the PDF, in Attachments order. */
	function sentFiles(png: Buffer, pdf: Buffer) {
		return [
			{ type: 'image_url', mime: 'image/png', bytes: png.length, sha256: sha256(png) },
			{
				type: 'file',
				filename: 'invoice.pdf',
				mime: 'application/pdf',
				bytes: pdf.length,
				sha256: sha256(pdf),
			},
		];
	}

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
	it('sends a generated image and a raw-body PDF as Chat -> Complete attachments', async () => {
		const pdf = makePdf(['Invoice 2026-044', ['Total: 310.00 EUR', 'Paid']], { compress: true });
		const response = await httpCall(n8n.webhookUrl(ATTACH_PATH), {
			method: 'POST',
			headers: {
				'content-type': 'application/pdf',
				'content-disposition': 'attachment; filename="invoice.pdf"',
			},
			body: pdf,
		});
		expect(response.status).toBe(200);
		expect((response.json as { content: string }).content).toBe(
			`Echo from openai/gpt-4.1: ${ATTACH_PROMPT}`,
		);
		const png = await downloadedImage();
		const chats = emulator.requests().filter((entry) => entry.path === CHAT_PATH);
		expect(chats.map((entry) => entry.status)).toEqual([200]);
		expect(chats[0].files).toEqual(sentFiles(png, pdf));
		leaks.add('attachments answer', response.text);
		leaks.add('emulator log (attachments)', await admin.rawLog());
	});

	it('pauses Chat -> Complete with attachments for consent and resends the same files after it', async () => {
		const pdf = makePdf(['Invoice 2026-045', 'Total: 99.00 EUR']);
		const run = await startWaitingRun(n8n, ATTACH_CONSENT_PATH, { pdf: pdf.toString('base64') });
		const png = await downloadedImage();
		await admin.setConsent(GMAIL, keyIdOf(API_KEY), true);
		const resumed = await postResume(run.resumeUrl);
		expect(resumed.status).toBe(200);
		const execution = await waitFinished(n8n, run.executionId);
		expect(execution.status).toBe('success');
		const [answer] = nodeOutput(execution, 'Ask') ?? [];
		expect(String(answer.json.content)).toContain('emails');
		// The resend (in webhook(), after n8n reloaded the waiting execution) read both files again.
		const chats = emulator.requests().filter((entry) => entry.path === CHAT_PATH);
		expect(chats.map((entry) => entry.status)).toEqual([401, 200]);
		expect(chats[0].files).toEqual(sentFiles(png, pdf));
		expect(chats[1].files).toEqual(sentFiles(png, pdf));
		leaks.add('attachments consent execution', await rawExecution(n8n, run.executionId));
		leaks.add('emulator log (attachments consent)', await admin.rawLog());
	});

	it('extracts text from a PDF link and an image link, downloaded by n8n without the key and sent as data URIs', async () => {
		// On the credential's Base URL, the one address plain http is fetched from.
		const links = [`${emulator.url}/files/invoice-77.pdf`, `${emulator.url}/files/scan.png`];
		const files = [servedFile('invoice-77.pdf')!.bytes, servedFile('scan.png')!.bytes];
		const response = await httpCall(n8n.webhookUrl(OCR_LINKS_PATH), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ links }),
		});
		expect(response.status).toBe(200);
		const expected = ['invoice-77', imagePlaceholder('image/png', files[1].length)];
		expect(response.json).toEqual(
			expected.map((text) => ({
				text,
				pages: [{ index: 0, markdown: text }],
				page_count: 1,
				model: 'mistral/mistral-ocr-latest',
				usage: null,
			})),
		);
		const log = emulator.requests();
		expect(log.map((entry) => [entry.method, entry.path, entry.status, entry.keyId])).toEqual([
			['GET', '/files/invoice-77.pdf', 200, null],
			['POST', '/v1/ocr', 200, keyIdOf(API_KEY)],
			['GET', '/files/scan.png', 200, null],
			['POST', '/v1/ocr', 200, keyIdOf(API_KEY)],
		]);
		expect(log.filter((entry) => entry.path === '/v1/ocr').map((entry) => entry.files)).toEqual([
			[
				{
					type: 'document_url',
					mime: 'application/pdf',
					bytes: files[0].length,
					sha256: sha256(files[0]),
				},
			],
			[
				{
					type: 'document_url',
					mime: 'image/png',
					bytes: files[1].length,
					sha256: sha256(files[1]),
				},
			],
		]);
		leaks.add('ocr links answer', response.text);
	});
});
