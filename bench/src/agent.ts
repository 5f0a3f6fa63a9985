// Rows (e), (f), (g): one tool-using question ("summarize yesterday's emails": a model turn, one
// MCP tool call, a final turn) asked repeatedly, one after the other, at equal emulated prices
// (modelTurnMs per model turn, toolCallMs per MCP tool call, emulator/src/turns.ts), at each
// round trip time between n8n and the emulator (HTTPS through the latency proxy, network.ts):
//   (e) the Dedalus node with mcp_servers: the tool loop runs on Dedalus's side, one request;
//   (f) n8n's AI Agent + the Dedalus Chat Model with mcp_servers: also one request per question;
//   (g) n8n's AI Agent + n8n's OpenAI Chat Model (Base URL = the emulator) + n8n's MCP Client Tool
//       (the emulator's MCP endpoint): the loop runs in n8n, two model requests and an MCP session.
// Wall time per question (client side, webhook answers when the run is done), what crossed the
// network per question (proxy counters) and n8n CPU per question (main process + task runners,
// from /proc, over all questions).
import { loadavg } from 'node:os';

import { agentWorkflow } from '../../n8n-runner/agent-workflows';
import type { N8nInstance, WorkflowImport } from '../../n8n-runner/n8n';
import type { EmulatorProcess } from './emulator';
import type { NetworkN8n } from './network';
import { cpuMs, findN8nMainPid, groupMembers } from './proc';
import { type TargetRow, median, percentile, spread } from './targets';
import { API_KEY, DEDALUS_CREDENTIAL, MODEL, OPENAI_CREDENTIAL, dedalusNode } from './workflows';

export const QUESTION = "Summarize yesterday's emails";
const GMAIL = 'dedalus-labs/gmail';

export type AgentRowKey = 'n' | 'e' | 'f' | 'g';

export interface QuestionSample {
	wallMs: number;
	/** What crossed the emulated network for this question (latency proxy counters). */
	exchanges: number;
	connections: number;
	bytesSent: number;
	bytesReceived: number;
}

export interface AgentRow {
	key: AgentRowKey;
	label: string;
	/** Every question, in the order asked (repetition after repetition). */
	samples: QuestionSample[];
	/** Median wall time of each repetition's questions. */
	repetitionMedianMs: number[];
	cpuMsPerQuestion: number;
	/** Emulator requests per question: chat completions, MCP tool runs on its side, MCP endpoint calls. */
	perQuestion: { chat: number; serverSideToolRuns: number; mcpEndpointToolCalls: number };
}

export interface AgentAtRtt {
	rttMs: number;
	load: { start: number[]; end: number[] };
	rows: AgentRow[];
}

export interface AgentResults {
	date: string;
	questions: number;
	repetitions: number;
	modelTurnMs: number;
	toolCallMs: number;
	byRtt: AgentAtRtt[];
}

/** Issue 19's targets, judged at TARGET_RTT_MS. */
export const AGENT_TARGETS = { speedUpOverG: 2, eOverLimit: 1.15 };
export const TARGET_RTT_MS = 80;

const LABELS: Record<AgentRowKey, string> = {
	n: '(baseline) Webhook → No Operation, no model',
	e: '(e) Dedalus node, mcp_servers (loop on Dedalus)',
	f: '(f) AI Agent + Dedalus Chat Model, mcp_servers',
	g: "(g) AI Agent + n8n's OpenAI Chat Model + n8n's MCP Client Tool",
};

interface AgentVariant {
	key: AgentRowKey;
	path: string;
	workflow: WorkflowImport;
	/** Checks the webhook's answer (the last node's first item). */
	check(answer: Record<string, unknown>): boolean;
}

function webhook(path: string) {
	return {
		id: 'a9e00000-0000-4000-8000-000000000001',
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `a9e00000-0000-4000-8000-${Buffer.from(path).toString('hex').slice(-12).padStart(12, '0')}`,
		parameters: {
			httpMethod: 'POST',
			path,
			responseMode: 'lastNode',
			responseData: 'firstEntryJson',
			options: {},
		},
	};
}

