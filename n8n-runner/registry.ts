// A local npm registry for the install tests (docs/installing.md): verdaccio (a pinned
// devDependency) in a temp folder, offline (no uplinks: it serves only what was published to it),
// and an HTTPS stand-in for registry.npmjs.org in front of it that only the processes a test starts
// can reach, through their environment (`env` below). Nothing system-wide changes: no /etc/hosts,
// no system CA store.
//
// Why a stand-in: n8n 2.41 installs a community package from https://registry.npmjs.org only;
// N8N_COMMUNITY_PACKAGES_REGISTRY needs an enterprise licence (500 "Your license does not allow
// for feat:communityNodes:customRegistry"). So the public name has to reach the local registry:
//   - a throwaway certificate authority and a certificate for registry.npmjs.org (openssl CLI);
//   - a forward proxy on 127.0.0.1 (HTTPS_PROXY for these processes) that tunnels
//     CONNECT registry.npmjs.org:443 into a TLS server with that certificate, and answers
//     absolute-form requests for https://registry.npmjs.org/... (what axios sends to a proxy) the
//     same way; both pass the request on to verdaccio with Host: registry.npmjs.org and
//     X-Forwarded-Proto: https, so its metadata names https://registry.npmjs.org/... tarballs;
//   - every other host is refused at once (403), as an offline machine would: n8n's
//     POST https://api.n8n.io/api/package per install then fails immediately instead of waiting.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, mkdtempSync, mkdirSync } from 'node:fs';
import {
	createServer as createHttpServer,
	request as httpRequest,
	type IncomingMessage,
	type OutgoingHttpHeaders,
	type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO_ROOT, ensureArtifactsDir } from './install';
import { freePort } from './n8n';
import { spawnServer, stopServer, waitForLine } from './services';

/** The registry n8n (and npm by default) installs from; the stand-in answers for this name. */
export const PUBLIC_REGISTRY_HOST = 'registry.npmjs.org';
export const PUBLIC_REGISTRY_URL = `https://${PUBLIC_REGISTRY_HOST}/`;

/** One request for https://registry.npmjs.org that the stand-in passed on to verdaccio. */
export interface RegistryRequest {
	method: string;
	/** Path and query, e.g. `/n8n-nodes-dedalus` or `/n8n-nodes-dedalus/-/n8n-nodes-dedalus-0.1.0.tgz`. */
	url: string;
	status: number;
}

export interface LocalRegistry {
	/** verdaccio itself: `http://127.0.0.1:<port>/` (what a publish goes to). */
	url: string;
	/** An npm userconfig with a token that may publish to `url` (npm --userconfig). */
	publishUserconfig: string;
	/**
	 * Environment for a process that should find the local registry under the public name: the
	 * proxy (HTTPS_PROXY and npm's https-proxy), the CA (NODE_EXTRA_CA_CERTS and npm's cafile), an
	 * empty npm userconfig and a fresh npm cache in the temp folder (so the machine's ~/.npmrc and
	 * cached tarballs play no part), and NO_PROXY for loopback (n8n's calls to a local emulator).
	 */
	env: Record<string, string>;
	/**
	 * Requests that reached the local registry under the public name so far (everything the
	 * processes started with `env` asked registry.npmjs.org), oldest first.
	 */
	requests(): RegistryRequest[];
	/** `host:port` of every CONNECT and `origin` of every proxied request the stand-in refused. */
	refused(): string[];
	/** verdaccio's log (JSON lines). */
	logFile: string;
	/** Stops verdaccio and the stand-in and removes the temp folder. */
	stop(): Promise<void>;
}

function stamp() {
	return new Date().toISOString().replace(/[:.]/g, '-');
}

