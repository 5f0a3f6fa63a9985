// The emulator's Idempotency-Key handling (emulator/src/idempotency.ts), over real HTTP.
import { admin, chat, GMAIL, KEY_A, KEY_B, useEmulator } from './helpers';

const bed = useEmulator();

const key = (name: string) => ({ 'idempotency-key': `test-${name}` });

async function log(): Promise<Array<{ status: number; idempotentReplay?: boolean }>> {
	return (await admin(bed.emu.url, 'requests')).body.requests;
}

describe('Idempotency-Key', () => {
	it('replays the stored 2xx for the same caller, key and body, marked, without running again', async () => {
		const first = await chat(bed.emu.url, { user: 'u1' }, KEY_A, key('same'));
		const second = await chat(bed.emu.url, { user: 'u1' }, KEY_A, key('same'));
		expect(first.status).toBe(200);
		expect(second.status).toBe(200);
		expect(second.body).toEqual(first.body);
		expect(first.headers.get('idempotent-replayed')).toBeNull();
		expect(second.headers.get('idempotent-replayed')).toBe('true');
		expect((await log()).map((e) => [e.status, e.idempotentReplay ?? false])).toEqual([
			[200, false],
			[200, true],
		]);
	});

	it('runs a concurrent duplicate once: the second waits for the first and gets its answer', async () => {
		await admin(bed.emu.url, 'latency', { ms: 300 });
		const [a, b] = await Promise.all([
			chat(bed.emu.url, { user: 'u2' }, KEY_A, key('concurrent')),
			chat(bed.emu.url, { user: 'u2' }, KEY_A, key('concurrent')),
		]);
		expect([a.status, b.status]).toEqual([200, 200]);
		expect(a.body.id).toBe(b.body.id);
		expect((await log()).filter((e) => !e.idempotentReplay)).toHaveLength(1);
	});

	it('never stores a 401: after consent the same key really runs', async () => {
		const before = await chat(bed.emu.url, { mcp_servers: [GMAIL] }, KEY_A, key('consent'));
		expect(before.status).toBe(401);
		await admin(bed.emu.url, 'consent', { server: GMAIL, apiKey: KEY_A, granted: true });
		const after = await chat(bed.emu.url, { mcp_servers: [GMAIL] }, KEY_A, key('consent'));
		expect(after.status).toBe(200);
		expect(after.headers.get('idempotent-replayed')).toBeNull();
	});

	it('never stores a 5xx or 429', async () => {
		await admin(bed.emu.url, 'faults', { faults: [{ status: 429 }, { status: 503 }] });
		expect((await chat(bed.emu.url, {}, KEY_A, key('faults'))).status).toBe(429);
		expect((await chat(bed.emu.url, {}, KEY_A, key('faults'))).status).toBe(503);
		const third = await chat(bed.emu.url, {}, KEY_A, key('faults'));
		expect(third.status).toBe(200);
		expect(third.headers.get('idempotent-replayed')).toBeNull();
	});

	it('answers 422 for the same key with another body, and keeps keys of different callers apart', async () => {
		expect((await chat(bed.emu.url, { user: 'x' }, KEY_A, key('body'))).status).toBe(200);
		const other = await chat(bed.emu.url, { user: 'y' }, KEY_A, key('body'));
		expect(other.status).toBe(422);
		expect(other.body.detail).toMatch(/same request body/);
		const otherCaller = await chat(bed.emu.url, { user: 'y' }, KEY_B, key('body'));
		expect(otherCaller.status).toBe(200);
		expect(otherCaller.headers.get('idempotent-replayed')).toBeNull();
	});
});
