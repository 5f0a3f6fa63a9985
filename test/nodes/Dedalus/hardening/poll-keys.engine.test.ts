/**
 * Issue 17, S1: the consent poll (`poll_url`) never carries the provider key, even to the Base
 * URL's own origin, while the completion that the run sends does. Through n8n-core's engine and
 * the credential's own authenticate(), against the emulator over HTTP.
 */
import { GMAIL, createTestBed, dedalusNode, items, runDedalus } from '../engine-setup';

const PROVIDER_KEY = 'sk-provider-SECRET-S1';
const { bed, setUp, tearDown } = createTestBed(undefined, {
	provider: 'openai',
	providerApiKey: PROVIDER_KEY,
});

beforeAll(setUp);
afterAll(tearDown);

it('the poll gets the API key at the Base URL origin but never X-Provider-Key', async () => {
	const waiting = await runDedalus(
		bed,
		dedalusNode({ options: { concurrency: 1 } }),
		items({ prompt: 'mail', servers: GMAIL }),
	);
	expect(waiting.status).toBe('waiting');
	const resumed = await bed.engine.callWebhook(waiting, {
		method: 'POST',
		headers: { Accept: 'application/json' },
	});
	expect(resumed.resumed).toBe(false);
	const log = bed.emulator.requests();
	const polls = log.filter((entry) => entry.path === '/v1/oauth/servers');
	const completions = log.filter((entry) => entry.path === '/v1/chat/completions');
	expect(polls.length).toBeGreaterThan(0);
	// The poll reached the emulator with the API key (it answered 200, not 401)...
	expect(polls.map((entry) => entry.status)).toEqual(polls.map(() => 200));
	// ...but neither bring-your-own-key header; the completion had both.
	expect(polls.map((entry) => [entry.hasProvider, entry.hasProviderKey])).toEqual(
		polls.map(() => [false, false]),
	);
	expect(completions.map((entry) => entry.hasProviderKey)).toEqual(completions.map(() => true));
});