/** A CA and a registry.npmjs.org server certificate signed by it, written into `dir`. */
function makeCertificates(dir: string): { caFile: string; key: Buffer; cert: Buffer } {
	const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
	const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
	ssl([
		'req',
		'-x509',
		...ec,
		'-keyout',
		'ca.key',
		'-out',
		'ca.pem',
		'-days',
		'2',
		'-subj',
		'/CN=n8n-nodes-dedalus throwaway test CA',
		'-addext',
		'basicConstraints=critical,CA:TRUE',
		'-addext',
		'keyUsage=critical,keyCertSign,cRLSign',
	]);
	ssl([
		'req',
		...ec,
		'-keyout',
		'server.key',
		'-out',
		'server.csr',
		'-subj',
		`/CN=${PUBLIC_REGISTRY_HOST}`,
	]);
	writeFileSync(
		join(dir, 'server.ext'),
		[
			`subjectAltName=DNS:${PUBLIC_REGISTRY_HOST}`,
			'basicConstraints=CA:FALSE',
			'keyUsage=critical,digitalSignature',
			'extendedKeyUsage=serverAuth',
		].join('\n'),
	);
	ssl([
		'x509',
		'-req',
		'-in',
		'server.csr',
		'-CA',
		'ca.pem',
		'-CAkey',
		'ca.key',
		'-CAcreateserial',
		'-out',
		'server.pem',
		'-days',
		'2',
		'-extfile',
		'server.ext',
	]);
	return {
		caFile: join(dir, 'ca.pem'),
		key: readFileSync(join(dir, 'server.key')),
		cert: readFileSync(join(dir, 'server.pem')),
	};
}

/** Passes one request on to verdaccio as a request for https://registry.npmjs.org. */
function forwardToVerdaccio(
	port: number,
	req: IncomingMessage,
	res: ServerResponse,
	path: string,
	served: RegistryRequest[],
) {
	const headers: OutgoingHttpHeaders = {
		...req.headers,
		host: PUBLIC_REGISTRY_HOST,
		'x-forwarded-proto': 'https',
	};
	// Absolute-form requests carry proxy headers that are not verdaccio's business.
	delete headers['proxy-connection'];
	delete headers['proxy-authorization'];
	const upstream = httpRequest(
		{
			host: '127.0.0.1',
			port,
			method: req.method,
			path,
			headers,
		},
		(answer) => {
			served.push({ method: req.method ?? 'GET', url: path, status: answer.statusCode ?? 502 });
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
		},
	);
	upstream.on('error', (error) => {
		if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
		res.end(`stand-in: verdaccio did not answer: ${error.message}`);
	});
	req.pipe(upstream);
}

