import { nameConsentServer } from '../../../shared/mcp/server-names';

const GMAIL = 'dedalus-labs/gmail';
const CALENDAR = 'dedalus-labs/google-calendar';

describe('naming the server that needs consent', () => {
	const consent = (serverId?: string, server?: string) => ({
		connectUrl: 'https://a.example/c',
		...(serverId ? { serverId } : {}),
		...(server ? { server } : {}),
	});

	it('maps the id to the one requested server', () => {
		const names = new Map<string, string>();
		expect(nameConsentServer(consent('srv_1'), [GMAIL], names)).toBe(GMAIL);
		expect(names.get('srv_1')).toBe(GMAIL);
	});

	it('shows the id when several servers were requested and nothing tells them apart', () => {
		const names = new Map<string, string>();
		expect(nameConsentServer(consent('srv_1'), [GMAIL, CALENDAR], names)).toBe('srv_1');
		expect(names.size).toBe(0);
	});

	it('takes the only requested server not already known under another id (not yet consented)', () => {
		const names = new Map([['srv_1', GMAIL]]);
		expect(nameConsentServer(consent('srv_2'), [GMAIL, CALENDAR], names)).toBe(CALENDAR);
		expect(nameConsentServer(consent('srv_1'), [GMAIL, CALENDAR], names)).toBe(GMAIL);
	});

	it('recognises an id that is the slug, its connection name, or a pinned entry', () => {
		const names = new Map<string, string>();
		expect(nameConsentServer(consent('dedalus-labs-gmail'), [CALENDAR, GMAIL], names)).toBe(GMAIL);
		expect(
			nameConsentServer(consent(CALENDAR), [GMAIL, { slug: CALENDAR, version: '2.0.0' }], names),
		).toBe(`${CALENDAR}@2.0.0`);
	});

	it('keeps an old detail.server, and names nothing without an id among several servers', () => {
		expect(nameConsentServer(consent('srv_1', GMAIL), [GMAIL, CALENDAR], new Map())).toBe(GMAIL);
		expect(nameConsentServer(consent(), [GMAIL, CALENDAR], new Map())).toBeUndefined();
		expect(nameConsentServer(consent(), [GMAIL], new Map())).toBe(GMAIL);
	});
});
