// The `media` section (`npm run bench -- --only media`): issue 18's three rows in one real n8n
// against the emulator in its own process.
//   1. Embeddings: N short texts through Embedding → Create (batched) vs an undici client outside
//      n8n sending the same batches one after the other, as the node does; wall time ratio.
//   2. Upload: a 25 MB WAV through Audio → Transcribe; the node's extra memory ÷ the file size.
//   3. OCR: a 20-page PDF through Document → Extract Text; requests counted in the emulator's log,
//      the node's extra memory ÷ the size of the base64 the API needs.
// Memory (2, 3): n8n is started with an inspector port (opened later by SIGUSR1, as for the CPU
// profile). While a run goes, the benchmark has n8n collect its garbage and read its
// `process.memoryUsage()` in one callback between its tasks (InspectorProfiler.liveMemory), so
// every sample is live memory (V8 heap + external, which holds Buffers) with n8n's own timestamp.
// The node's extra memory is the highest sample taken while the node ran (its startTime and
// executionTime in the saved run data) minus the last sample before it started; the same measure
// for a tiny file of the same kind, run just before, is subtracted (what the node costs whatever
// the file size). See memoryMethod() for the limits.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';

import { makePdf, markedWav } from '../../emulator/src';
import { type N8nInstance, type WorkflowImport, startN8n } from '../../n8n-runner/n8n';
import { nodeRuns, sleep } from '../../n8n-runner/rest';
import type { EmulatorProcess } from './emulator';
import { findN8nMainPid, RssSampler } from './proc';
import { INSPECTOR_NODE_OPTIONS, InspectorProfiler, categorize, type CpuProfile } from './profiler';
import { type LiveSample, extraRatios, nodeWindowGrowth, settled } from './memory-window';
import { type TargetRow, median, spread } from './targets';
import {
	DEDALUS_CREDENTIAL,
	DEDALUS_NODE_TYPE,
	credentials,
	floorHeaders,
	webhookNode,
} from './workflows';

/**
 * The emulator's latency for the memory runs: the node holds its request body at least this long,
 * so several samples (each two full GCs, then as long a pause) fall in that time.
 */
export const memoryLatencyMs = (options: MediaOptions) => Math.max(options.latencyMs, 1000);

export const MEDIA_TARGETS = {
	embeddingsFloorRatio: 1.2,
	uploadHeapPerFile: 1.5,
	ocrHeapPerBase64: 2,
};

export interface MediaOptions {
	dist: string;
	repetitions: number;
	latencyMs: number;
	embeddingTexts: number;
	embeddingBatch: number;
	embeddingDimensions: number;
	audioBytes: number;
	ocrPages: number;
	ocrBytes: number;
}

/** One memory measurement around one execution. */
export interface MemoryRun {
	fileBytes: number;
	/** Highest live sample while the node ran − last live sample before it started; NaN without one. */
	growth: number;
	/** Live samples taken while the node ran. */
	windowSamples: number;
	nodeMs: number;
	/** Requests the emulator saw for the node's endpoint. */
	requests: number;
	/** Peak RSS of n8n's main process during the run minus at its start (reference only). */
	rssGrowth: number;
}

export interface MediaResults {
	options: MediaOptions;
	load: { start: number[]; end: number[] };
	/** wallMs: client side; nodeMs: the node's executionTime; executionMs: startedAt → stoppedAt. */
	embeddings: {
		wallMs: number[];
		nodeMs: number[];
		executionMs: number[];
		floorMs: number[];
		/** The same workflow set not to save successful executions: client side. */
		noSaveWallMs: number[];
		requests: number;
		/** Where n8n's CPU went in one more (profiled) run with saving on. */
		profile?: { totalMs: number; shares: Array<{ category: string; ms: number; share: number }> };
	};
	audio: { big: MemoryRun[]; tiny: MemoryRun[] };
	ocr: { big: MemoryRun[]; tiny: MemoryRun[]; base64Bytes: number; tinyBase64Bytes: number };
}

const EMBEDDING_MODEL = 'openai/text-embedding-3-small';
const PATHS = {
	embed: 'bench-media-embed',
	embedNoSave: 'bench-media-embed-nosave',
	audio: 'bench-media-audio',
	ocr: 'bench-media-ocr',
};
const IDS = {
	embed: 'benchMediaEmbed1',
	embedNoSave: 'benchMediaEmbed2',
	audio: 'benchMediaAudio1',
	ocr: 'benchMediaOcr001',
};

