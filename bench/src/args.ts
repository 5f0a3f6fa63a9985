export const ONLY = ['throughput', 'network', 'agent', 'streaming', 'media'] as const;
export type SectionOnly = (typeof ONLY)[number];

export interface BenchArgs {
	/** Fixed model latency of the emulator for table 1, ms. */
	latencyMs: number;
	sizes: number[];
	/** Items per run for the node CPU measurement (emulator at zero latency). */
	cpuItems: number;
	cpuRepeats: number;
	/** Items and answer size for the memory measurement. */
	memoryItems: number;
	memoryBytes: number;
	/** Also run n8n's OpenAI node in its default version 2.3 (POST /responses), at these sizes. */
	responsesSizes: number[];
	quick: boolean;
	/** Where the report goes; undefined = do not write (quick runs, unless --out is given). */
	out?: string;
	/** The built package n8n loads (default the repository's dist/), e.g. to compare a change. */
	dist?: string;
	/** Run one section of the report only and replace just that section (bench/src/targets.ts). */
	only?: SectionOnly;
	/** Repetitions behind every target ratio (interleaved; median and spread reported). */
	repetitions: number;
	/** Sizes at which the one-request-at-a-time rows (b) and (c) run on loopback (they take items × latency). */
	serialSizes: number[];
	/** Round trip times for the agent rows; the network throughput table runs at 80 ms if listed, else the largest. */
	rtts: number[];
	/** Items for the throughput table over the emulated network (HTTPS). */
	networkSizes: number[];
	/** Rows (e)-(g): questions per row per repetition and the emulated prices. */
	questions: number;
	modelTurnMs: number;
	toolCallMs: number;
	/** Runs per streaming row. */
	streamingRuns: number;
	/** The media section (bench/src/media.ts): texts, batch size and dimensions for the embeddings row. */
	embeddingTexts: number;
	embeddingBatch: number;
	embeddingDimensions: number;
	/** File sizes (bytes) for the upload and OCR rows, and the PDF's pages. */
	audioBytes: number;
	ocrBytes: number;
	ocrPages: number;
}

const USAGE = `usage: npm run bench [-- options]
  --latency <ms>         emulator model latency for the throughput table (default 200)
  --sizes <n,n,...>      item counts for the throughput table (default 10,200,1000)
  --quick                small sizes for a fast check (5,20,50; CPU 300 items; memory 500 items;
                         2 repetitions, so every target reads "unclear"); prints only,
                         docs/benchmarks.md is left alone unless --out is given
  --cpu-items <n>        items per run for the node CPU measurement (default 2000)
  --memory-items <n>     items for the memory measurement (default 5000)
  --memory-bytes <n>     answer size for the memory measurement (default 4096)
  --responses-sizes <..> sizes at which n8n's OpenAI node v2.3 (/v1/responses) also runs,
                         e.g. 200 (default: none)
  --out <file>           write the report there (default docs/benchmarks.md for full runs)
  --dist <folder>        load the node from this build instead of dist/ (to compare a change)
  --repetitions <n>      repetitions behind every target ratio, interleaved (default 5; fewer
                         makes every target "unclear")
  --serial-sizes <..>    sizes at which (b) and (c) also run on loopback (default 10,200)
  --rtt <ms,ms,...>      round trip times for the agent rows, over HTTPS through the latency proxy
                         (default 0,80,200); the network throughput table runs at 80 if listed,
                         else at the largest
  --network-sizes <..>   items for the throughput table over the emulated network (default 200)
  --only <section>       run one section and replace only it in docs/benchmarks.md (or --out),
                         the Targets table rebuilt: throughput (loopback throughput, CPU, memory),
                         network ((a), (c), (d) at the RTT over HTTPS), agent ((e)-(g) at each
                         RTT), streaming, media (embeddings, upload, OCR)
  --questions <n>        questions per row and repetition for (e)-(g) (default 4)
  --model-turn-ms <ms>   emulated price of one model turn for (e)-(g) (default 200)
  --tool-call-ms <ms>    emulated price of one MCP tool call for (e)-(g) (default 100)
  --streaming-runs <n>   runs per streaming row, split over the repetitions (default 30)
  --embedding-texts <n>  texts for the media section's embeddings row (default 10000)
  --embedding-batch <n>  Batch Size of Embedding -> Create and of its floor (default 2048, the node's)
  --embedding-dimensions <n>  dimensions asked for (default 256, so JSON size does not dominate)
  --audio-mb <n>         size of the WAV uploaded through Audio -> Transcribe (default 25)
  --ocr-mb <n>           size of the PDF sent through Document -> Extract Text (default 10)
  --ocr-pages <n>        pages of that PDF (default 20)
`;

function positiveInt(name: string, value: string | undefined): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n <= 0)
		throw new Error(`${name} needs a positive whole number\n${USAGE}`);
	return n;
}

function sizeList(name: string, value: string | undefined): number[] {
	if (value === 'none') return [];
	return (value ?? '').split(',').map((part) => positiveInt(name, part.trim()));
}

