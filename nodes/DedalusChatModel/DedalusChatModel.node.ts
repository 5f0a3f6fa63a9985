import * as workflow from 'n8n-workflow';
import type {
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';

import { mcpServersProperty, modelLocator } from '../../shared/descriptions';
import { listSearch, testMcpCredential } from '../../shared/methods';
import { supplyDedalusModel } from './supply';

// n8n-workflow below 1.85 has no NodeConnectionTypes, and n8n drops a whole package when one
// of its node files fails to load: this file must load there too (the sub-node is then inert,
// see supply.ts), so it falls back to the connection type's plain value.
const NodeConnectionTypes: Pick<typeof workflow.NodeConnectionTypes, 'AiLanguageModel'> =
	workflow.NodeConnectionTypes ?? { AiLanguageModel: 'ai_languageModel' };

export class DedalusChatModel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Dedalus Chat Model',
		name: 'dedalusChatModel',
		icon: { light: 'file:dedalus.svg', dark: 'file:dedalus.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"]?.value || $parameter["model"] }}',
		description:
			'Any Dedalus model for the AI Agent, with hosted MCP servers that run on Dedalus next to the Agent’s own tools',
		defaults: { name: 'Dedalus Chat Model' },
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [
			{ name: 'dedalusApi', required: true },
			{
				name: 'dedalusMcpCredentialsApi',
				required: true,
				testedBy: 'testMcpCredential',
				displayOptions: { show: { useMcpServerCredential: [true] } },
			},
		],
		properties: [
			{
				displayName:
					"This node must be connected to an AI agent. <a data-action='openSelectiveNodeCreator' data-action-parameter-connectiontype='ai_agent'>Insert one</a>",
				name: 'notice',
				type: 'notice',
				default: '',
				typeOptions: { containerClass: 'ndv-connection-hint-notice' },
			},
			modelLocator,
			mcpServersProperty(
				'MCP servers that Dedalus runs on its side for every request of the Agent: marketplace slugs (owner/name or owner/name@version) or https:// URLs, separated by commas or new lines. The Agent’s own tools still run in n8n.',
			),
			{
				displayName: 'Use MCP Server Credential',
				name: 'useMcpServerCredential',
				type: 'boolean',
				default: false,
				description:
					'Whether to give an MCP server that needs an API key its secret from a Dedalus MCP Server Credentials credential, encrypted before it leaves n8n',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Frequency Penalty',
						name: 'frequencyPenalty',
						type: 'number',
						typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 1 },
						default: 0,
						description: 'Positive values make the model less likely to repeat the same lines',
					},
					{
						displayName: 'Max Retries',
						name: 'maxRetries',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 10 },
						default: 2,
						description: 'How often a failed request is tried again (rate limits, server errors)',
					},
					{
						displayName: 'Maximum Number of Tokens',
						name: 'maxTokens',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 1024,
						description: 'The most tokens one answer may use',
					},
					{
						displayName: 'On Authorization',
						name: 'onAuthorization',
						type: 'options',
						default: 'error',
						options: [
							{
								name: 'Fail With the Link in the Error',
								value: 'error',
								description:
									'The run fails; the consent link is in the error details, seen by whoever owns the workflow, never by a chat user',
							},
							{
								name: 'Answer With the Link',
								value: 'answer',
								description:
									'The model answers with the consent link, so the person chatting can connect. Only for chats whose users own the Dedalus account.',
							},
						],
						description:
							'What happens when an MCP server needs OAuth consent. A chat model cannot pause the run; use the Dedalus node for that.',
					},
					{
						displayName: 'Presence Penalty',
						name: 'presencePenalty',
						type: 'number',
						typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 1 },
						default: 0,
						description: 'Positive values make the model more likely to talk about new topics',
					},
					{
						displayName: 'Sampling Temperature',
						name: 'temperature',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 1 },
						default: 0.7,
						description: 'Higher values give more varied answers, lower values more focused ones',
					},
					{
						displayName: 'Timeout',
						name: 'timeout',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 60000,
						description: 'Milliseconds to wait for one answer, server-side tool calls included',
					},
					{
						displayName: 'Top P',
						name: 'topP',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
						default: 1,
						description: 'Nucleus sampling: the share of probability mass the model picks from',
					},
				],
			},
		],
	};

	methods = { listSearch, credentialTest: { testMcpCredential } };

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		return await supplyDedalusModel(this, itemIndex);
	}
}
