/**
 * Issue 9, point 2: `.` and `..` segments in a model ID would walk the request out of /v1/models
 * with the API key. Refused in execute() (through the real engine, against the emulator) and by
 * the editor's ID-mode pattern.
 */
import { MODEL_ID_PATTERN, readModelId } from '../../../../shared/parameters';
import { createTestBed, dedalusNode, items, jsonOf, runDedalus } from '../engine-setup';

const { bed, setUp, tearDown } = createTestBed();
beforeAll(setUp);
afterAll(tearDown);
beforeEach(() => bed.emulator.reset());

const node = { name: 'Dedalus' } as Parameters<typeof readModelId>[0];
const TRAVERSALS = [
	'../../admin',
	'../..',
	'openai/../../admin',
	'openai/./gpt-4.1',
	'openai//gpt-4.1',
	'openai/gpt-4.1/..',
	'./openai/gpt-4.1',
	'openai/.',
];

describe('2. model IDs with dot segments', () => {
	it.each(TRAVERSALS)('%s is refused by execute() and by the editor pattern', (id) => {
		expect(() => readModelId(node, id, 3)).toThrow(/Model in item 3 /);
		expect(new RegExp(MODEL_ID_PATTERN).test(id)).toBe(false);
	});

	it.each(['openai/gpt-4.1', 'anthropic/claude-3.5-sonnet', 'a/b/c', 'x/..y', 'x/y..'])(
		'%s is still accepted',
		(id) => {
			expect(readModelId(node, id, 0)).toBe(id);
			expect(new RegExp(MODEL_ID_PATTERN).test(id)).toBe(true);
		},
	);

	it('Model → Get with ../../admin from an expression sends nothing and names the field', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode(
				{
					resource: 'model',
					operation: 'get',
					model: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
				},
				{ onError: 'continueRegularOutput' },
			),
			items({ id: '../../admin' }),
		);
		expect(jsonOf(result.outputOf('Downstream'))[0].error).toContain('Model in item 0');
		expect(bed.emulator.requests()).toEqual([]);
	});

	it('Chat → Complete with openai/../../admin from an expression sends nothing', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({ model: { __rl: true, mode: 'id', value: '={{ $json.id }}' } }),
			items({ prompt: 'x', id: 'openai/../../admin' }),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('Model in item 0');
		expect(bed.emulator.requests()).toEqual([]);
	});
});