export function parseArgs(argv: string[], defaultOut: string): BenchArgs {
	const args: BenchArgs = {
		latencyMs: 200,
		sizes: [10, 200, 1000],
		cpuItems: 2000,
		cpuRepeats: 3,
		memoryItems: 5000,
		memoryBytes: 4096,
		responsesSizes: [],
		quick: false,
		questions: 4,
		repetitions: 5,
		serialSizes: [10, 200],
		rtts: [0, 80, 200],
		networkSizes: [200],
		modelTurnMs: 200,
		toolCallMs: 100,
		streamingRuns: 30,
		embeddingTexts: 10_000,
		embeddingBatch: 2048,
		embeddingDimensions: 256,
		audioBytes: 25 * 1024 * 1024,
		ocrBytes: 10 * 1024 * 1024,
		ocrPages: 20,
	};
	const explicit = new Set<string>();
	let out: string | undefined;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const eq = arg.indexOf('=');
		const name = eq >= 0 ? arg.slice(0, eq) : arg;
		const value = () => (eq >= 0 ? arg.slice(eq + 1) : argv[++i]);
		explicit.add(name);
		switch (name) {
			case '--latency': {
				const ms = Number(value());
				if (!Number.isFinite(ms) || ms < 0)
					throw new Error(`--latency needs a number of ms >= 0\n${USAGE}`);
				args.latencyMs = ms;
				break;
			}
			case '--sizes':
				args.sizes = sizeList(name, value());
				break;
			case '--quick':
				args.quick = true;
				break;
			case '--cpu-items':
				args.cpuItems = positiveInt(name, value());
				break;
			case '--memory-items':
				args.memoryItems = positiveInt(name, value());
				break;
			case '--memory-bytes':
				args.memoryBytes = positiveInt(name, value());
				break;
			case '--responses-sizes':
				args.responsesSizes = sizeList(name, value());
				break;
			case '--out':
				out = value();
				break;
			case '--dist':
				args.dist = value();
				break;
			case '--only': {
				const what = value() as SectionOnly;
				if (!ONLY.includes(what)) throw new Error(`--only takes ${ONLY.join(', ')}\n${USAGE}`);
				args.only = what;
				break;
			}
			case '--repetitions':
				args.repetitions = positiveInt(name, value());
				break;
			case '--serial-sizes':
				args.serialSizes = sizeList(name, value());
				break;
			case '--network-sizes':
				args.networkSizes = sizeList(name, value());
				break;
			case '--rtt': {
				const list = (value() ?? '').split(',').map((part) => Number(part.trim()));
				if (!list.length || list.some((ms) => !Number.isFinite(ms) || ms < 0))
					throw new Error(`--rtt needs ms values >= 0, e.g. 0,80,200\n${USAGE}`);
				args.rtts = list;
				break;
			}
			case '--streaming-runs':
				args.streamingRuns = positiveInt(name, value());
				break;
			case '--questions':
				args.questions = positiveInt(name, value());
				break;
			case '--model-turn-ms':
				args.modelTurnMs = positiveInt(name, value());
				break;
			case '--tool-call-ms':
				args.toolCallMs = positiveInt(name, value());
				break;
			case '--embedding-texts':
				args.embeddingTexts = positiveInt(name, value());
				break;
			case '--embedding-batch':
				args.embeddingBatch = positiveInt(name, value());
				break;
			case '--embedding-dimensions':
				args.embeddingDimensions = positiveInt(name, value());
				break;
			case '--audio-mb':
				args.audioBytes = positiveInt(name, value()) * 1024 * 1024;
				break;
			case '--ocr-mb':
				args.ocrBytes = positiveInt(name, value()) * 1024 * 1024;
				break;
			case '--ocr-pages':
				args.ocrPages = positiveInt(name, value());
				break;
			case '--help':
			case '-h':
				process.stdout.write(USAGE);
				process.exit(0);
				break;
			default:
				throw new Error(`unknown option ${arg}\n${USAGE}`);
		}
	}
	if (args.quick) {
		if (!explicit.has('--sizes')) args.sizes = [5, 20, 50];
		if (!explicit.has('--cpu-items')) args.cpuItems = 300;
		if (!explicit.has('--memory-items')) args.memoryItems = 500;
		if (!explicit.has('--streaming-runs')) args.streamingRuns = 10;
		if (!explicit.has('--embedding-texts')) args.embeddingTexts = 1000;
	}
	if (args.quick && !explicit.has('--questions')) args.questions = 2;
	if (args.quick && !explicit.has('--repetitions')) args.repetitions = 2;
	if (args.quick && !explicit.has('--serial-sizes')) args.serialSizes = args.sizes.slice(0, 2);
	if (args.quick && !explicit.has('--network-sizes')) args.networkSizes = [20];
	args.out = out ?? (args.quick ? undefined : defaultOut);
	return args;
}
