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
import { continueFromChat, handleResumeRequest, outputLayout } from './authorization';
import { listSearch, testMcpCredential } from '../../shared/methods';

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

// With a wait limit, n8n sends timed-out items out of output 0 without running node code, so
// results move to output 1. The editor evaluates the same function execute() uses
// (authorization/settings.ts outputLayout), embedded as source the way n8n's Switch node does.
const OUTPUTS: `={{${string}}}` = `={{(${outputLayout})($parameter)}}`;

export class Dedalus implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Dedalus',
		name: 'dedalus',
		icon: { light: 'file:dedalus.svg', dark: 'file:dedalus.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Chat completions that use hosted MCP servers through the Dedalus API, pausing for OAuth consent when needed; images, audio, OCR and embeddings',
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

	/** n8n calls this when a chat message arrives while the run waits for consent (authorization/chat.ts). */
	async onMessage(
		context: IExecuteFunctions,
		message: INodeExecutionData,
	): Promise<INodeExecutionData[][]> {
		return await continueFromChat(context, message);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleResumeRequest(this);
	}
}
