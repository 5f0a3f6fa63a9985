import { NodeHelpers, Workflow } from 'n8n-workflow';
import type { IDataObject, INode, INodeType, INodeTypes } from 'n8n-workflow';

import { Dedalus } from '../../../../nodes/Dedalus/Dedalus.node';
import {
	outputLayout,
	readAuthorizationSettings,
	resultOutputs,
} from '../../../../nodes/Dedalus/authorization/settings';

// The editor draws the outputs from the node's `outputs` expression; execute() and webhook() place
// results by readAuthorizationSettings + resultOutputs. Both must give the same number of outputs.
const dedalus = new Dedalus();
const nodeTypes: INodeTypes = {
	getByName: () => dedalus as INodeType,
	getByNameAndVersion: () => dedalus as INodeType,
	getKnownTypes: () => ({}),
};

function node(parameters: IDataObject): INode {
	return {
		id: 'dedalus-id',
		name: 'Dedalus',
		type: 'dedalus',
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
	};
}

/** The outputs n8n computes for the node, through n8n-workflow's own expression engine. */
function editorOutputs(parameters: IDataObject) {
	const workflow = new Workflow({
		nodes: [node(parameters)],
		connections: {},
		active: false,
		nodeTypes,
	});
	return NodeHelpers.getNodeOutputs(workflow, node(parameters), dedalus.description);
}

const inHours = new Date(Date.now() + 3_600_000).toISOString();
const cases: Array<[string, IDataObject]> = [
	['no options', { resource: 'chat', operation: 'complete' }],
	['empty options', { resource: 'chat', operation: 'complete', options: {} }],
	[
		'Limit Wait Time without values',
		{ resource: 'chat', operation: 'complete', options: { limitWaitTime: {} } },
	],
	[
		'Limit Wait Time with empty values',
		{ resource: 'chat', operation: 'complete', options: { limitWaitTime: { values: {} } } },
	],
	[
		'Limit Wait Time after an interval',
		{
			resource: 'chat',
			operation: 'complete',
			options: {
				limitWaitTime: {
					values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' },
				},
			},
		},
	],
	[
		'Limit Wait Time at a date',
		{
			resource: 'chat',
			operation: 'complete',
			options: {
				limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: inHours } },
			},
		},
	],
	[
		'a model operation with a leftover limit',
		{
			resource: 'model',
			operation: 'list',
			options: { limitWaitTime: { values: { resumeAmount: 1 } } },
		},
	],
];

describe('output layout: one rule for the editor and for execute()/webhook()', () => {
	it.each(cases)('%s: the editor expression evaluates to outputLayout', (_name, parameters) => {
		expect(editorOutputs(parameters)).toEqual(outputLayout(parameters));
	});

	it.each(cases.filter(([, p]) => p.resource === 'chat'))(
		'%s: results leave through as many outputs as the editor draws',
		(_name, parameters) => {
			const settings = readAuthorizationSettings(
				node(parameters),
				(parameters.options as IDataObject | undefined) ?? {},
			);
			const outputs = resultOutputs(settings, [{ json: {}, pairedItem: { item: 0 } }]);
			expect(outputs).toHaveLength(editorOutputs(parameters).length);
			// The results are always on the last output (Success when there are two).
			expect(outputs[outputs.length - 1]).toHaveLength(1);
		},
	);

	it('draws Timed Out + Success with a limit (empty values included), else one output', () => {
		expect(outputLayout(cases[4][1]).map((o) => o.displayName)).toEqual(['Timed Out', 'Success']);
		expect(outputLayout(cases[3][1])).toHaveLength(2);
		expect(outputLayout(cases[2][1])).toEqual([{ type: 'main' }]);
		expect(outputLayout(cases[6][1])).toEqual([{ type: 'main' }]);
	});
});