/** The workflows of rows (n), (e), (f), (g); `apiUrl` is where the MCP Client Tool of (g) connects. */
export function agentWorkflows(apiUrl: string): WorkflowImport[] {
	return variants(apiUrl).map((variant) => variant.workflow);
}

function variants(emulatorUrl: string): AgentVariant[] {
	const summary = (text: unknown) =>
		typeof text === 'string' && text.includes('Summary of 3 emails from yesterday');
	const e: AgentVariant = {
		key: 'e',
		path: 'bench-agent-e',
		workflow: {
			id: 'benchAgentRowE01',
			name: 'Bench: (e) Dedalus node with mcp_servers',
			nodes: [
				webhook('bench-agent-e'),
				{
					id: 'a9e00000-0000-4000-8000-000000000002',
					name: 'Dedalus',
					position: [240, 0],
					...dedalusNode({}),
					parameters: {
						...dedalusNode({}).parameters,
						prompt: '={{ $json.body.question }}',
						mcpServers: GMAIL,
					},
				},
			],
			connections: { Webhook: { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] } },
		},
		check: (answer) => summary(answer.content),
	};
	const f: AgentVariant = {
		key: 'f',
		path: 'bench-agent-f',
		workflow: agentWorkflow({
			id: 'benchAgentRowF01',
			name: 'Bench: (f) AI Agent + Dedalus Chat Model',
			path: 'bench-agent-f',
			credential: DEDALUS_CREDENTIAL,
			mcpServers: GMAIL,
			withTool: false,
		}),
		check: (answer) => summary(answer.output),
	};
	const g: AgentVariant = {
		key: 'g',
		path: 'bench-agent-g',
		workflow: {
			id: 'benchAgentRowG01',
			name: 'Bench: (g) AI Agent + OpenAI Chat Model + MCP Client Tool',
			nodes: [
				webhook('bench-agent-g'),
				{
					id: 'a9e00000-0000-4000-8000-000000000003',
					name: 'AI Agent',
					type: '@n8n/n8n-nodes-langchain.agent',
					typeVersion: 3.1,
					position: [240, 0],
					parameters: { promptType: 'define', text: '={{ $json.body.question }}', options: {} },
				},
				{
					id: 'a9e00000-0000-4000-8000-000000000004',
					name: 'OpenAI Chat Model',
					type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
					typeVersion: 1.3,
					position: [160, 220],
					// Chat completions, like the other rows (1.3 defaults to the Responses API).
					parameters: {
						model: { __rl: true, mode: 'id', value: MODEL },
						responsesApiEnabled: false,
						options: {},
					},
					credentials: { openAiApi: OPENAI_CREDENTIAL },
				},
				{
					id: 'a9e00000-0000-4000-8000-000000000005',
					name: 'Gmail MCP',
					type: '@n8n/n8n-nodes-langchain.mcpClientTool',
					typeVersion: 1.4,
					position: [360, 220],
					parameters: {
						endpointUrl: `${emulatorUrl}/mcp/gmail`,
						serverTransport: 'httpStreamable',
						authentication: 'none',
						include: 'all',
						options: {},
					},
				},
			],
			connections: {
				Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
				'OpenAI Chat Model': {
					ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
				},
				'Gmail MCP': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			},
		},
		check: (answer) =>
			typeof answer.output === 'string' && answer.output.includes('Q3 report: final numbers'),
	};
	// What any webhook execution costs n8n, with no node work: the floor under every row's CPU.
	const n: AgentVariant = {
		key: 'n',
		path: 'bench-agent-n',
		workflow: {
			id: 'benchAgentRowN01',
			name: 'Bench: baseline Webhook -> No Operation',
			nodes: [
				webhook('bench-agent-n'),
				{
					id: 'a9e00000-0000-4000-8000-000000000006',
					name: 'No Operation',
					type: 'n8n-nodes-base.noOp',
					typeVersion: 1,
					position: [240, 0],
					parameters: {},
				},
			],
			connections: { Webhook: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
		},
		check: (answer) => isRecord(answer.body) && answer.body.question === QUESTION,
	};
	return [n, e, f, g];
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

function groupCpuMs(pgid: number): number {
	let total = cpuMs(pgid);
	for (const pid of groupMembers(pgid)) total += cpuMs(pid);
	return total;
}

async function ask(
	n8n: N8nInstance,
	variant: AgentVariant,
	emulator: EmulatorProcess,
): Promise<number> {
	const started = performance.now();
	const res = await fetch(n8n.webhookUrl(variant.path), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ question: QUESTION }),
	});
	const text = await res.text();
	const wallMs = performance.now() - started;
	let answer: Record<string, unknown> = {};
	try {
		answer = JSON.parse(text) as Record<string, unknown>;
	} catch {
		// checked below
	}
	if (res.status !== 200 || !variant.check(answer)) {
		const requests = JSON.stringify(await emulator.requests('/v1/chat/completions')).slice(-1500);
		throw new Error(
			`(${variant.key}) unexpected answer ${res.status}: ${text.slice(0, 400)}\nemulator log: ${requests}`,
		);
	}
	return wallMs;
}

