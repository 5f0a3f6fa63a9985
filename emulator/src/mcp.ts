import type { CredentialCheck } from './credentials';
import { isPlainObject } from './http';
import type { ValidationItem } from './validation';

export interface ToolContext {
	lastUserMessage: string;
	now: Date;
}

export interface ToolRun {
	arguments: Record<string, unknown>;
	result: unknown;
}

export interface McpServerDef {
	slug: string;
	url: string;
	/** Needs a per-API-key OAuth consent before the gateway may call it. */
	needsConsent: boolean;
	/** Needs an API key instead: the encrypted credential stored under this connection name. */
	connection?: string;
	/** Shown on the consent page: "allow <slug> to <access>?" */
	access: string;
	tool: string;
	/** Fixed so replies and logs are reproducible. */
	durationMs: number;
	run(ctx: ToolContext): ToolRun;
	summarize(run: ToolRun): string;
}

function dayOffset(now: Date, days: number, hh: number, mm: number): string {
	const d = new Date(
		Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days, hh, mm),
	);
	return d.toISOString().replace('.000Z', 'Z');
}

interface SearchHit {
	title: string;
	url: string;
	snippet: string;
}

interface Email {
	id: string;
	from: string;
	subject: string;
	snippet: string;
	date: string;
}

interface CalendarEvent {
	id: string;
	summary: string;
	start: string;
	end: string;
	location: string;
	attendees: string[];
}

const braveSearch: McpServerDef = {
	slug: 'dedalus-labs/brave-search',
	url: 'https://mcp.dedaluslabs.ai/brave-search/mcp',
	needsConsent: false,
	access: 'search the web for you',
	tool: 'search',
	durationMs: 184,
	run({ lastUserMessage }) {
		const query = lastUserMessage;
		const hits: SearchHit[] = [
			{
				title: 'Dedalus Labs: connect any model to any MCP server',
				url: 'https://www.dedaluslabs.ai/',
				snippet:
					'One API for every model provider, with hosted MCP servers and OAuth handled for you.',
			},
			{
				title: 'Model Context Protocol: introduction',
				url: 'https://modelcontextprotocol.io/introduction',
				snippet:
					'MCP is an open protocol that standardizes how applications provide context to LLMs.',
			},
		];
		return { arguments: { query }, result: hits };
	},
	summarize(run) {
		const hits = run.result as SearchHit[];
		const lines = hits.map((h, i) => `${i + 1}. ${h.title} (${h.url})`);
		return `Top results for "${String(run.arguments.query)}":\n${lines.join('\n')}`;
	},
};

const gmail: McpServerDef = {
	slug: 'dedalus-labs/gmail',
	url: 'https://mcp.dedaluslabs.ai/gmail/mcp',
	needsConsent: true,
	access: 'read your mail',
	tool: 'list_messages',
	durationMs: 412,
	run({ now }) {
		const emails: Email[] = [
			{
				id: '18f3a1c2d4e5f601',
				from: 'Alice Chen <alice.chen@example.com>',
				subject: 'Q3 report: final numbers',
				snippet:
					'Hi team, the Q3 report is attached. Revenue is up 12% on Q2; please send comments before Friday.',
				date: dayOffset(now, -1, 8, 14),
			},
			{
				id: '18f3a1c2d4e5f602',
				from: 'Billing <billing@acme-supplies.example>',
				subject: 'Reminder: invoice INV-2041 due in 3 days',
				snippet:
					'This is a friendly reminder that invoice INV-2041 for $1,280.00 is due on the 30th.',
				date: dayOffset(now, -1, 11, 42),
			},
			{
				id: '18f3a1c2d4e5f603',
				from: 'Marco Rossi <marco.rossi@example.com>',
				subject: 'Team offsite: venue and agenda',
				snippet:
					'The offsite is booked at the lake house for next Thursday. Agenda draft inside, add your topics.',
				date: dayOffset(now, -1, 16, 5),
			},
		];
		return { arguments: { query: 'newer_than:1d' }, result: emails };
	},
	summarize(run) {
		const emails = run.result as Email[];
		const lines = emails.map(
			(e) => `- ${e.from.replace(/\s*<.*>$/, '')}: ${e.subject} (${e.snippet})`,
		);
		return `Summary of ${emails.length} emails from yesterday:\n${lines.join('\n')}`;
	},
};

const googleCalendar: McpServerDef = {
	slug: 'dedalus-labs/google-calendar',
	url: 'https://mcp.dedaluslabs.ai/google-calendar/mcp',
	needsConsent: true,
	access: 'read your calendar',
	tool: 'list_events',
	durationMs: 268,
	run({ now }) {
		const events: CalendarEvent[] = [
			{
				id: 'evt_standup',
				summary: 'Team stand-up',
				start: dayOffset(now, 0, 9, 30),
				end: dayOffset(now, 0, 9, 45),
				location: 'Google Meet',
				attendees: ['alice.chen@example.com', 'marco.rossi@example.com'],
			},
			{
				id: 'evt_review',
				summary: 'Q3 report review',
				start: dayOffset(now, 0, 14, 0),
				end: dayOffset(now, 0, 15, 0),
				location: 'Room 4B',
				attendees: ['alice.chen@example.com'],
			},
		];
		return {
			arguments: {
				calendar_id: 'primary',
				time_min: dayOffset(now, 0, 0, 0),
				time_max: dayOffset(now, 1, 0, 0),
			},
			result: events,
		};
	},
	summarize(run) {
		const events = run.result as CalendarEvent[];
		const lines = events.map((e) => `- ${e.start.slice(11, 16)} ${e.summary} (${e.location})`);
		return `You have ${events.length} events today:\n${lines.join('\n')}`;
	},
};

interface Forecast {
	date: string;
	summary: string;
	high_c: number;
	low_c: number;
}

