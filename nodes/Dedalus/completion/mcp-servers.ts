import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

// Marketplace slug `owner/name`, optionally `@version` (docs/dedalus-api.md), or an https URL.
const SLUG = /^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+(@[A-Za-z0-9._-]+)?$/;

function isHttpsUrl(entry: string): boolean {
	try {
		const url = new URL(entry);
		return url.protocol === 'https:' && url.hostname !== '';
	} catch {
		return false;
	}
}

/**
 * The MCP Servers field: one string with entries separated by commas or new lines, or an array
 * from an expression. Empty means no MCP servers. Every entry is checked before any request.
 */
export function parseMcpServers(value: unknown, node: INode, itemIndex: number): string[] {
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
	const servers: string[] = [];
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
		if (!servers.includes(entry)) servers.push(entry);
	}
	return servers;
}