/**
 * Rows (n), (e), (f), (g) at each round trip time, in an n8n started by startNetworkN8n (its
 * credentials and (g)'s MCP endpoint point at the proxy). Per RTT: one warm-up question per row,
 * then `repetitions` rounds, each asking every row `questions` times (rows interleaved round by
 * round, so load that comes and goes hits every row alike).
 */
export async function runAgentBench(options: {
	network: NetworkN8n;
	emulator: EmulatorProcess;
	rtts: number[];
	repetitions: number;
	questions: number;
	modelTurnMs: number;
	toolCallMs: number;
	log: (message: string) => void;
}): Promise<AgentResults> {
	const { emulator, network, questions, repetitions, log } = options;
	const { n8n, proxy } = network;
	const list = variants(proxy.url);
	const pgid = findN8nMainPid(n8n.userFolder);
	const prepare = async () => {
		await emulator.reset();
		await emulator.setLatency(0);
		await emulator.setTurns(options.modelTurnMs, options.toolCallMs);
		await emulator.grantConsent(GMAIL, API_KEY);
	};
	const one = async (variant: AgentVariant): Promise<QuestionSample> => {
		proxy.resetTraffic();
		const wallMs = await ask(n8n, variant, emulator);
		const traffic = proxy.traffic();
		return {
			wallMs,
			exchanges: traffic.exchanges,
			connections: traffic.connections,
			bytesSent: traffic.bytesSent,
			bytesReceived: traffic.bytesReceived,
		};
	};
	const byRtt: AgentAtRtt[] = [];
	for (const rttMs of options.rtts) {
		proxy.setRtt(rttMs);
		const start = loadavg();
		log(`agent rows at RTT ${rttMs} ms: ${repetitions} × ${questions} questions per row...`);
		await prepare();
		// Warm-up (webhooks registered, code paths compiled, answers checked once); a 404 means n8n
		// has not registered the webhook yet.
		for (const variant of list) {
			for (let deadline = Date.now() + 60_000; ; ) {
				try {
					await ask(n8n, variant, emulator);
					break;
				} catch (error) {
					if (!/unexpected answer 404/.test(String(error)) || Date.now() > deadline) throw error;
					await new Promise((resolve) => setTimeout(resolve, 500));
				}
			}
		}
		await prepare();
		const rows = new Map<AgentRowKey, AgentRow>();
		const cpu = new Map<AgentRowKey, number>();
		for (const variant of list) {
			const label = LABELS[variant.key];
			rows.set(variant.key, {
				key: variant.key,
				label,
				samples: [],
				repetitionMedianMs: [],
				cpuMsPerQuestion: 0,
				perQuestion: { chat: 0, serverSideToolRuns: 0, mcpEndpointToolCalls: 0 },
			});
			cpu.set(variant.key, 0);
		}
		for (let r = 0; r < repetitions; r++) {
			for (const variant of list) {
				const row = rows.get(variant.key) as AgentRow;
				const before = groupCpuMs(pgid);
				const samples: QuestionSample[] = [];
				for (let i = 0; i < questions; i++) samples.push(await one(variant));
				cpu.set(variant.key, (cpu.get(variant.key) ?? 0) + groupCpuMs(pgid) - before);
				row.samples.push(...samples);
				row.repetitionMedianMs.push(median(samples.map((sample) => sample.wallMs)));
			}
		}
		// What the emulator did for one question of each row: one more question, its log reset before.
		for (const variant of list) {
			const row = rows.get(variant.key) as AgentRow;
			row.cpuMsPerQuestion = (cpu.get(variant.key) ?? 0) / (questions * repetitions);
			await prepare();
			await ask(n8n, variant, emulator);
			const chat = await emulator.requests('/v1/chat/completions');
			const mcp = await emulator.requests('/mcp/gmail');
			const runs = (entries: Array<{ mcpToolsRun?: string[] }>) =>
				entries.reduce((sum, entry) => sum + (entry.mcpToolsRun?.length ?? 0), 0);
			row.perQuestion = {
				chat: chat.length,
				serverSideToolRuns: runs(chat),
				mcpEndpointToolCalls: runs(mcp),
			};
			const walls = row.samples.map((sample) => sample.wallMs);
			log(
				`  RTT ${rttMs} ms ${row.label}: median ${(median(walls) / 1000).toFixed(3)} s, p90 ${(percentile(walls, 90) / 1000).toFixed(3)} s, ` +
					`${median(row.samples.map((x) => x.exchanges))} exchanges, ${median(row.samples.map((x) => x.connections))} new connections per question`,
			);
		}
		byRtt.push({ rttMs, load: { start, end: loadavg() }, rows: [...rows.values()] });
	}
	proxy.setRtt(0);
	return {
		date: new Date().toISOString(),
		questions,
		repetitions,
		modelTurnMs: options.modelTurnMs,
		toolCallMs: options.toolCallMs,
		byRtt,
	};
}