const weather: McpServerDef = {
	slug: 'dedalus-labs/weather',
	url: 'https://mcp.dedaluslabs.ai/weather/mcp',
	needsConsent: false,
	connection: 'dedalus-labs-weather',
	access: 'look up weather forecasts with your API key',
	tool: 'get_forecast',
	durationMs: 131,
	run({ now }) {
		const days: Forecast[] = [
			{ date: dayOffset(now, 0, 0, 0).slice(0, 10), summary: 'Light rain', high_c: 14, low_c: 8 },
			{ date: dayOffset(now, 1, 0, 0).slice(0, 10), summary: 'Sunny', high_c: 18, low_c: 9 },
		];
		return { arguments: { city: 'Berlin', days: 2 }, result: { city: 'Berlin', days } };
	},
	summarize(run) {
		const { city, days } = run.result as { city: string; days: Forecast[] };
		const lines = days.map((d) => `- ${d.date}: ${d.summary}, ${d.low_c}-${d.high_c} °C`);
		return `Forecast for ${city}:\n${lines.join('\n')}`;
	},
};

export const MCP_SERVERS: readonly McpServerDef[] = [braveSearch, gmail, googleCalendar, weather];

const SLUG_PATTERN = /^([A-Za-z0-9_-]+\/[A-Za-z0-9_-]+)(?:@([A-Za-z0-9._+-]+))?$/;

function normalizeUrl(u: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(u);
	} catch {
		return undefined;
	}
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
	let path = parsed.pathname.replace(/\/+$/, '');
	if (!path.endsWith('/mcp')) path += '/mcp';
	return `${parsed.protocol}//${parsed.host.toLowerCase()}${path}`;
}

const BY_SLUG = new Map(MCP_SERVERS.map((s) => [s.slug, s]));
const BY_URL = new Map(MCP_SERVERS.map((s) => [normalizeUrl(s.url)!, s]));

/** Finds a known server by slug (with or without @version) or by URL (with or without /mcp). */
export function findServer(ref: string): McpServerDef | undefined {
	const m = SLUG_PATTERN.exec(ref);
	if (m) return BY_SLUG.get(m[1]);
	const norm = normalizeUrl(ref);
	return norm ? BY_URL.get(norm) : undefined;
}

export interface McpSelection {
	/** How the caller named it; also the key in `mcp_server_errors`. */
	label: string;
	server?: McpServerDef;
	version?: string;
	/** The entry's `credentials` map (object form): connection name -> encrypted blob. */
	credentials?: Record<string, unknown>;
	/** Filled by the API handler for servers that need an API key (credentials.ts). */
	credentialCheck?: CredentialCheck;
}

function parseRef(
	ref: string,
): { ok: true; version?: string; server?: McpServerDef } | { ok: false } {
	const m = SLUG_PATTERN.exec(ref);
	if (m) return { ok: true, version: m[2], server: BY_SLUG.get(m[1]) };
	const norm = normalizeUrl(ref);
	if (!norm) return { ok: false };
	return { ok: true, server: BY_URL.get(norm) };
}

export function parseMcpServers(
	value: unknown,
): { ok: true; selections: McpSelection[] } | { ok: false; errors: ValidationItem[] } {
	if (value === undefined || value === null) return { ok: true, selections: [] };
	const entries = typeof value === 'string' ? [value] : value;
	if (!Array.isArray(entries)) {
		return {
			ok: false,
			errors: [
				{
					loc: ['body', 'mcp_servers'],
					msg: 'Input should be a string or a list',
					type: 'list_type',
				},
			],
		};
	}
	const selections: McpSelection[] = [];
	const errors: ValidationItem[] = [];
	entries.forEach((entry, i) => {
		const loc = typeof value === 'string' ? ['body', 'mcp_servers'] : ['body', 'mcp_servers', i];
		let ref: string | undefined;
		let label: string | undefined;
		let version: string | undefined;
		let credentials: Record<string, unknown> | undefined;
		if (typeof entry === 'string') {
			ref = entry.trim();
			label = entry;
		} else if (isPlainObject(entry)) {
			const slug = typeof entry.slug === 'string' ? entry.slug : undefined;
			const url = typeof entry.url === 'string' ? entry.url : undefined;
			ref = slug ?? url;
			label = typeof entry.name === 'string' && entry.name ? entry.name : ref;
			if (typeof entry.version === 'string') version = entry.version;
			if (isPlainObject(entry.credentials)) credentials = entry.credentials;
			if (!ref) {
				errors.push({ loc, msg: 'MCP server object needs a slug or a url', type: 'value_error' });
				return;
			}
		} else {
			errors.push({ loc, msg: 'Input should be a valid string or object', type: 'string_type' });
			return;
		}
		const parsed = parseRef(ref);
		if (!parsed.ok) {
			errors.push({
				loc,
				msg: `Value error, '${ref.slice(0, 100)}' is neither an 'owner/name' slug nor an http(s) URL`,
				type: 'value_error',
			});
			return;
		}
		selections.push({
			label: label!,
			server: parsed.server,
			version: version ?? parsed.version,
			...(credentials ? { credentials } : {}),
		});
	});
	if (errors.length) return { ok: false, errors };
	return { ok: true, selections };
}

/** The label the request log shows for each entry, never anything but the slug/url/name. */
export function mcpLogLabels(value: unknown): string[] | undefined {
	if (value === undefined || value === null) return undefined;
	const entries = Array.isArray(value) ? value : [value];
	const out: string[] = [];
	for (const e of entries) {
		if (typeof e === 'string') out.push(e);
		else if (isPlainObject(e)) {
			const l = e.slug ?? e.url ?? e.name;
			if (typeof l === 'string') out.push(l);
		}
	}
	return out;
}
