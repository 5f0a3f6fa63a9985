// Starts the emulator child process and talks to its /__emulator controls.
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

export interface EmulatorStats {
	inFlight: number;
	maxInFlight: number;
	total: number;
}

export class EmulatorProcess {
	private constructor(
		readonly url: string,
		readonly pid: number,
		private readonly child: ChildProcess,
	) {}

	static async start(latencyMs: number): Promise<EmulatorProcess> {
		const child = fork(join(__dirname, 'emulator-child.js'), [String(latencyMs)], {
			stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
		});
		const url = await new Promise<string>((resolve, reject) => {
			let out = '';
			child.stdout?.on('data', (chunk: Buffer) => {
				out += chunk.toString();
				const match = /listening on (\S+)/.exec(out);
				if (match) resolve(match[1]);
			});
			child.once('exit', (code) => reject(new Error(`emulator exited with code ${code}`)));
		});
		return new EmulatorProcess(url, child.pid as number, child);
	}

	private async admin<T>(path: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.url}/__emulator/${path}`, {
			method: body === undefined ? 'GET' : 'POST',
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`emulator ${path}: HTTP ${res.status} ${text}`);
		return JSON.parse(text) as T;
	}

	/** Stats, log and counters back to zero; latency to the start value, content size to 0. */
	async reset(): Promise<void> {
		await this.admin('reset', {});
	}

	async setLatency(ms: number): Promise<void> {
		await this.admin('latency', { ms });
	}

	/** Tool-loop pricing: per model turn and per MCP tool call (emulator/src/turns.ts). */
	async setTurns(modelTurnMs: number, toolCallMs: number): Promise<void> {
		await this.admin('turns', { modelTurnMs, toolCallMs });
	}

	async grantConsent(server: string, apiKey: string): Promise<void> {
		await this.admin('consent', { server, apiKey, granted: true });
	}

	async setContentBytes(bytes: number): Promise<void> {
		await this.admin('content-size', { bytes });
	}

	async stats(): Promise<EmulatorStats> {
		return await this.admin<EmulatorStats>('stats');
	}

	/** TCP connections the emulator accepted since the last reset (this client's control calls included). */
	async connections(): Promise<number> {
		return (await this.admin<{ opened: number }>('connections')).opened;
	}

	/** The emulator's request log since the last reset: arrival time and duration of each request. */
	async requests(
		path: string,
	): Promise<Array<{ time: string; durationMs: number; status: number; mcpToolsRun?: string[] }>> {
		const { requests } = await this.admin<{
			requests: Array<{ time: string; durationMs: number; status: number; mcpToolsRun?: string[] }>;
		}>(`requests?path=${encodeURIComponent(path)}`);
		return requests;
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		this.child.kill('SIGTERM');
		await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
		if (this.child.exitCode === null) this.child.kill('SIGKILL');
	}
}
