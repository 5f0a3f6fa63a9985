import { createServer, type Server } from 'http';
import type { AddressInfo, Socket } from 'net';

import type { RequestLogEntry } from './log';
import { createHandler } from './server';
import type { ConsentBodyShape } from './consent';
import { EmulatorState } from './state';

export type { RequestLogEntry } from './log';
export type { Fault } from './faults';
export type { ConsentBodyShape } from './consent';
export { serverIdOf } from './consent';
// Fixtures for tests of the media operations: a PDF with known text per page, a WAV that
// transcribes as a given text.
export { makePdf } from './pdf-fixture';
export { servedFile, SERVED_FILES_PATH } from './served-files';
export { markedWav, TRANSCRIPT_MARKER } from './audio';

export interface EmulatorOptions {
	/** 0 (the default here) picks a free port. */
	port?: number;
	host?: string;
	/** Added before every /v1 answer; POST /__emulator/latency changes it later. */
	latencyMs?: number;
	/** How a consent 401 reads; the real API's `oauth_required` body by default. */
	consentBody?: ConsentBodyShape;
}

export interface Emulator {
	/** http://127.0.0.1:<port>, no trailing slash, no /v1 (every path carries its own). */
	url: string;
	port: number;
	close(): Promise<void>;
	/** Same as POST /__emulator/reset. */
	reset(): void;
	requests(): RequestLogEntry[];
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	const host = options.host ?? '127.0.0.1';
	const state = new EmulatorState(options.latencyMs ?? 0, options.consentBody);
	let base = '';
	const server: Server = createServer(createHandler(state, () => base));
	// Benchmarks open many keep-alive sockets; keep them, but make close() fast and complete.
	server.keepAliveTimeout = 10_000;
	const sockets = new Set<Socket>();
	server.on('connection', (s: Socket) => {
		state.connectionsOpened++;
		sockets.add(s);
		s.once('close', () => sockets.delete(s));
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;
	const urlHost =
		host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
	base = `http://${urlHost}:${port}`;

	let closing: Promise<void> | undefined;
	return {
		url: base,
		port,
		close() {
			closing ??= new Promise<void>((resolve) => {
				server.close(() => resolve());
				for (const s of sockets) s.destroy();
			});
			return closing;
		},
		reset() {
			state.reset();
		},
		requests() {
			return state.log.list();
		},
	};
}
