import type { ConsentRequest } from '../transport';
import { connectionNameOf } from './credentials';
import { mcpServerLabel, mcpServerRef } from './servers';
import type { McpServerEntry } from './servers';

/** Server ids already put to a name in this pause: `server_id` -> the requested entry. */
export type ServerNames = Map<string, string>;

/**
 * The name a person reads for the server that needs consent. The API names it by an id, not by
 * the slug the workflow asked for (docs/dedalus-api.md), so the id is mapped back to a requested
 * entry when that is unambiguous: the id is that entry, or only one requested entry is not
 * already known under another id (one server requested, or only one not yet consented).
 * Otherwise the id itself. `names` learns every mapping made, for the next answer of this pause.
 */
export function nameConsentServer(
	consent: ConsentRequest,
	requested: McpServerEntry[],
	names: ServerNames,
): string | undefined {
	const { serverId } = consent;
	if (consent.server) return consent.server;
	const labels = requested.map(mcpServerLabel);
	if (serverId === undefined) return labels.length === 1 ? labels[0] : undefined;
	const known = names.get(serverId);
	if (known) return known;
	const direct = requested.find((entry) => {
		const ref = mcpServerRef(entry);
		return (
			serverId === mcpServerLabel(entry) || serverId === ref || serverId === connectionNameOf(ref)
		);
	});
	const taken = new Set(names.values());
	const open = labels.filter((label) => !taken.has(label));
	const name = direct ? mcpServerLabel(direct) : open.length === 1 ? open[0] : undefined;
	if (name === undefined) return serverId;
	names.set(serverId, name);
	return name;
}
