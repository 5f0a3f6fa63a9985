// The emulator in a process of its own, so its CPU never counts as the benchmark's or n8n's.
// Prints `listening on <url>` once, then serves until SIGTERM.
import { startEmulator } from '../../emulator/src';

async function main() {
	const latencyMs = Number(process.argv[2] ?? 0);
	const emulator = await startEmulator({ port: 0, host: '127.0.0.1', latencyMs });
	process.stdout.write(`listening on ${emulator.url}\n`);
	const stop = () => void emulator.close().then(() => process.exit(0));
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	// Gone with the parent, even if the parent is killed without a chance to stop us.
	process.on('disconnect', stop);
}

main().catch((error: unknown) => {
	process.stderr.write(`emulator failed: ${String(error)}\n`);
	process.exit(1);
});
