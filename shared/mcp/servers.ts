import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

// Marketplace slug `owner/name`, optionally `@version` (docs/dedalus-api.md), or an https URL.
const SLUG = /^([A-Za-z0-9_-]+\/[A-Za-z0-9_-]+)(?:@([A-Za-z0-9._-]+))?$/;

/**
 * One `mcp_servers` entry as it goes on the wire. A pinned version travels as an object, as the
 * newest Python SDK sends it (`lib/mcp/wire.py`); the object form also carries encrypted
 * credentials (shared/mcp/credentials.ts).
 */
export type McpServerEntry =
	| string
	| { slug: string; version?: string; name?: string; credentials?: Record<string, string> }
	| { url: string; name?: string; credentials?: Record<string, string> };

function isHttpsUrl(entry: string): boolean {
	try {
		const url = new URL(entry);
		return url.protocol === 'https:' && url.hostname !== '';
	} catch {
		return false;
	}
}

/** How a person wrote the entry: `owner/name`, `owner/name@1.2.0` or the URL. */
export function mcpServerLabel(entry: McpServerEntry): string {
	if (typeof entry === 'string') return entry;
	if ('url' in entry) return entry.url;
	return entry.version ? `${entry.slug}@${entry.version}` : entry.slug;
}

/** The slug without a version, or the URL: what identifies the server whatever version is pinned. */
export function mcpServerRef(entry: McpServerEntry): string {
	const label = mcpServerLabel(entry);
	return SLUG.exec(label)?.[1] ?? label;
}

function toWire(entry: string): McpServerEntry {
	const pinned = SLUG.exec(entry);
	if (pinned?.[2]) return { slug: pinned[1], version: pinned[2] };
	return entry;
}

/**
 * The MCP Servers field as the `mcp_servers` wire form: one string with entries separated by
 * commas or new lines, or an array from an expression. Empty means no MCP servers. Every entry is
 * checked before any request. The chat model sub-node uses this too.
 */
export function parseMcpServers(value: unknown, node: INode, itemIndex: number): McpServerEntry[] {
	if (value === undefined || value === null || value === '') return [];
	let entries: unknown[];
	if (Array.isArray(value)) {
		entries = value;
	} else if (typeof value === 'string') {
		entries = value.split(/[,\n\r]+/);
	} else {
		throw new NodeOperationError(
			node,
			`MCP Servers in item ${itemIndex} must be text or a list, not ${typeof value}`,
			{ itemIndex },
		);
	}
	const labels: string[] = [];
	for (const raw of entries) {
		if (typeof raw !== 'string') {
			throw new NodeOperationError(
				node,
				`MCP Servers in item ${itemIndex} has an entry that is not text: ${JSON.stringify(raw)}`,
				{ itemIndex },
			);
		}
		const entry = raw.trim();
		if (entry === '') continue;
		if (!SLUG.test(entry) && !isHttpsUrl(entry)) {
			throw new NodeOperationError(
				node,
				`MCP Servers in item ${itemIndex} has an invalid entry "${entry}"`,
				{
					itemIndex,
					description:
						'Each entry must be a marketplace slug (owner/name or owner/name@version) or an https:// URL, separated by commas or new lines.',
				},
			);
		}
		if (!labels.includes(entry)) labels.push(entry);
	}
	return labels.map(toWire);
}