export const embeddingText = (i: number) => `Item ${i}: a short text about the number ${i}.`;

let uuid = 0;
const nodeId = () => `b3c4e5f6-0000-4000-8000-${String(900 + ++uuid).padStart(12, '0')}`;

const webhook = (path: string, options: Record<string, unknown> = {}) =>
	webhookNode(nodeId, path, options);

function dedalus(parameters: Record<string, unknown>) {
	return {
		id: nodeId(),
		name: 'Dedalus',
		type: DEDALUS_NODE_TYPE,
		typeVersion: 1,
		position: [440, 0],
		parameters,
		credentials: { dedalusApi: DEDALUS_CREDENTIAL },
	};
}

const model = (value: string) => ({ __rl: true, mode: 'id', value });

/**
 * Webhook → Split Out → Embedding → Create. `save: false` sets the workflow not to save
 * successful executions (Workflow Settings → Save successful production executions: Do not
 * save), which shows what n8n's saving of 10,000 vectors costs.
 */
function embeddingsWorkflow(options: MediaOptions, save: boolean): WorkflowImport {
	return {
		id: save ? IDS.embed : IDS.embedNoSave,
		name: save ? 'Bench: media, embeddings' : 'Bench: media, embeddings (not saved)',
		...(save ? {} : { settings: { saveDataSuccessExecution: 'none' } }),
		nodes: [
			webhook(save ? PATHS.embed : PATHS.embedNoSave),
			{
				id: nodeId(),
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.texts', include: 'noOtherFields', options: {} },
			},
			dedalus({
				resource: 'embedding',
				operation: 'create',
				model: model(EMBEDDING_MODEL),
				text: '={{ $json.text }}',
				options: {
					batchSize: options.embeddingBatch,
					dimensions: options.embeddingDimensions,
				},
			}),
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] },
		},
	};
}

function workflows(options: MediaOptions): WorkflowImport[] {
	return [
		embeddingsWorkflow(options, true),
		embeddingsWorkflow(options, false),
		{
			id: IDS.audio,
			name: 'Bench: media, transcribe an upload',
			nodes: [
				webhook(PATHS.audio, { binaryPropertyName: 'data' }),
				dedalus({
					resource: 'audio',
					operation: 'transcribe',
					model: model('openai/whisper-1'),
					binaryPropertyName: 'data',
					options: {},
				}),
			],
			connections: { Webhook: { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] } },
		},
		{
			id: IDS.ocr,
			name: 'Bench: media, OCR of a PDF',
			nodes: [
				webhook(PATHS.ocr, { binaryPropertyName: 'data' }),
				dedalus({
					resource: 'document',
					operation: 'extractText',
					model: model('mistral/mistral-ocr-latest'),
					documentSource: 'binary',
					binaryPropertyName: 'data',
					options: {},
				}),
			],
			connections: { Webhook: { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] } },
		},
	];
}

/** A WAV of exactly `bytes` (silence after a short marked header), transcribed as `text`. */
export function wavOfSize(bytes: number, text: string): Buffer {
	const header = markedWav(text, Buffer.alloc(0)).length;
	const samples = Math.max(0, bytes - header) & ~1;
	return markedWav(text, Buffer.alloc(samples));
}

/**
 * A PDF of `pages` text pages, padded to about `bytes` with a trailing comment of random hex
 * (stands in for the scanned images of a real invoice PDF: bytes the node must send, text the
 * OCR does not read).
 */
export function pdfOfSize(pages: number, bytes: number): Buffer {
	const pdf = makePdf(
		Array.from({ length: pages }, (_, i) => [`Page ${i + 1} of ${pages}`, 'Invoice line items']),
	);
	const padding = Math.max(0, bytes - pdf.length - 3);
	if (!padding) return pdf;
	const hex = randomBytes(Math.ceil(padding / 2))
		.toString('hex')
		.slice(0, padding);
	return Buffer.concat([pdf, Buffer.from(`\n%${hex}\n`, 'latin1')]);
}

