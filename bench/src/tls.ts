// A throwaway certificate authority and a server certificate for 127.0.0.1, made with the
// `openssl` CLI in a temporary folder: the latency proxy serves HTTPS with it and only the
// benchmark's n8n trusts it (NODE_EXTRA_CA_CERTS in its environment), so a benchmark over
// HTTPS pays real TLS handshakes without touching the machine's trust store.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayTls {
	/** PEM file of the CA, for NODE_EXTRA_CA_CERTS. */
	caFile: string;
	ca: string;
	key: string;
	cert: string;
	remove(): void;
}

export function makeThrowawayTls(): ThrowawayTls {
	const dir = mkdtempSync(join(tmpdir(), 'bench-tls-'));
	const file = (name: string) => join(dir, name);
	const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
	openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('ca.key'));
	openssl(
		'req',
		'-x509',
		'-new',
		'-key',
		file('ca.key'),
		'-sha256',
		'-days',
		'2',
		'-subj',
		'/CN=n8n-nodes-dedalus bench throwaway CA',
		'-out',
		file('ca.pem'),
	);
	openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('server.key'));
	openssl(
		'req',
		'-new',
		'-key',
		file('server.key'),
		'-subj',
		'/CN=127.0.0.1',
		'-out',
		file('server.csr'),
	);
	writeFileSync(
		file('server.ext'),
		'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
	);
	openssl(
		'x509',
		'-req',
		'-in',
		file('server.csr'),
		'-CA',
		file('ca.pem'),
		'-CAkey',
		file('ca.key'),
		'-CAcreateserial',
		'-days',
		'2',
		'-sha256',
		'-extfile',
		file('server.ext'),
		'-out',
		file('server.pem'),
	);
	return {
		caFile: file('ca.pem'),
		ca: readFileSync(file('ca.pem'), 'utf8'),
		key: readFileSync(file('server.key'), 'utf8'),
		cert: readFileSync(file('server.pem'), 'utf8'),
		remove: () => rmSync(dir, { recursive: true, force: true }),
	};
}
