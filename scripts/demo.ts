// `npm run demo [-- --auto-consent]`: the product end to end for a newcomer. scripts/demo.sh builds the
// package, installs (once) the pinned n8n and compiles this file; then this script starts the Dedalus
// emulator, n8n with the node, imports the examples, runs the daily email summary, pauses for the Gmail
// consent, and prints the summary and the MCP tool calls once a person (or --auto-consent) has approved.
import {
	CREDENTIAL_NAME,
	DEMO_TRIGGER_NAME,
	bold,
	completionItems,
	consentAsAPerson,
	dim,
	executionErrorMessage,
	executionUrl,
	isDone,
	isPausedOrDone,
	say,
	seconds,
	startDemoEnvironment,
	startSummaryRun,
	waitForExecution,
	waitForPost,
	waitingItem,
	withTimeout,
	type CompletionItem,
	type DemoEnvironment,
	type WaitingItem,
} from './demo-lib';
import type { CapturedRequest } from '../n8n-runner/listener';
import { OWNER } from '../n8n-runner/rest';

const USAGE = `usage: npm run demo [-- --auto-consent] [-- --keep]

  --auto-consent   approve the consent itself (GET connect_url, Allow, Continue) and exit 0 once the
                   summary is printed; non-zero on any failure or timeout (what CI runs)
  --keep           keep the temporary n8n user folder and log after exiting

Environment:
  DEDALUS_API_KEY    use the real Dedalus API instead of the local emulator (the consent is then real)
  DEDALUS_BASE_URL   with DEDALUS_API_KEY: the API base URL (default https://api.dedaluslabs.ai)
  N8N_PORT           n8n port (default 5678 when free, else any free port)
  N8N_LISTEN_ADDRESS e.g. 0.0.0.0 to reach the editor from outside a container (default 127.0.0.1)
`;

/** The whole auto-consent run, once n8n is installed and the package built, stays well under this. */
const AUTO_WATCHDOG_MS = 8 * 60_000;

interface Args {
	autoConsent: boolean;
	keep: boolean;
}

function parseArgs(argv: string[]): Args {
	const args: Args = { autoConsent: false, keep: false };
	for (const arg of argv) {
		if (arg === '--auto-consent') args.autoConsent = true;
		else if (arg === '--keep') args.keep = true;
		else if (arg === '--help' || arg === '-h') {
			process.stdout.write(USAGE);
			process.exit(0);
		} else {
			process.stderr.write(`unknown argument: ${arg}\n${USAGE}`);
			process.exit(2);
		}
	}
	return args;
}

const indent = (text: string, prefix = '    ') =>
	text
		.split('\n')
		.map((line) => prefix + line)
		.join('\n');

function printWaiting(
	env: DemoEnvironment,
	executionId: string,
	item: WaitingItem,
	notice: CapturedRequest | undefined,
	auto: boolean,
) {
	const servers = item.servers.join(', ') || 'an MCP server';
	const lines = [
		'',
		bold(
			`  The run is paused: ${servers} needs your OAuth consent (execution ${executionId} is "waiting").`,
		),
		'',
	];
	const text = (notice?.json as { text?: string } | undefined)?.text;
	if (text) {
		lines.push(
			'  The node POSTed this notice to its Notify URL (in real life a Slack/Discord/Mattermost webhook):',
			indent(text),
			'',
		);
	} else if (item.notification && !item.notification.sent) {
		lines.push(
			`  The notice to the Notify URL failed: ${item.notification.error ?? 'unknown error'}`,
			'',
		);
	}
	lines.push(
		`  ${bold('1.')} Open the authorization page (the node's resume URL):`,
		`       ${bold(item.authorization_url)}`,
		`  ${bold('2.')} Press ${bold('Connect')}: it opens the consent page (connect_url) in a new tab, where you press ${bold('Allow')}:`,
		`       ${item.connect_url}`,
		`  ${bold('3.')} Back on the authorization page the run continues by itself within seconds (or press ${bold('Continue')}).`,
		'',
		'  The waiting execution in the n8n editor (Executions tab):',
		`       ${executionUrl(env, executionId)}`,
		`       log in as ${bold(OWNER.email)} / ${bold(OWNER.password)}`,
		'',
	);
	process.stdout.write(`${lines.join('\n')}\n`);
	if (!auto) say(`waiting for your consent (Ctrl-C stops n8n and the emulator)...`);
}

function firstLines(text: string, count: number): string {
	const lines = text.split('\n');
	return lines.length > count ? `${lines.slice(0, count).join('\n')}\n...` : text;
}