/** Starts verdaccio and the registry.npmjs.org stand-in in a fresh temp folder. */
export async function startLocalRegistry(): Promise<LocalRegistry> {
	const dir = mkdtempSync(join(tmpdir(), 'dedalus-registry-'));
	const logFile = join(ensureArtifactsDir(), `registry-${stamp()}.log`);
	const port = await freePort();
	const url = `http://127.0.0.1:${port}/`;
	// Offline: no uplinks, so a name that was not published here is a 404, never a download.
	writeFileSync(
		join(dir, 'config.yaml'),
		[
			`storage: ${join(dir, 'storage')}`,
			'auth:',
			'  htpasswd:',
			`    file: ${join(dir, 'htpasswd')}`,
			'uplinks: {}',
			'packages:',
			"  '**':",
			'    access: $all',
			'    publish: $authenticated',
			'    unpublish: $authenticated',
			'log: { type: stdout, format: json, level: http }',
			'',
		].join('\n'),
	);
	const server = spawnServer(
		process.execPath,
		[
			join(REPO_ROOT, 'node_modules', 'verdaccio', 'bin', 'verdaccio'),
			'--config',
			join(dir, 'config.yaml'),
			'--listen',
			`127.0.0.1:${port}`,
		],
		logFile,
	);
	const refusedTargets: string[] = [];
	const served: RegistryRequest[] = [];
	let proxy: ReturnType<typeof createHttpServer> | undefined;
	const stop = async () => {
		proxy?.closeAllConnections();
		await new Promise<void>((resolve) =>
			proxy?.listening ? proxy.close(() => resolve()) : resolve(),
		);
		await stopServer(server.child, server.exited, server.hasExited, 'SIGTERM');
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		await waitForLine('verdaccio', logFile, /http address/, server.hasExited);

		// A user whose token may publish (verdaccio creates it on this first PUT).
		const user = { name: 'dedalus-e2e', password: `e2e-${Date.now()}` };
		const created = await fetch(`${url}-/user/org.couchdb.user:${user.name}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(user),
		});
		const { token } = (await created.json()) as { token?: string };
		if (!created.ok || !token) throw new Error(`verdaccio: no user token (HTTP ${created.status})`);
		const publishUserconfig = join(dir, 'publish.npmrc');
		writeFileSync(publishUserconfig, `//127.0.0.1:${port}/:_authToken=${token}\n`);

		const { caFile, key, cert } = makeCertificates(dir);
		const tls = createHttpsServer({ key, cert }, (req, res) =>
			forwardToVerdaccio(port, req, res, req.url ?? '/', served),
		);
		proxy = createHttpServer((req, res) => {
			// Absolute-form request (`GET https://registry.npmjs.org/x HTTP/1.1`), as axios sends them.
			let target: URL | undefined;
			try {
				target = new URL(req.url ?? '');
			} catch {
				target = undefined;
			}
			if (target?.protocol === 'https:' && target.host === PUBLIC_REGISTRY_HOST) {
				forwardToVerdaccio(port, req, res, `${target.pathname}${target.search}`, served);
				return;
			}
			refusedTargets.push(target?.origin ?? String(req.url));
			res.writeHead(403, { 'content-type': 'text/plain' }).end('stand-in: offline');
		});
		proxy.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
			if (req.url !== `${PUBLIC_REGISTRY_HOST}:443`) {
				refusedTargets.push(String(req.url));
				socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
				return;
			}
			socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length) socket.unshift(head);
			tls.emit('connection', socket);
		});
		const proxyPort = await freePort();
		await new Promise<void>((resolve, reject) => {
			proxy?.once('error', reject);
			proxy?.listen(proxyPort, '127.0.0.1', () => resolve());
		});
		const proxyUrl = `http://127.0.0.1:${proxyPort}`;
		const npmDir = join(dir, 'npm');
		mkdirSync(join(npmDir, 'cache'), { recursive: true });
		writeFileSync(join(npmDir, 'npmrc'), '');
		const noProxy = '127.0.0.1,localhost,::1';
		const env = {
			HTTPS_PROXY: proxyUrl,
			https_proxy: proxyUrl,
			NO_PROXY: noProxy,
			no_proxy: noProxy,
			NODE_EXTRA_CA_CERTS: caFile,
			npm_config_https_proxy: proxyUrl,
			npm_config_noproxy: noProxy,
			npm_config_cafile: caFile,
			npm_config_registry: PUBLIC_REGISTRY_URL,
			npm_config_userconfig: join(npmDir, 'npmrc'),
			npm_config_cache: join(npmDir, 'cache'),
			npm_config_update_notifier: 'false',
			npm_config_audit: 'false',
			npm_config_fund: 'false',
		};

		return {
			url,
			publishUserconfig,
			env,
			logFile,
			requests: () => [...served],
			refused: () => [...refusedTargets],
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

export interface PublishedPackage {
	name: string;
	version: string;
	/** How long scripts/publish.sh took (its checks, unless .ci/run already ran them, and the publish). */
	seconds: number;
	/** scripts/publish.sh's output. */
	logFile: string;
}

/**
 * Publishes this package to the local registry by the path a release takes, minus provenance:
 * `bash scripts/publish.sh --registry <verdaccio>` (build, lint, tests, pack check, scanner, then
 * npm publish). Asynchronous on purpose: the stand-in answers from this process.
 */
export async function publishToLocalRegistry(registry: LocalRegistry): Promise<PublishedPackage> {
	const { name, version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
		name: string;
		version: string;
	};
	const logFile = join(ensureArtifactsDir(), `publish-${stamp()}.log`);
	const started = Date.now();
	const output = await new Promise<string>((resolve, reject) =>
		execFile(
			'bash',
			[
				join(REPO_ROOT, 'scripts', 'publish.sh'),
				'--registry',
				registry.url,
				'--userconfig',
				registry.publishUserconfig,
			],
			// jest's NODE_ENV=test must not reach the package's own jest run (`npm test`).
			{ cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: undefined }, maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) => {
				const text = `${stdout}${stderr}`;
				writeFileSync(logFile, text);
				if (error)
					reject(new Error(`scripts/publish.sh failed (see ${logFile}):\n${text.slice(-3000)}`));
				else resolve(text);
			},
		),
	);
	if (!output.includes(`+ ${name}@${version}`)) {
		throw new Error(
			`scripts/publish.sh did not report publishing ${name}@${version} (see ${logFile})`,
		);
	}
	return { name, version, seconds: (Date.now() - started) / 1000, logFile };
}
