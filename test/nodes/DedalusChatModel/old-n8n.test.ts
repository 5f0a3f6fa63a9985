/**
 * Where n8n is older than the chat model needs, the package must still load (n8n drops a whole
 * package when one node file fails): the description loads without NodeConnectionTypes (n8n
 * below 1.85), and without @n8n/ai-node-sdk (n8n below 2.16) the sub-node fails with a clear
 * message only when used.
 */
import type { ISupplyDataFunctions } from 'n8n-workflow';

afterEach(() => {
	jest.resetModules();
	jest.dontMock('n8n-workflow');
	jest.dontMock('@n8n/ai-node-sdk');
});

it('loads its description where n8n-workflow has no NodeConnectionTypes', () => {
	jest.doMock('n8n-workflow', () => ({
		...jest.requireActual<object>('n8n-workflow'),
		NodeConnectionTypes: undefined,
	}));
	jest.isolateModules(() => {
		const { DedalusChatModel } = jest.requireActual<
			typeof import('../../../nodes/DedalusChatModel/DedalusChatModel.node')
		>('../../../nodes/DedalusChatModel/DedalusChatModel.node');
		const node = new DedalusChatModel();
		expect(node.description.outputs).toEqual(['ai_languageModel']);
		expect(node.description.inputs).toEqual([]);
	});
});

it('without @n8n/ai-node-sdk: a clear error when used, and nothing sent', async () => {
	jest.doMock(
		'@n8n/ai-node-sdk',
		() => {
			throw new Error("Cannot find module '@n8n/ai-node-sdk'");
		},
		{ virtual: true },
	);
	let supply!: typeof import('../../../nodes/DedalusChatModel/supply').supplyDedalusModel;
	jest.isolateModules(() => {
		supply = jest.requireActual<typeof import('../../../nodes/DedalusChatModel/supply')>(
			'../../../nodes/DedalusChatModel/supply',
		).supplyDedalusModel;
	});
	const parameters: Record<string, unknown> = {
		model: { __rl: true, mode: 'id', value: 'openai/gpt-4.1' },
		mcpServers: '',
		options: {},
	};
	const sent: unknown[] = [];
	const context = {
		getNode: () => ({ name: 'Dedalus Chat Model', type: 'CUSTOM.dedalusChatModel' }),
		getNodeParameter: (name: string) => parameters[name],
		getCredentials: async () => ({ apiKey: 'dsk-test-x', baseUrl: 'http://127.0.0.1:9' }),
		helpers: { httpRequest: async (request: unknown) => sent.push(request) },
	} as unknown as ISupplyDataFunctions;
	await expect(supply(context, 0)).rejects.toMatchObject({
		message: 'The Dedalus Chat Model needs n8n 2.16 or newer',
		functionality: 'configuration-node',
	});
	expect(sent).toEqual([]);
});
