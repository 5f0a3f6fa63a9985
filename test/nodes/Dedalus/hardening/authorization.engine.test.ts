/**
 * Issue 9, the authorization points (3, 4, 5, 9, 11, 12), through n8n-core's real engine and
 * n8n's waiting-webhook path (test/helpers), against the emulator over real HTTP.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import type { RunResult } from '../../../helpers/engine';
import { GMAIL, SEARCH, createTestBed, dedalusNode, items, runDedalus } from '../engine-setup';

const { bed, setUp, tearDown } = createTestBed();
beforeAll(setUp);
afterAll(tearDown);
beforeEach(() => bed.emulator.reset());

function pauseNode(options: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return dedalusNode({ options: { concurrency: 1, ...options } }, extra);
}

const mailAndSearch = () =>
	items({ prompt: 'search it', servers: SEARCH }, { prompt: 'summarize mail', servers: GMAIL });

describe('3. any node name a user can type pauses and resumes', () => {
	it.each(['Dedalus }} x', 'Dedalus {{ $json }}', 'a "quoted" \\ name\u2028`${x}`', '{{}}'])(
		'%s',
		async (name) => {
			const waiting = await runDedalus(bed, pauseNode({}, { name }), mailAndSearch());
			expect(waiting.status).toBe('waiting');
			const page = await bed.engine.callWebhook(waiting, { method: 'GET' });
			expect(page.statusCode).toBe(200);
			expect(page.body).toContain('Authorization needed');
			await bed.grantConsent();
			const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
			expect(resumed.resumed).toBe(true);
			const result = resumed.result as RunResult;
			expect(result.status).toBe('success');
			expect(result.outputOf('Downstream')).toHaveLength(2);
		},
	);
});
