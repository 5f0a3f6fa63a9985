/**
 * The media section's memory sample (bench/src/profiler.ts liveMemory) against a real Node process
 * through its inspector: a process that keeps 32 MB alive and, once told to, makes 1 MB strings in
 * long synchronous stretches and drops each at once (as the OCR node's base64 pieces are). While
 * it does, every sample must still read what it read while the process was idle: the live memory,
 * not the garbage made between a garbage collection and the read.
 */
import { type ChildProcess, spawn } from 'node:child_process';

import { INSPECTOR_NODE_OPTIONS, InspectorProfiler } from '../../bench/src/profiler';

const MB = 1024 * 1024;

const PROCESS = `
const kept = Buffer.alloc(32 * ${MB}, 1);
const piece = Buffer.alloc(786432, 7);
let made = 0;
function stretch() {
	const end = Date.now() + 200;
	while (Date.now() < end) made += piece.toString('base64').length > 0 ? 1 : 0;
	setImmediate(stretch);
}
process.stdin.once('data', () => {
	stretch();
	console.error('busy');
});
setTimeout(() => process.exit(kept.length > 0 && made > 0 ? 0 : 1), 60000);
console.error('ready');
`;

describe('bench media: live memory samples through the inspector', () => {
	let child: ChildProcess;
	let output = '';
	const printed = (word: string) =>
		new Promise<void>((resolve) => {
			const check = () => output.includes(word) && resolve();
			child.stderr?.on('data', check);
			check();
		});

	beforeAll(async () => {
		child = spawn(process.execPath, [INSPECTOR_NODE_OPTIONS, '-e', PROCESS], {
			stdio: ['pipe', 'ignore', 'pipe'],
		});
		child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		// SIGUSR1 before Node has set up its handler would end the process.
		await printed('ready');
	});

	afterAll(() => {
		child.kill();
	});

	it('reads what is alive, in one step, while the process makes garbage', async () => {
		const inspector = await InspectorProfiler.attach(child.pid as number, () => output);
		try {
			const idle = await inspector.liveMemory();
			expect(idle.arrayBuffers).toBeGreaterThanOrEqual(32 * MB);
			child.stdin?.write('go\n');
			await printed('busy');
			for (let i = 0; i < 8; i++) {
				const busy = await inspector.liveMemory();
				// At most the one piece being made is alive besides what the idle process held.
				expect((busy.external - idle.external) / MB).toBeLessThan(1.5);
				expect(busy.at).toBeGreaterThan(idle.at);
			}
		} finally {
			inspector.close();
		}
	});
});