function describeArguments(args: unknown): string {
	const text = JSON.stringify(args ?? {});
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function printResult(item: CompletionItem, chat: CapturedRequest | undefined, dedalusNode: string) {
	const content =
		typeof item.content === 'string' ? item.content : JSON.stringify(item.content, null, 2);
	const usage = item.usage?.total_tokens !== undefined ? `, ${item.usage.total_tokens} tokens` : '';
	const lines = [
		'',
		bold(
			`  Summary (node "${dedalusNode}", model ${item.model ?? '?'}${usage}, finish reason ${item.finish_reason ?? '?'}):`,
		),
		indent(content),
		'',
		bold('  MCP tool calls Dedalus made for it:'),
	];
	const calls = item.mcp_tool_results ?? [];
	if (calls.length === 0) lines.push('    (none reported)');
	const width = Math.max(...calls.map((call) => `${call.server_name} ${call.tool_name}`.length), 0);
	for (const call of calls) {
		const name = `${call.server_name} ${call.tool_name}`.padEnd(width);
		lines.push(
			`    ${name}  ${String(call.duration_ms).padStart(5)} ms  ${call.is_error ? 'ERROR' : 'ok   '}  ${dim(describeArguments(call.arguments))}`,
		);
	}
	const errors = Object.keys(item.mcp_server_errors ?? {});
	if (errors.length > 0) lines.push(`    MCP servers that failed: ${errors.join(', ')}`);
	if (chat) {
		const node = new URL(chat.url, 'http://x').searchParams.get('node') ?? 'the message node';
		const text = (chat.json as { text?: unknown } | undefined)?.text;
		const shown = typeof text === 'string' ? firstLines(text, 3) : firstLines(chat.body, 3);
		lines.push(
			'',
			bold(`  "${node}" POSTed {"text": ...} to the chat webhook (the demo's listener):`),
			indent(shown),
		);
	}
	process.stdout.write(`${lines.join('\n')}\n\n`);
}

async function main(): Promise<number> {
	const args = parseArgs(process.argv.slice(2));
	const apiKey = process.env.DEDALUS_API_KEY?.trim();
	const realApi = apiKey
		? {
				apiKey,
				baseUrl: (process.env.DEDALUS_BASE_URL?.trim() || 'https://api.dedaluslabs.ai').replace(
					/\/+$/,
					'',
				),
			}
		: undefined;
	if (realApi && args.autoConsent) {
		process.stderr.write(
			"--auto-consent approves on the local emulator only: a real consent is a person's decision. Unset DEDALUS_API_KEY or drop --auto-consent.\n",
		);
		return 2;
	}
	const started = Date.now();

	let stopEnvironment: DemoEnvironment['stop'] | undefined;
	let exiting = false;
	const shutdown = (reason: string, code: number) => {
		if (exiting) {
			say('stopping right away');
			// The exit handler in n8n-runner/n8n.ts SIGKILLs n8n's process group.
			process.exit(code);
		}
		exiting = true;
		say(`${reason}: stopping n8n and the emulator...`);
		const done = stopEnvironment ? stopEnvironment({ keep: args.keep }) : Promise.resolve();
		done
			.catch(() => undefined)
			.finally(() => {
				say('stopped.');
				process.exit(code);
			});
	};
	process.on('SIGINT', () => shutdown('Ctrl-C', 130));
	process.on('SIGTERM', () => shutdown('SIGTERM', 143));
	process.on('SIGHUP', () => shutdown('SIGHUP', 129));
	if (args.autoConsent) {
		setTimeout(() => {
			process.stderr.write(
				`[demo] FAILED: the demo did not finish within ${AUTO_WATCHDOG_MS / 60_000} minutes\n`,
			);
			shutdown('watchdog', 1);
		}, AUTO_WATCHDOG_MS).unref();
	}

	let env: DemoEnvironment | undefined;
	try {
		env = await startDemoEnvironment({ realApi }, (stop) => (stopEnvironment = stop));
		const { summary, listener } = env;
		say(
			`running "${summary.name}" now, through the "${DEMO_TRIGGER_NAME}" webhook the demo added ${dim('(the example itself runs daily at 07:00)')}...`,
		);
		const runStarted = Date.now();
		const executionId = await startSummaryRun(env);
		const paused = await waitForExecution(env, executionId, isPausedOrDone, 60_000);

		let finished = paused;
		if (paused.status === 'waiting') {
			const item = waitingItem(paused, summary.dedalusNode);
			if (!item)
				throw new Error(
					`execution ${executionId} waits, but node "${summary.dedalusNode}" has no authorization_required item`,
				);
			const notice = await waitForPost(listener, '/notify', 15_000).catch(() => undefined);
			if (!notice && args.autoConsent)
				throw new Error('no notice reached the Notify URL within 15 s');
			say(`paused after ${seconds(runStarted)}`);
			printWaiting(env, executionId, item, notice, args.autoConsent);
			if (args.autoConsent) {
				say('--auto-consent: doing what a person does in the browser:');
				await withTimeout(
					'the consent steps',
					90_000,
					consentAsAPerson(item, (line) => say(`  ${line}`)),
				);
				finished = await waitForExecution(env, executionId, isDone, 60_000);
			} else {
				const reminder = setInterval(
					() => say(`still waiting for consent: open ${item.authorization_url}`),
					3 * 60_000,
				);
				try {
					finished = await waitForExecution(env, executionId, isDone);
				} finally {
					clearInterval(reminder);
				}
			}
		} else if (paused.status === 'success') {
			say('the run did not pause: this API key already had the consent it needed');
		}

		if (finished.status !== 'success') {
			throw new Error(
				`execution ${executionId} ended with status "${finished.status}": ${executionErrorMessage(finished)}`,
			);
		}
		const [item] = completionItems(finished, summary.dedalusNode);
		if (!item)
			throw new Error(
				`execution ${executionId} succeeded but node "${summary.dedalusNode}" has no completion`,
			);
		const chat = await waitForPost(listener, '/chat', 15_000).catch(() => undefined);
		say(
			`the run finished (execution ${executionId}, status "${finished.status}") ${dim(`${seconds(runStarted)} after it started`)}`,
		);
		printResult(item, chat, summary.dedalusNode);

		if (args.autoConsent) {
			// What CI relies on: a real answer, the Gmail tool call, and the message node's post.
			const problems: string[] = [];
			if (typeof item.content !== 'string' || item.content.trim() === '')
				problems.push('the summary is empty');
			if (
				!item.mcp_tool_results?.some(
					(call) => call.server_name === 'dedalus-labs/gmail' && !call.is_error,
				)
			) {
				problems.push('no successful dedalus-labs/gmail tool call was reported');
			}
			if (!chat) problems.push('the message node posted nothing to the chat webhook within 15 s');
			else if (
				typeof item.content === 'string' &&
				!chat.body.includes(JSON.stringify(item.content).slice(1, 40))
			) {
				problems.push('the chat post does not carry the summary');
			}
			if (problems.length > 0) throw new Error(problems.join('; '));
			say(
				`${bold('OK')}: consent, resume, summary and chat post all checked ${dim(`(${seconds(started)} including the n8n start)`)}`,
			);
			await env.stop({ keep: args.keep });
			if (args.keep) say(`kept ${env.tempDir}`);
			return 0;
		}

		process.stdout.write(
			[
				'  Look around while n8n keeps running:',
				`    the finished execution:  ${executionUrl(env, executionId)}`,
				`    all workflows:           ${env.n8n.editorUrl}/home/workflows   (login ${OWNER.email} / ${OWNER.password})`,
				`    ask the "Ask with tools" example: curl -s -X POST ${env.n8n.editorUrl}/webhook/ask -H 'content-type: application/json' -d '{"question":"What is MCP?"}'`,
				`    credential "${CREDENTIAL_NAME}" points at ${env.dedalusUrl}`,
				'',
				'',
			].join('\n'),
		);
		say('press Ctrl-C to stop n8n and the emulator');
		await new Promise<void>(() => {
			// Runs until a signal; the interval keeps the event loop alive even if nothing else does.
			setInterval(() => undefined, 60_000);
		});
		return 0;
	} catch (error) {
		// A signal (or the watchdog) is stopping everything, which is why this failed: shutdown() exits
		// once n8n, the emulator and the temp folder are gone, with its own code.
		if (exiting) return await new Promise<number>(() => undefined);
		process.stderr.write(`\n[demo] FAILED: ${(error as Error).message}\n`);
		if (env)
			process.stderr.write(
				`[demo] n8n log: ${env.n8n.logFile} (kept, with the n8n user folder, in ${env.tempDir})\n`,
			);
		exiting = true;
		await stopEnvironment?.({ keep: true }).catch(() => undefined);
		return 1;
	}
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		process.stderr.write(`[demo] FAILED: ${(error as Error)?.stack ?? String(error)}\n`);
		process.exit(1);
	},
);
