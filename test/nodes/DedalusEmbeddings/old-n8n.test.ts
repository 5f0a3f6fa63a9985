/**
 * n8n drops a whole package when one node file fails to load: the embeddings sub-node's
 * description loads where n8n-workflow has no NodeConnectionTypes (n8n below 1.85).
 */
afterEach(() => {
	jest.resetModules();
	jest.dontMock('n8n-workflow');
});

it('loads its description where n8n-workflow has no NodeConnectionTypes', () => {
	jest.doMock('n8n-workflow', () => ({
		...jest.requireActual<object>('n8n-workflow'),
		NodeConnectionTypes: undefined,
	}));
	jest.isolateModules(() => {
		const { DedalusEmbeddings } = jest.requireActual<
			typeof import('../../../nodes/DedalusEmbeddings/DedalusEmbeddings.node')
		>('../../../nodes/DedalusEmbeddings/DedalusEmbeddings.node');
		const node = new DedalusEmbeddings();
		expect(node.description.outputs).toEqual(['ai_embedding']);
		expect(node.description.inputs).toEqual([]);
	});
});
