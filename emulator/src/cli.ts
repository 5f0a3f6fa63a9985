import { startEmulator } from './index';

function usage(message: string): never {
	process.stderr.write(
		`${message}\nusage: node emulator/dist/cli.js [--port <p>] [--latency <ms>]\n`,
	);
	process.exit(2);
}

function parseArgs(argv: string[]): { port: number; latencyMs: number } {
	let port = 4010;
	let latencyMs = 0;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const eq = arg.indexOf('=');
		const name = eq >= 0 ? arg.slice(0, eq) : arg;
		const value = () => (eq >= 0 ? arg.slice(eq + 1) : argv[++i]);
		if (name === '--port') {
			const v = Number(value());
			if (!Number.isInteger(v) || v < 0 || v > 65535)
				usage('--port needs a port number (0 = any free port)');
			port = v;
		} else if (name === '--latency') {
			const v = Number(value());
			if (!Number.isFinite(v) || v < 0)
				usage('--latency needs a non-negative number of milliseconds');
			latencyMs = v;
		} else if (name === '--help' || name === '-h') {
			process.stdout.write('usage: node emulator/dist/cli.js [--port <p>] [--latency <ms>]\n');
			process.exit(0);
		} else {
			usage(`unknown argument: ${arg}`);
		}
	}
	return { port, latencyMs };
}

async function main(): Promise<void> {
	const { port, latencyMs } = parseArgs(process.argv.slice(2));
	const emulator = await startEmulator({ port, host: '127.0.0.1', latencyMs });
	// Scripts wait for this exact line, so it must stay the first and only line on stdout.
	process.stdout.write(`listening on ${emulator.url}\n`);
	let stopping = false;
	const stop = () => {
		if (stopping) return;
		stopping = true;
		emulator.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
	process.stderr.write(`emulator failed to start: ${(err as Error)?.message ?? err}\n`);
	process.exit(1);
});
