import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { properties, router } from './actions';
import { handleResumeRequest } from './authorization';
import { listSearch, testMcpCredential } from './methods';

// The resume URL of a waiting execution (`$execution.resumeUrl`) reaches these: GET serves the
// authorization page, POST sends the held-back requests again. A named constant, because the
// community lint takes a literal array for a trigger's webhooks (docs/architecture.md).
const RESUME_WEBHOOKS: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: 'GET',
		responseMode: 'onReceived',
		path: '',
		restartWebhook: true,
	},
	{
		name: 'default',
		httpMethod: 'POST',
		responseMode: 'onReceived',
		path: '',
		restartWebhook: true,
	},
];

// With a wait limit, n8n sends timed-out items out of output 0 without running node code,
// so results move to output 1 (authorization/settings.ts).
const OUTPUTS: `={{${string}}}` = `={{ ((parameters) => {
	const limited = parameters.resource === 'chat' && parameters.operation === 'complete' && !!parameters.options?.limitWaitTime?.values;
	return limited
		? [{ type: '${NodeConnectionTypes.Main}', displayName: 'Timed Out' }, { type: '${NodeConnectionTypes.Main}', displayName: 'Success' }]
		: [{ type: '${NodeConnectionTypes.Main}' }];
})($parameter) }}`;

export class Dedalus implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Dedalus',
		name: 'dedalus',
		icon: { light: 'file:dedalus.svg', dark: 'file:dedalus.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Chat completions that use hosted MCP servers through the Dedalus API, pausing for OAuth consent when needed',
		defaults: { name: 'Dedalus' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS,
		credentials: [
			{ name: 'dedalusApi', required: true },
			{
				name: 'dedalusMcpCredentialsApi',
				required: true,
				testedBy: 'testMcpCredential',
				displayOptions: { show: { useMcpServerCredential: [true] } },
			},
		],
		webhooks: RESUME_WEBHOOKS,
		properties,
	};

	methods = { listSearch, credentialTest: { testMcpCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleResumeRequest(this);
	}
}