/** The floor for the embeddings row: the node's batches, one after the other, over undici. */
export async function embeddingFloor(
	emulatorUrl: string,
	texts: number,
	batch: number,
	dimensions: number,
): Promise<{ wallMs: number; requests: number }> {
	const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
	const started = performance.now();
	let requests = 0;
	for (let from = 0; from < texts; from += batch) {
		const input = Array.from({ length: Math.min(batch, texts - from) }, (_, i) =>
			embeddingText(from + i),
		);
		const res = await request(`${emulatorUrl}/v1/embeddings`, {
			method: 'POST',
			dispatcher,
			headers: floorHeaders(),
			body: JSON.stringify({
				model: EMBEDDING_MODEL,
				encoding_format: 'float',
				dimensions,
				input,
			}),
		});
		const body = (await res.body.json()) as { data?: Array<{ embedding: number[] }> };
		requests++;
		if (res.statusCode !== 200 || body.data?.length !== input.length)
			throw new Error(`embeddings floor: HTTP ${res.statusCode}`);
	}
	const wallMs = performance.now() - started;
	await dispatcher.close();
	return { wallMs, requests };
}

async function post(
	n8n: N8nInstance,
	path: string,
	body: Buffer | string,
	headers: Record<string, string>,
): Promise<number> {
	for (const deadline = Date.now() + 60_000; ; ) {
		const started = performance.now();
		const res = await fetch(n8n.webhookUrl(path), { method: 'POST', headers, body });
		const text = await res.text();
		// Just after start n8n may still be registering the webhooks (404 without an execution).
		if (res.status === 404 && Date.now() < deadline) {
			await sleep(500);
			continue;
		}
		if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
		return performance.now() - started;
	}
}

/** The newest finished execution of a workflow, and the Dedalus node's run in it. */
async function finishedRun(
	n8n: N8nInstance,
	workflowId: string,
	previous: string | undefined,
): Promise<{ startTime: number; executionTime: number; executionMs: number }> {
	for (const deadline = Date.now() + 120_000; ; await sleep(50)) {
		const [latest] = await n8n.rest.listExecutions(workflowId, { limit: 1 });
		if (latest && latest.id !== previous && latest.stoppedAt && latest.status !== 'running') {
			const execution = await n8n.rest.getExecution(latest.id);
			if (execution.status !== 'success')
				throw new Error(`${workflowId}: execution ${latest.id} ended ${execution.status}`);
			const run = nodeRuns(execution, 'Dedalus')[0];
			return {
				startTime: run.startTime,
				executionTime: run.executionTime,
				executionMs: Date.parse(execution.stoppedAt ?? '') - Date.parse(execution.startedAt ?? ''),
			};
		}
		if (Date.now() > deadline) throw new Error(`${workflowId}: no finished execution after 120 s`);
	}
}

const latestId = async (n8n: N8nInstance, workflowId: string) =>
	(await n8n.rest.listExecutions(workflowId, { limit: 1 }))[0]?.id;

async function memoryRun(
	n8n: N8nInstance,
	pid: number,
	inspector: InspectorProfiler,
	emulator: EmulatorProcess,
	kind: 'audio' | 'ocr',
	file: Buffer,
	latencyMs: number,
): Promise<MemoryRun> {
	await emulator.reset();
	await emulator.setLatency(latencyMs);
	const previous = await latestId(n8n, IDS[kind]);
	const sample = async (): Promise<LiveSample> => {
		const usage = await inspector.liveMemory();
		return { at: usage.at, live: usage.heapUsed + usage.external };
	};
	// Wait until what earlier runs left is gone (live memory steady), at most 10 s.
	const quiet: LiveSample[] = [];
	for (const deadline = Date.now() + 10_000; !settled(quiet) && Date.now() < deadline; )
		quiet.push(await sample());
	const before = quiet[quiet.length - 1];
	const samples: LiveSample[] = [];
	let running = true;
	const sampling = (async () => {
		// Each sample stops n8n for two full collections; waiting as long again before the next
		// leaves n8n at least half the time, so a run is not stretched several times over.
		while (running) {
			const started = performance.now();
			samples.push(await sample());
			if (running) await sleep(performance.now() - started);
		}
	})();
	const rss = new RssSampler(pid).start();
	try {
		await post(
			n8n,
			PATHS[kind],
			file,
			kind === 'audio'
				? { 'content-type': 'audio/wav', 'content-disposition': 'attachment; filename="bench.wav"' }
				: {
						'content-type': 'application/pdf',
						'content-disposition': 'attachment; filename="bench.pdf"',
					},
		);
	} finally {
		running = false;
		await sampling;
	}
	const peak = rss.stop();
	const run = await finishedRun(n8n, IDS[kind], previous);
	const { growth, inWindow } = nodeWindowGrowth(samples, before, run.startTime, run.executionTime);
	const stats = await emulator.stats();
	return {
		fileBytes: file.length,
		growth,
		windowSamples: inWindow,
		nodeMs: run.executionTime,
		requests: stats.total,
		rssGrowth: peak.mainPeak - peak.mainStart,
	};
}

