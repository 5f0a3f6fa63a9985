import {
	constants,
	createDecipheriv,
	createHash,
	generateKeyPairSync,
	privateDecrypt,
	randomUUID,
	type KeyObject,
} from 'crypto';

import { isPlainObject } from './http';

/**
 * The authorization server's side of MCP server credentials: an RSA key pair whose public half is
 * published as a JWKS (`use: "enc"`, next to a signing key the client must skip), and the
 * decryption of the SDKs' envelope: version 1 || RSA-OAEP-SHA256(AES key) || 12-byte nonce ||
 * AES-256-GCM ciphertext with its 16-byte tag, base64url (Python SDK `lib/crypto/encryption.py`).
 */
export class EncryptionKeys {
	private keys?: { encPublic: KeyObject; encPrivate: KeyObject; sigPublic: KeyObject; kid: string };

	private get pair() {
		if (!this.keys) {
			const enc = generateKeyPairSync('rsa', { modulusLength: 2048 });
			const sig = generateKeyPairSync('rsa', { modulusLength: 2048 });
			this.keys = {
				encPublic: enc.publicKey,
				encPrivate: enc.privateKey,
				sigPublic: sig.publicKey,
				kid: `enc-${randomUUID().slice(0, 8)}`,
			};
		}
		return this.keys;
	}

	jwks(): { keys: Array<Record<string, unknown>> } {
		const { encPublic, sigPublic, kid } = this.pair;
		return {
			keys: [
				{ ...sigPublic.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'sig-1' },
				{ ...encPublic.export({ format: 'jwk' }), use: 'enc', alg: 'RSA-OAEP-256', kid },
			],
		};
	}

	/** The decrypted envelope as JSON, or undefined when this key cannot open it. */
	open(blob: string): Record<string, unknown> | undefined {
		try {
			const envelope = Buffer.from(blob, 'base64url');
			const wrappedBytes = (this.pair.encPublic.asymmetricKeyDetails?.modulusLength ?? 2048) / 8;
			if (envelope[0] !== 1 || envelope.length < 1 + wrappedBytes + 12 + 16) return undefined;
			const aesKey = privateDecrypt(
				{
					key: this.pair.encPrivate,
					padding: constants.RSA_PKCS1_OAEP_PADDING,
					oaepHash: 'sha256',
				},
				envelope.subarray(1, 1 + wrappedBytes),
			);
			const nonce = envelope.subarray(1 + wrappedBytes, 1 + wrappedBytes + 12);
			const sealed = envelope.subarray(1 + wrappedBytes + 12);
			const decipher = createDecipheriv('aes-256-gcm', aesKey, nonce);
			decipher.setAuthTag(sealed.subarray(sealed.length - 16));
			const plain = Buffer.concat([
				decipher.update(sealed.subarray(0, sealed.length - 16)),
				decipher.final(),
			]);
			const value: unknown = JSON.parse(plain.toString('utf8'));
			return isPlainObject(value) ? value : undefined;
		} catch {
			return undefined;
		}
	}
}

/** What the request log shows of a credential check: never the secret, only a short fingerprint. */
export interface CredentialCheck {
	server: string;
	connection: string;
	status: 'ok' | 'missing' | 'undecryptable' | 'not_api_key';
	/** First 16 hex chars of sha256(api_key): tests compare it to the secret they configured. */
	keyFingerprint?: string;
	headerName?: string;
}

export function fingerprint(secret: string): string {
	return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/** Opens the blob stored under `connection` in an `mcp_servers` entry's `credentials`. */
export function checkCredential(
	keys: EncryptionKeys,
	server: string,
	connection: string,
	credentials: Record<string, unknown> | undefined,
): CredentialCheck {
	const blob = credentials?.[connection];
	if (typeof blob !== 'string') return { server, connection, status: 'missing' };
	const envelope = keys.open(blob);
	if (!envelope) return { server, connection, status: 'undecryptable' };
	if (envelope.type !== 'api_key' || typeof envelope.api_key !== 'string' || !envelope.api_key) {
		return { server, connection, status: 'not_api_key' };
	}
	return {
		server,
		connection,
		status: 'ok',
		keyFingerprint: fingerprint(envelope.api_key),
		...(typeof envelope.header_name === 'string' ? { headerName: envelope.header_name } : {}),
	};
}
