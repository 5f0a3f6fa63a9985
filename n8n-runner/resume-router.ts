import { createHash } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ResumeRouter {
	/** `http://127.0.0.1:<port>`: what a load balancer in front of the webhook processes would be. */
	url: string;
	/** Which backend a path goes to (index into the backends given). */
	backendFor(path: string): number;
	close(): Promise<void>;
}

/**
 * The deployment recipe of README "Scaling", as a tiny load balancer for tests: every request for
 * one execution's resume URL (`/webhook-waiting/<execution id>...`) goes to the same webhook
 * process, chosen by a hash of the execution id; anything else goes to the first backend. n8n's
 * per-process resume guard then sees every POST of a pause. (nginx does the same with
 * `hash $execution consistent` on a `map` of the URI.)
 */
export async function startResumeRouter(backends: string[]): Promise<ResumeRouter> {
	const backendFor = (path: string): number => {
		const executionId = /^\/webhook-waiting\/([^/?]+)/.exec(path)?.[1];
		if (!executionId) return 0;
		return createHash('sha256').update(executionId).digest().readUInt32BE(0) % backends.length;
	};
	const server = createServer((req, res) => {
		const target = new URL(backends[backendFor(req.url ?? '/')]);
		const upstream = httpRequest(
			{
				hostname: target.hostname,
				port: target.port,
				method: req.method,
				path: req.url,
				headers: { ...req.headers, host: target.host },
			},
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => {
			if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: 'resume router: backend failed' }));
		});
		req.pipe(upstream);
	});
	await new Promise<void>((resolveListen, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolveListen());
	});
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		backendFor,
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
		},
	};
}