export async function runMediaBench(
	emulator: EmulatorProcess,
	options: MediaOptions,
	log: (message: string) => void,
): Promise<MediaResults> {
	const results: MediaResults = {
		options,
		load: { start: loadavg(), end: [] },
		embeddings: {
			wallMs: [],
			nodeMs: [],
			executionMs: [],
			floorMs: [],
			noSaveWallMs: [],
			requests: Math.ceil(options.embeddingTexts / options.embeddingBatch),
		},
		audio: { big: [], tiny: [] },
		ocr: { big: [], tiny: [], base64Bytes: 0, tinyBase64Bytes: 0 },
	};
	const audio = wavOfSize(options.audioBytes, 'the bench upload');
	const tinyAudio = wavOfSize(4096, 'the bench upload');
	const pdf = pdfOfSize(options.ocrPages, options.ocrBytes);
	const tinyPdf = pdfOfSize(options.ocrPages, 0);
	results.ocr.base64Bytes = Math.ceil(pdf.length / 3) * 4;
	results.ocr.tinyBase64Bytes = Math.ceil(tinyPdf.length / 3) * 4;
	const texts = JSON.stringify({
		texts: Array.from({ length: options.embeddingTexts }, (_, i) => ({ text: embeddingText(i) })),
	});
	const json = { 'content-type': 'application/json' };

	log('media: starting n8n...');
	const n8n = await startN8n({
		packageDist: options.dist,
		credentials: credentials(emulator.url),
		workflows: workflows(options),
		label: 'bench-media',
		env: { NODE_OPTIONS: INSPECTOR_NODE_OPTIONS },
	});
	let inspector: InspectorProfiler | undefined;
	try {
		const pid = findN8nMainPid(n8n.userFolder);
		log(`media: n8n ${n8n.baseUrl} (pid ${pid}); log ${n8n.logFile}`);
		// Warm-up: each workflow once, small, and the floor once.
		await emulator.reset();
		await emulator.setLatency(options.latencyMs);
		const oneText = JSON.stringify({ texts: [{ text: embeddingText(0) }] });
		await post(n8n, PATHS.embed, oneText, json);
		await post(n8n, PATHS.embedNoSave, oneText, json);
		await embeddingFloor(emulator.url, 10, options.embeddingBatch, options.embeddingDimensions);
		inspector = await InspectorProfiler.attach(pid, n8n.logs);
		const hook = inspector;
		await memoryRun(n8n, pid, hook, emulator, 'audio', tinyAudio, memoryLatencyMs(options));
		await memoryRun(n8n, pid, hook, emulator, 'ocr', tinyPdf, memoryLatencyMs(options));

		for (let rep = 0; rep < options.repetitions; rep++) {
			await emulator.reset();
			await emulator.setLatency(options.latencyMs);
			const floor = await embeddingFloor(
				emulator.url,
				options.embeddingTexts,
				options.embeddingBatch,
				options.embeddingDimensions,
			);
			results.embeddings.floorMs.push(floor.wallMs);
			await emulator.reset();
			const previous = await latestId(n8n, IDS.embed);
			results.embeddings.wallMs.push(await post(n8n, PATHS.embed, texts, json));
			const embedRun = await finishedRun(n8n, IDS.embed, previous);
			results.embeddings.nodeMs.push(embedRun.executionTime);
			results.embeddings.executionMs.push(embedRun.executionMs);
			const requests = (await emulator.stats()).total;
			if (requests !== floor.requests)
				throw new Error(
					`embeddings: the node sent ${requests} requests, the floor ${floor.requests}`,
				);
			await emulator.reset();
			results.embeddings.noSaveWallMs.push(await post(n8n, PATHS.embedNoSave, texts, json));
			const noSaveRequests = (await emulator.stats()).total;
			if (noSaveRequests !== floor.requests)
				throw new Error(
					`embeddings (not saved): the node sent ${noSaveRequests} requests, the floor ${floor.requests}`,
				);

			// One unmeasured tiny upload first: the first memory run after the embeddings run sees
			// n8n's live memory fall while its node runs, by an amount that grows with the texts
			// (-13.6 MB after 1,000, -74.6 MB after 10,000 in short runs): n8n releasing that
			// run's data, which would otherwise lower the next measured run's growth.
			const flush = await memoryRun(
				n8n,
				pid,
				hook,
				emulator,
				'audio',
				tinyAudio,
				memoryLatencyMs(options),
			);
			log(
				`media: unmeasured run after the embeddings: ${(flush.growth / 1024 / 1024).toFixed(1)} MB`,
			);
			results.audio.tiny.push(
				await memoryRun(n8n, pid, hook, emulator, 'audio', tinyAudio, memoryLatencyMs(options)),
			);
			results.audio.big.push(
				await memoryRun(n8n, pid, hook, emulator, 'audio', audio, memoryLatencyMs(options)),
			);
			results.ocr.tiny.push(
				await memoryRun(n8n, pid, hook, emulator, 'ocr', tinyPdf, memoryLatencyMs(options)),
			);
			results.ocr.big.push(
				await memoryRun(n8n, pid, hook, emulator, 'ocr', pdf, memoryLatencyMs(options)),
			);
			if (rep === options.repetitions - 1) {
				// Where the time goes: one more run with saving on, under n8n's CPU profiler (not
				// counted in the ratios: profiling slows n8n down).
				await emulator.reset();
				await hook.start(500);
				await post(n8n, PATHS.embed, texts, json);
				const { totalMs, shares } = profileShares(await hook.stop(), options.embeddingTexts);
				results.embeddings.profile = { totalMs, shares };
			}
			const r = (runs: MemoryRun[], tiny: MemoryRun[], size: number) =>
				((runs[rep].growth - tiny[rep].growth) / size).toFixed(2);
			log(
				`media repetition ${rep + 1}/${options.repetitions}: embeddings ${(results.embeddings.wallMs[rep] / floor.wallMs).toFixed(2)}× the floor, ` +
					`upload ${r(results.audio.big, results.audio.tiny, audio.length)}× the file, ` +
					`OCR ${r(results.ocr.big, results.ocr.tiny, results.ocr.base64Bytes)}× the base64 (${results.ocr.big[rep].requests} request)`,
			);
		}
	} finally {
		inspector?.close();
		await n8n.stop();
	}
	results.load.end = loadavg();
	return results;
}

