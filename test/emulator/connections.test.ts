// The benchmark's connection counter: GET /__emulator/connections.
import { Agent, request } from 'http';

import { KEY_A, admin, chatBody, useEmulator } from './helpers';

const bed = useEmulator();

function post(agent: Agent): Promise<number> {
	return new Promise((resolve, reject) => {
		const req = request(
			`${bed.emu.url}/v1/chat/completions`,
			{
				method: 'POST',
				agent,
				headers: { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' },
			},
			(res) => {
				res.resume();
				res.on('end', () => resolve(res.statusCode ?? 0));
			},
		);
		req.on('error', reject);
		req.end(JSON.stringify(chatBody()));
	});
}

async function opened(): Promise<number> {
	return ((await admin(bed.emu.url, 'connections')).body as { opened: number }).opened;
}

describe('connections counter', () => {
	// The admin calls come over fetch's own kept-alive connection: compare counts before and after.
	it('counts one connection for requests on a kept-alive socket', async () => {
		const before = await opened();
		const agent = new Agent({ keepAlive: true, maxSockets: 1 });
		for (let i = 0; i < 4; i++) expect(await post(agent)).toBe(200);
		agent.destroy();
		expect((await opened()) - before).toBe(1);
	});

	it('counts a connection per request without keep-alive, and starts again from 0 after a reset', async () => {
		const before = await opened();
		const agent = new Agent({ keepAlive: false });
		for (let i = 0; i < 3; i++) expect(await post(agent)).toBe(200);
		expect((await opened()) - before).toBe(3);
		await admin(bed.emu.url, 'reset', {});
		expect(await opened()).toBeLessThanOrEqual(1);
	});
});