const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const loadText = (load: number[]) => load.map((v) => v.toFixed(2)).join(' / ');

/** The emulated work of one question plus one round trip: the least (e) can take. */
export function limitMs(results: AgentResults, rttMs: number): number {
	return 2 * results.modelTurnMs + results.toolCallMs + rttMs;
}

/** Target rows from the run at TARGET_RTT_MS (none if that RTT was not run). */
export function agentTargets(results: AgentResults): TargetRow[] {
	const at = results.byRtt.find((entry) => entry.rttMs === TARGET_RTT_MS);
	const row = (key: AgentRowKey) => at?.rows.find((r) => r.key === key);
	const e = row('e');
	const f = row('f');
	const g = row('g');
	if (!at || !e || !f || !g) return [];
	const ratios = (over: AgentRow, under: AgentRow) =>
		over.repetitionMedianMs.map((ms, i) => ms / under.repetitionMedianMs[i]);
	const limit = limitMs(results, at.rttMs);
	return [
		{
			label: `(e) at least ${AGENT_TARGETS.speedUpOverG}× faster than (g), RTT ${at.rttMs} ms, HTTPS ((g) ÷ (e), median wall per question)`,
			values: ratios(g, e),
			bound: AGENT_TARGETS.speedUpOverG,
			direction: 'atLeast',
			unit: '×',
		},
		{
			label: `(f) at least ${AGENT_TARGETS.speedUpOverG}× faster than (g), RTT ${at.rttMs} ms, HTTPS ((g) ÷ (f))`,
			values: ratios(g, f),
			bound: AGENT_TARGETS.speedUpOverG,
			direction: 'atLeast',
			unit: '×',
		},
		{
			label: `(e) within ${AGENT_TARGETS.eOverLimit}× of its limit, RTT ${at.rttMs} ms (${limit} ms: the emulated work + one round trip)`,
			values: e.repetitionMedianMs.map((ms) => ms / limit),
			bound: AGENT_TARGETS.eOverLimit,
			direction: 'atMost',
			unit: '×',
		},
	];
}