/** A profile's CPU time by category, in ms for the whole run (categorize() gives it per item). */
function profileShares(profile: CpuProfile, items: number) {
	const { total, shares } = categorize(profile, items);
	return {
		totalMs: total * items,
		shares: shares.map(({ category, msPerItem, share }) => ({
			category,
			ms: msPerItem * items,
			share,
		})),
	};
}

export function mediaTargets(results: MediaResults): TargetRow[] {
	const { options, embeddings, audio, ocr } = results;
	return [
		{
			label: `Embeddings: ${options.embeddingTexts.toLocaleString('en')} texts through Embedding → Create in n8n (batches of ${options.embeddingBatch}, ${options.embeddingDimensions} dimensions) within ${MEDIA_TARGETS.embeddingsFloorRatio}× of undici sending the same batches (wall time)`,
			values: embeddings.wallMs.map((ms, i) => ms / embeddings.floorMs[i]),
			bound: MEDIA_TARGETS.embeddingsFloorRatio,
			direction: 'atMost',
			unit: '×',
		},
		{
			label: `Upload: ${mb(options.audioBytes)} WAV through Audio → Transcribe, the node's extra memory ≤ ${MEDIA_TARGETS.uploadHeapPerFile}× the file`,
			values: extraRatios(audio.big, audio.tiny, options.audioBytes),
			bound: MEDIA_TARGETS.uploadHeapPerFile,
			direction: 'atMost',
			unit: '×',
		},
		{
			label: `OCR: ${options.ocrPages}-page PDF (${mb(ocr.big[0]?.fileBytes ?? options.ocrBytes)}) through Document → Extract Text, the node's extra memory ≤ ${MEDIA_TARGETS.ocrHeapPerBase64}× its base64 (${mb(ocr.base64Bytes)})`,
			values: extraRatios(ocr.big, ocr.tiny, ocr.base64Bytes),
			bound: MEDIA_TARGETS.ocrHeapPerBase64,
			direction: 'atMost',
			unit: '×',
		},
		{
			label: `OCR: requests for one ${options.ocrPages}-page PDF (emulator log), at most 1`,
			values: ocr.big.map((run) => run.requests),
			bound: 1,
			direction: 'atMost',
			unit: 'requests',
		},
	];
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');
const range = (values: number[], f: (v: number) => string) => {
	const { median: mid, min, max } = spread(values);
	return `${f(mid)} (${f(min)} – ${f(max)})`;
};

function memoryRow(
	label: string,
	big: MemoryRun[],
	tiny: MemoryRun[],
	per: number,
	perLabel: string,
) {
	const extra = big.map((run, i) => run.growth - (tiny[i]?.growth ?? NaN));
	return `| ${label} | ${range(extra, mb)} | ${range(
		tiny.map((r) => r.growth),
		mb,
	)} | ${x(median(extra) / per)} of ${perLabel} | ${big.map((r) => r.windowSamples).join(', ')} | ${range(
		big.map((r) => r.nodeMs),
		(v) => `${v.toFixed(0)} ms`,
	)} | ${range(
		big.map((r) => r.rssGrowth),
		mb,
	)} | ${big.map((r) => r.requests).join(', ')} |`;
}

export function renderMediaSection(results: MediaResults, command: string): string {
	const { options, embeddings, audio, ocr, load } = results;
	const ratios = embeddings.wallMs.map((ms, i) => ms / embeddings.floorMs[i]);
	const noSaveRatios = embeddings.noSaveWallMs.map((ms, i) => ms / embeddings.floorMs[i]);
	const texts = options.embeddingTexts.toLocaleString('en');
	return [
		'## Media: embeddings, an upload, OCR',
		'',
		`Latest run: ${new Date().toISOString()}, \`${command}\`, ${options.repetitions} repetitions, emulator latency ${options.latencyMs} ms (memory runs ${memoryLatencyMs(options)} ms). ` +
			`Load average (1/5/15 min) before ${load.start.map((v) => v.toFixed(2)).join(' / ')}, after ${load.end.map((v) => v.toFixed(2)).join(' / ')}.`,
		'',
		'| row | n8n (client side) | of it: execution | of it: the node | floor (undici) | ratio n8n ÷ floor |',
		'| --- | ---: | ---: | ---: | ---: | ---: |',
		`| ${texts} texts, Embedding → Create, batches of ${options.embeddingBatch} (${embeddings.requests} requests), ${options.embeddingDimensions} dimensions | ${range(embeddings.wallMs, s)} | ${range(embeddings.executionMs, s)} | ${range(embeddings.nodeMs, s)} | ${range(embeddings.floorMs, s)} | ${range(ratios, x)} |`,
		`| the same, the workflow set not to save successful executions (reference, not a target) | ${range(embeddings.noSaveWallMs, s)} | – (not saved) | – (not saved) | ${range(embeddings.floorMs, s)} | ${range(noSaveRatios, x)} |`,
		'',
		...embeddingsProfile(results),
		'| row | node extra memory (median, min – max) | same with a tiny file | ratio | samples while the node ran | node time | n8n RSS growth | requests |',
		'| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
		memoryRow(
			`Audio → Transcribe, ${mb(options.audioBytes)} WAV`,
			audio.big,
			audio.tiny,
			options.audioBytes,
			'the file',
		),
		memoryRow(
			`Document → Extract Text, ${options.ocrPages}-page PDF of ${mb(ocr.big[0]?.fileBytes ?? options.ocrBytes)} (base64 ${mb(ocr.base64Bytes)})`,
			ocr.big,
			ocr.tiny,
			ocr.base64Bytes,
			'the base64',
		),
		'',
		'- **Embeddings.** Webhook (the texts as a JSON array, answer when the last node is done) → Split Out → Dedalus',
		`  Embedding → Create with \`{{ $json.text }}\`, Batch Size ${options.embeddingBatch}, Dimensions ${options.embeddingDimensions}. The floor: undici`,
		'  (keep-alive) outside n8n sends the same batches (same texts, model, dimensions, headers) one after the other, as',
		'  the node does, and parses each answer. Dimensions are kept small on purpose so the size of the vectors in',
		"  JSON (parsing, n8n's saving of the execution) does not dominate the comparison. n8n's time is the client's,",
		'  from sending the texts to the answer; the request count is checked equal to the floor’s in every repetition.',
		'  The node reads `{{ $json.text }}` straight from each item (a Text that is one field of the item is not',
		"  handed to n8n's expression engine: nodes/Dedalus/actions/embedding/create.operation.ts); any other",
		'  expression costs n8n’s evaluation per item. The second row runs the same workflow set not to save',
		'  successful executions (Workflow Settings), interleaved with the first: the difference is what n8n spends',
		'  saving the run data (every vector as JSON), which the floor does not do and no node can avoid.',
		...memoryMethod(results),
	].join('\n');
}

/** The CPU profile of one embeddings run, by category (bench/src/profiler.ts categorize()). */
function embeddingsProfile(results: MediaResults): string[] {
	const { profile } = results.embeddings;
	if (!profile) return [];
	return [
		`Where n8n's CPU went in one more run of the first row (V8 profiler of n8n's main process, 0.5 ms sampling; ${profile.totalMs.toFixed(0)} ms of CPU, idle not counted; the profiler slows n8n, so this run is not in the ratios):`,
		'',
		'| category | CPU | share |',
		'| --- | ---: | ---: |',
		...profile.shares.map(
			(row) => `| ${row.category} | ${row.ms.toFixed(0)} ms | ${(row.share * 100).toFixed(1)} % |`,
		),
		'',
	];
}

function memoryMethod(results: MediaResults): string[] {
	const { options } = results;
	return [
		`- **Upload and OCR memory.** Webhook (the file as the raw request body, stored by n8n as binary property`,
		'  `data`; n8n 2.x keeps it on disk, its default binary data mode `filesystem`, so before the node runs only',
		'  a reference to it is in memory) → Dedalus. n8n runs with `--inspect-port` (no inspector until SIGUSR1 opens',
		'  it, as for the CPU profile). During each run the benchmark has n8n, in one callback between its tasks',
		"  (`Runtime.callFunctionOn` on V8's `gc`, obtained once without restarting n8n; the callback is a",
		'  `setImmediate`), run two full garbage collections and then read `process.memoryUsage()`, so each sample is',
		'  *live* memory (heapUsed + external; external holds Buffers) with n8n’s own timestamp, and nothing of n8n',
		'  runs between the collection and the read. (Before 2026-12-05 the collection and the read were two inspector',
		'  calls, each run wherever n8n’s JavaScript was, and n8n ran in between: a',
		'  sample taken while the OCR node wrote the base64 counted the pieces it had made and dropped since the',
		'  collection, up to all of them (13 MB for a 10 MB PDF), as in the 2.75× readings; the split of',
		'  `process.memoryUsage()` showed them as external memory that no Buffer held.) The node’s',
		'  extra memory = the highest sample taken while the node ran (startTime and executionTime of its saved run)',
		'  minus the last sample before it started; the same for a tiny file (4 KB WAV; the same PDF without padding)',
		'  in the same repetition is subtracted, so what the node costs whatever the file (parameters, request and',
		`  answer handling) is not counted. For these runs the emulator answers after ${memoryLatencyMs(options)} ms, so the node holds what it built for the`,
		'  request for at least that long, and several samples fall in that time. After the embeddings run of each repetition one tiny upload runs unmeasured',
		`  (the first run after it sees n8n release the embeddings run's data while its node runs). The PDF has ${options.ocrPages} text pages, padded with a trailing comment of random hex to`,
		'  the stated size (the bytes of scanned images in a real invoice: sent, not read by the OCR); the OCR target',
		`  bounds the node's extra memory at ${MEDIA_TARGETS.ocrHeapPerBase64}× the base64 text (the base64 string the data URI needs, and the JSON`,
		'  body that carries it); any further copy of the file shows above that. The emulator’s request log counts',
		'  the OCR requests per document.',
		'- **Limits of the memory method.** A sample is taken only between n8n’s tasks (inside one, a GC pause could',
		'  trip the 250 ms timeout n8n runs regular expressions under, and fail the execution): memory allocated and',
		'  freed within one synchronous stretch of the node (or of n8n’s HTTP client) is not seen, so the peak can be',
		'  understated; each sample costs two full GCs (tens to hundreds of ms, n8n stands still meanwhile, which',
		'  also stretches the node’s time; the benchmark then waits as long again before the next sample, so n8n',
		'  runs at least half the time), so few samples fall in a short node run, and a run with none reads “–”',
		'  (unclear). Memory outside V8’s accounting (sockets’ kernel buffers, native',
		'  allocations not reported as external) is not counted; the RSS growth of the main process is shown for',
		'  reference (coarse: RSS rarely shrinks and includes freed-but-kept pages).',
	];
}
