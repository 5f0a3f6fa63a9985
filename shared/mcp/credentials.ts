import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { NodeOperationError } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';

import { fetchEncryptionKey } from '../transport';
import type { DedalusClient, DedalusContext } from '../transport';
import { mcpServerLabel, mcpServerRef } from './servers';
import type { McpServerEntry } from './servers';

/** The credential type that holds the secret of an API-key MCP server (README, MCP server credentials). */
export const MCP_CREDENTIAL_TYPE = 'dedalusMcpCredentialsApi';

/**
 * What the Dedalus enclave decrypts: the API-key credential envelope of `dedalus_mcp`
 * (`SecretValues.values_for_encryption()`), field for field and in this order.
 */
interface ApiKeyEnvelope {
	type: 'api_key';
	api_key: string;
	header_name: string;
	header_template: string;
	provider_metadata: { base_url: string } | null;
}

export interface McpCredential {
	/** The slug (no version) or URL of the MCP server the secret belongs to. */
	server: string;
	connectionName: string;
	envelope: ApiKeyEnvelope;
}

// The envelope of the SDKs (Python `lib/crypto/encryption.py`, TypeScript `lib/crypto/encryption.ts`):
// version byte || RSA-OAEP-SHA256(AES key) || 12-byte nonce || AES-256-GCM ciphertext and 16-byte tag, base64url.
const ENVELOPE_VERSION = 0x01;
const NONCE_BYTES = 12;
const AES_KEY_BYTES = 32;

const SLUG = /^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/;

/** `owner/name` -> `owner-name`, the SDKs' `slug_to_connection_name`. */
export function connectionNameOf(slug: string): string {
	return slug.replace(/\//g, '-');
}

/** Python's `json.dumps(value, separators=(",", ":"))`: compact, non-ASCII escaped as \uXXXX. */
function pythonJson(value: unknown): string {
	return JSON.stringify(value).replace(
		/[\u007f-\uffff]/g,
		(char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}

/** One encrypted blob, byte for byte the SDKs' `encrypt_credentials(public_key, values)`. */
export function encryptCredential(publicKey: KeyObject, values: object): string {
	const plaintext = Buffer.from(pythonJson(values), 'utf8');
	const aesKey = randomBytes(AES_KEY_BYTES);
	const nonce = randomBytes(NONCE_BYTES);
	const wrappedKey = publicEncrypt(
		{ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
		aesKey,
	);
	const cipher = createCipheriv('aes-256-gcm', aesKey, nonce);
	const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
	return Buffer.concat([Buffer.from([ENVELOPE_VERSION]), wrappedKey, nonce, ciphertext]).toString(
		'base64url',
	);
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

/** The selected credential, checked. Messages name fields, never their values. */
export function readMcpCredential(
	node: INode,
	data: ICredentialDataDecryptedObject,
	itemIndex: number,
): McpCredential {
	const fail = (problem: string): never => {
		throw new NodeOperationError(node, `The MCP server credential ${problem}`, {
			itemIndex,
			description: 'Open the Dedalus MCP Server credential selected on this node and fix it.',
		});
	};
	const server = text(data.server).replace(/@[^/]*$/, '');
	if (!SLUG.test(server) && !/^https:\/\/\S+$/.test(server)) {
		fail('needs an MCP Server: a marketplace slug (owner/name) or an https:// URL');
	}
	const connectionName =
		text(data.connectionName) || (SLUG.test(server) ? connectionNameOf(server) : '');
	if (!connectionName) fail('needs a Connection Name when the MCP Server is a URL');
	const apiKey = typeof data.apiKey === 'string' ? data.apiKey : '';
	if (apiKey === '') fail('has an empty API Key');
	const headerName = text(data.headerName) || 'Authorization';
	const headerTemplate = text(data.headerTemplate) || 'Bearer {api_key}';
	if (!headerTemplate.includes('{api_key}')) fail('has a Header Format without {api_key}');
	const baseUrl = text(data.providerBaseUrl);
	return {
		server,
		connectionName,
		envelope: {
			type: 'api_key',
			api_key: apiKey,
			header_name: headerName,
			header_template: headerTemplate,
			provider_metadata: baseUrl ? { base_url: baseUrl } : null,
		},
	};
}

/**
 * The `mcp_servers` list with the blob on the entry it belongs to, in object form
 * (`{slug|url, version?, name, credentials: {connection_name: blob}}`), as the SDKs embed it;
 * the other entries stay as they were. Undefined when no entry is the credential's server.
 */
export function withCredential(
	servers: McpServerEntry[],
	server: string,
	connectionName: string,
	blob: string,
): McpServerEntry[] | undefined {
	let found = false;
	const result = servers.map((entry): McpServerEntry => {
		if (mcpServerRef(entry) !== server) return entry;
		found = true;
		const wire =
			typeof entry === 'string' ? (SLUG.test(entry) ? { slug: entry } : { url: entry }) : entry;
		return {
			...wire,
			name: wire.name ?? mcpServerRef(entry),
			credentials: { [connectionName]: blob },
		};
	});
	return found ? result : undefined;
}

/**
 * Encrypts the selected MCP server credential into the requests of one run. The public key is
 * fetched once per run, before anything is sent, and shared by every item.
 */
export class McpCredentialSealer {
	private publicKey?: Promise<KeyObject>;

	constructor(
		private readonly context: DedalusContext,
		private readonly client: DedalusClient,
	) {}

	/** The item's `mcp_servers` with the secret embedded, or an item error. */
	async seal(servers: McpServerEntry[], itemIndex: number): Promise<McpServerEntry[]> {
		const node = this.context.getNode();
		const data = await this.context.getCredentials(MCP_CREDENTIAL_TYPE, itemIndex);
		const credential = readMcpCredential(node, data, itemIndex);
		const known = servers.map(mcpServerLabel);
		if (
			!known.some(
				(label) => label === credential.server || label.startsWith(`${credential.server}@`),
			)
		) {
			throw new NodeOperationError(
				node,
				`The MCP server credential is for ${credential.server}, which is not among the MCP Servers of item ${itemIndex}`,
				{
					itemIndex,
					description: `MCP Servers: ${known.join(', ') || '(none)'}. Add ${credential.server} there, or turn off Use MCP Server Credential.`,
				},
			);
		}
		this.publicKey ??= fetchEncryptionKey(this.context, this.client.authServerUrl);
		let publicKey: KeyObject;
		try {
			publicKey = await this.publicKey;
		} catch (error) {
			throw new NodeOperationError(
				node,
				`Could not get the Dedalus encryption key for MCP server credentials: ${(error as Error).message}`,
				{
					itemIndex,
					description:
						'Nothing was sent. Check the Authorization Server URL in the Dedalus credential and the network between n8n and it.',
				},
			);
		}
		const blob = encryptCredential(publicKey, credential.envelope);
		return withCredential(
			servers,
			credential.server,
			credential.connectionName,
			blob,
		) as McpServerEntry[];
	}
}
