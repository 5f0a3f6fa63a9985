import {
	RequestPacer,
	advisedDelayMs,
	backoffDelayMs,
	shouldRetry,
} from '../../../shared/transport/retry';

describe('retry contract of the Dedalus SDKs', () => {
	it.each([
		[408, true],
		[409, true],
		[429, true],
		[500, true],
		[503, true],
		[400, false],
		[401, false],
		[403, false],
		[404, false],
		[422, false],
	])('status %i retried: %s', (status, retried) => {
		expect(shouldRetry(status, {})).toBe(retried);
	});

	it('lets x-should-retry override the status', () => {
		expect(shouldRetry(400, { 'x-should-retry': 'true' })).toBe(true);
		expect(shouldRetry(503, { 'x-should-retry': 'false' })).toBe(false);
	});

	it('prefers retry-after-ms, then retry-after in seconds or as an HTTP date, within 60 s', () => {
		const now = Date.parse('2026-11-27T10:00:00Z');
		expect(advisedDelayMs({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
		expect(advisedDelayMs({ 'retry-after': '2' }, now)).toBe(2000);
		expect(advisedDelayMs({ 'retry-after': 'Fri, 27 Nov 2026 10:00:05 GMT' }, now)).toBe(5000);
		expect(advisedDelayMs({ 'retry-after': '61' }, now)).toBeUndefined();
		expect(advisedDelayMs({ 'retry-after': '-1' }, now)).toBeUndefined();
		expect(advisedDelayMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
		expect(advisedDelayMs({}, now)).toBeUndefined();
	});

	it('backs off exponentially from 0.5 s to 8 s with up to 25% jitter', () => {
		expect(backoffDelayMs(0, 0)).toBe(500);
		expect(backoffDelayMs(1, 0)).toBe(1000);
		expect(backoffDelayMs(4, 0)).toBe(8000);
		expect(backoffDelayMs(9, 0)).toBe(8000);
		expect(backoffDelayMs(0, 1)).toBe(375);
	});

	it('holds every waiter of a pacer until the advised time', async () => {
		const pacer = new RequestPacer();
		const started = Date.now();
		pacer.holdAll(150);
		pacer.holdAll(50); // a shorter advice never shortens an earlier hold
		await Promise.all([pacer.ready(), pacer.ready()]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		const again = Date.now();
		await pacer.ready();
		expect(Date.now() - again).toBeLessThan(50);
	});
});