/** The Markdown of rows (e)-(g) at every RTT, as the report's `agent` section. */
export function renderAgentSection(results: AgentResults, cores: number, command: string): string {
	const lines = [
		"## Tool-using question at a distance: the Dedalus node, an AI Agent with the Dedalus Chat Model, and an AI Agent with n8n's OpenAI Chat Model + MCP Client Tool",
		'',
		`Latest run: ${results.date}, \`${command}\`. "${QUESTION}" asked ${results.repetitions} × ${results.questions} times per row at each round trip time ` +
			`(${results.repetitions} repetitions, rows interleaved), each the same work: a model turn, one MCP tool call (Gmail \`list_messages\`), a final turn. ` +
			`Emulated prices, equal on every row: ${results.modelTurnMs} ms per model turn, ${results.toolCallMs} ms per MCP tool call (\`POST /__emulator/turns\`). ` +
			'Between n8n and the emulator (chat completions and the MCP endpoint alike) sits the latency proxy (n8n-runner/latency-proxy.ts) ' +
			'serving HTTPS (TLS 1.3, a throwaway CA only this n8n trusts): every piece of data each way waits half the RTT, a new connection ' +
			'one more RTT (TCP handshake), and the TLS handshake its own round trip. The proxy counts, per question, the HTTP exchanges, the ' +
			'connections n8n opened and the bytes on the wire (TLS included). n8n CPU = main process + task runners from /proc over all questions ÷ questions. ' +
			'The baseline does not call the emulator.',
		'',
	];
	for (const at of results.byRtt) {
		lines.push(
			`### RTT ${at.rttMs} ms`,
			'',
			`Load average (1/5/15 min) before ${loadText(at.load.start)}, after ${loadText(at.load.end)} on ${cores} cores.`,
			'',
			'| row | wall per question: median | p90 | HTTP exchanges | new connections | bytes sent / received | n8n CPU per question | chat requests / MCP runs on Dedalus / MCP Client tool calls |',
			'| --- | --- | --- | --- | --- | --- | --- | --- |',
			...at.rows.map((r) => {
				const walls = r.samples.map((x) => x.wallMs);
				const m = (pick: (x: QuestionSample) => number) => median(r.samples.map(pick));
				return `| ${r.label} | ${s(median(walls))} | ${s(percentile(walls, 90))} | ${m((x) => x.exchanges)} | ${m((x) => x.connections)} | ${kb(m((x) => x.bytesSent))} / ${kb(m((x) => x.bytesReceived))} | ${r.cpuMsPerQuestion.toFixed(1)} ms | ${r.perQuestion.chat} / ${r.perQuestion.serverSideToolRuns} / ${r.perQuestion.mcpEndpointToolCalls} |`;
			}),
			'',
		);
		const e = at.rows.find((r) => r.key === 'e');
		const g = at.rows.find((r) => r.key === 'g');
		if (e && g) {
			const ratio = spread(g.repetitionMedianMs.map((ms, i) => ms / e.repetitionMedianMs[i]));
			const eMs = median(e.samples.map((x) => x.wallMs));
			const beyond = eMs - limitMs(results, at.rttMs);
			const eConnections = median(e.samples.map((x) => x.connections));
			const handshakes =
				at.rttMs > 0 && eConnections >= 1
					? ` Of the ${beyond.toFixed(0)} ms beyond it, ${2 * at.rttMs} ms are the TCP and TLS handshakes of the connection (e) opens for its one request ` +
						"(n8n's request helper opens one per request, see *Throughput at a distance*); the rest is n8n's own work for the execution."
					: '';
			lines.push(
				`(g) ÷ (e), per repetition: median ${ratio.median.toFixed(2)}×, spread ${ratio.min.toFixed(2)}× – ${ratio.max.toFixed(2)}×. ` +
					`The limit of (e) here (emulated work + one round trip): ${limitMs(results, at.rttMs)} ms; (e) took ${s(eMs)} (median).${handshakes}`,
				'',
			);
		}
	}
	return lines.join('\n');
}
