import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import {
	chatStartOf,
	checkChatSettings,
	checkToolSettings,
	notifyOwner,
	pauseForAuthorization,
	readAuthorizationSettings,
	resultOutputs,
} from '../../authorization';
import {
	DEFAULT_CONCURRENCY,
	completeItems,
	finishedItem,
	outputAuthorizationItem,
	readConcurrency,
	throwFirstFailure,
	toolAuthorizationItem,
	toolPendingItem,
} from '../../completion';
import type { ChunkSink, ItemOutcome } from '../../completion';
import {
	maxResponseSizeOption,
	maxRetriesOption,
	mcpServersProperty,
	modelLocator,
	timeoutOption,
} from '../../../../shared/descriptions';
import { addOutputHints, isToolCall, resumesEveryOutput } from '../n8n-compat';

const properties: INodeProperties[] = [
	modelLocator,
	{
		displayName: 'Input Type',
		name: 'inputType',
		type: 'options',
		options: [
			{
				name: 'Prompt',
				value: 'prompt',
				description: 'One user message, with an optional system message',
			},
			{
				name: 'Message List',
				value: 'messages',
				description: 'A conversation built message by message',
			},
			{
				name: 'JSON',
				value: 'json',
				description: 'A conversation as a JSON array of {role, content}, e.g. from an expression',
			},
		],
		default: 'prompt',
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: "e.g. Summarize yesterday's emails",
		displayOptions: { show: { inputType: ['prompt'] } },
	},
	{
		displayName: 'System Message',
		name: 'systemMessage',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'e.g. You are a concise assistant',
		displayOptions: { show: { inputType: ['prompt'] } },
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: { values: [{ role: 'user', content: '' }] },
		displayOptions: { show: { inputType: ['messages'] } },
		options: [
			{
				displayName: 'Message',
				name: 'values',
				values: [
					{
						displayName: 'Role',
						name: 'role',
						type: 'options',
						options: [
							{ name: 'Assistant', value: 'assistant' },
							{ name: 'Developer', value: 'developer' },
							{ name: 'System', value: 'system' },
							{ name: 'User', value: 'user' },
						],
						default: 'user',
					},
					{
						displayName: 'Content',
						name: 'content',
						type: 'string',
						typeOptions: { rows: 2 },
						default: '',
					},
				],
			},
		],
	},
	{
		displayName: 'Messages (JSON)',
		name: 'messagesJson',
		type: 'json',
		default: '[\n  { "role": "user", "content": "Hello" }\n]',
		description: 'An array of messages with role and content',
		displayOptions: { show: { inputType: ['json'] } },
	},
	mcpServersProperty(
		'MCP servers that Dedalus runs for this request: marketplace slugs (owner/name or owner/name@version) or https:// URLs, separated by commas or new lines. An expression may return a list. Empty means none.',
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
		displayName: 'Simplify Output',
		name: 'simplifyOutput',
		type: 'boolean',
		default: true,
		description:
			'Whether to return only the answer, the MCP tool results, the server errors, the model, the usage and the finish reason instead of the full response',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Attachments',
				name: 'attachments',
				type: 'string',
				default: '',
				placeholder: 'e.g. data, invoice',
				description:
					'Input binary fields whose files (images, PDFs) go with the last user message, separated by commas',
			},
			{
				displayName: 'Automatic Tool Execution',
				name: 'automaticToolExecution',
				type: 'boolean',
				default: true,
				description: 'Whether Dedalus runs the MCP tools the model calls',
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: DEFAULT_CONCURRENCY,
				description:
					'Maximum number of requests in flight at once. 1 sends the items one after another.',
			},
			{
				displayName: 'Fallback Models',
				name: 'fallbackModels',
				type: 'string',
				default: '',
				placeholder: 'e.g. anthropic/claude-sonnet-4-20250514, google/gemini-2.5-flash',
				description: 'Models Dedalus tries in order when the main model fails, separated by commas',
			},
			{
				displayName: 'JSON Schema',
				name: 'jsonSchema',
				type: 'json',
				default:
					'{\n  "type": "object",\n  "properties": {\n    "answer": { "type": "string" }\n  }\n}',
				displayOptions: { show: { responseFormat: ['json_schema'] } },
			},
			{
				displayName: 'Limit Wait Time',
				name: 'limitWaitTime',
				type: 'fixedCollection',
				description:
					'Whether to stop waiting for authorization after a while. When set, timed-out items leave through a first output and results through a second one. Needs n8n 2.39 or newer.',
				default: {
					values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' },
				},
				options: [
					{
						displayName: 'Values',
						name: 'values',
						values: [
							{
								displayName: 'Limit Type',
								name: 'limitType',
								type: 'options',
								default: 'afterTimeInterval',
								options: [
									{
										name: 'After Time Interval',
										value: 'afterTimeInterval',
										description: 'Waits for a certain amount of time',
									},
									{
										name: 'At Specified Time',
										value: 'atSpecifiedTime',
										description: 'Waits until the set date and time',
									},
								],
							},
							{
								displayName: 'Amount',
								name: 'resumeAmount',
								type: 'number',
								displayOptions: { show: { limitType: ['afterTimeInterval'] } },
								typeOptions: { minValue: 0, numberPrecision: 2 },
								default: 1,
								description: 'The time to wait',
							},
							{
								displayName: 'Unit',
								name: 'resumeUnit',
								type: 'options',
								displayOptions: { show: { limitType: ['afterTimeInterval'] } },
								options: [
									{ name: 'Seconds', value: 'seconds' },
									{ name: 'Minutes', value: 'minutes' },
									{ name: 'Hours', value: 'hours' },
									{ name: 'Days', value: 'days' },
								],
								default: 'hours',
								description: 'Unit of the interval value',
							},
							{
								displayName: 'Max Date and Time',
								name: 'maxDateAndTime',
								type: 'dateTime',
								displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
								default: '',
								description: 'Stop waiting after this date and time',
							},
						],
					},
				],
			},
			maxResponseSizeOption,
			maxRetriesOption,
			{
				displayName: 'Max Turns',
				name: 'maxTurns',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100 },
				default: 10,
				description: 'Maximum number of model and tool rounds Dedalus runs for one request',
			},
			{
				displayName: 'Maximum Number of Tokens',
				name: 'maxTokens',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1024,
				description: 'Maximum number of tokens in the answer',
			},
			{
				displayName: 'Metadata',
				name: 'metadata',
				type: 'json',
				default: '{}',
				description: 'Key-value pairs (text values) stored with the request',
			},
			{
				displayName: 'Notify URL',
				name: 'notifyUrl',
				type: 'string',
				default: '',
				placeholder: 'e.g. https://hooks.slack.com/services/...',
				description:
					'When the node pauses for authorization, POST a JSON notice with both links here: a Slack, Discord or Mattermost incoming webhook, or an n8n Webhook URL',
			},
			{
				displayName: 'On Authorization (As a Tool)',
				name: 'toolAuthorization',
				type: 'options',
				options: [
					{
						name: 'Give the Link to the Agent',
						value: 'giveLink',
						description:
							'The agent gets connect_url and can pass it to whoever it is talking to. Whoever consents links their account for everyone using this API key.',
					},
					{
						name: 'Tell the Agent It Is Pending and Notify the Owner',
						value: 'notifyOwner',
						description:
							'The agent only learns that consent is pending; the link goes to Notify URL. Use this for agents that talk to the public.',
					},
				],
				default: 'giveLink',
				description:
					'What happens when the node runs as an AI agent tool and an MCP server needs consent',
			},
			{
				displayName: 'On Authorization (In a Chat or Stream)',
				name: 'chatAuthorization',
				type: 'options',
				options: [
					{
						name: 'Show the Link in the Chat',
						value: 'showLink',
						description:
							'The person chatting gets the Connect link and the authorization page. Whoever consents links their account for everyone using this API key.',
					},
					{
						name: 'Tell the Person It Is Pending and Notify the Owner',
						value: 'notifyOwner',
						description:
							'The chat or stream only says that the owner was asked; both links go to Notify URL. Use this for public chats.',
					},
				],
				default: 'showLink',
				description:
					'What a chat (Response Mode Using Response Nodes) or a streamed run shows when the node pauses for consent',
			},
			{
				displayName: 'Reasoning Effort',
				name: 'reasoningEffort',
				type: 'options',
				options: [
					{ name: 'High', value: 'high' },
					{ name: 'Low', value: 'low' },
					{ name: 'Medium', value: 'medium' },
					{ name: 'Minimal', value: 'minimal' },
				],
				default: 'medium',
				description: 'How much a reasoning model thinks before it answers',
			},
			timeoutOption,
			{
				displayName: 'Response Format',
				name: 'responseFormat',
				type: 'options',
				options: [
					{ name: 'Text', value: 'text' },
					{ name: 'JSON Object', value: 'json_object', description: 'The answer is a JSON object' },
					{
						name: 'JSON Schema',
						value: 'json_schema',
						description: 'The answer follows a JSON schema',
					},
				],
				default: 'text',
			},
			{
				displayName: 'Schema Name',
				name: 'jsonSchemaName',
				type: 'string',
				default: 'response',
				displayOptions: { show: { responseFormat: ['json_schema'] } },
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				default: 0,
				description: 'A fixed seed asks for repeatable answers',
			},
			{
				displayName: 'Stop Sequences',
				name: 'stop',
				type: 'string',
				default: '',
				description: 'Up to 4 sequences, separated by commas or new lines, where the model stops',
			},
			{
				displayName: 'Temperature',
				name: 'temperature',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
				default: 1,
				description: 'Higher values give more varied answers',
			},
			{
				displayName: 'Tool Choice',
				name: 'toolChoice',
				type: 'options',
				options: [
					{ name: 'Auto', value: 'auto' },
					{ name: 'None', value: 'none' },
					{ name: 'Required', value: 'required' },
				],
				default: 'auto',
				description: 'Whether the model may, must not, or must call tools',
			},
			{
				displayName: 'Top P',
				name: 'topP',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				default: 1,
				description:
					'Nucleus sampling: only the most likely tokens whose probabilities add up to this value',
			},
			{
				displayName: 'User',
				name: 'user',
				type: 'string',
				default: '',
				description: 'An ID for the end user, passed to the provider',
			},
			{
				displayName: 'When Authorization Is Required',
				name: 'whenAuthorizationRequired',
				type: 'options',
				options: [
					{
						name: 'Wait for Consent',
						value: 'wait',
						description:
							'Pause the execution and show a page where a person grants access, then continue',
					},
					{
						name: 'Output the Link',
						value: 'output',
						description:
							'Do not pause: affected items come out with status authorization_required and connect_url',
					},
					{
						name: 'Fail the Item',
						value: 'error',
						description: 'Treat it as an item error whose message carries connect_url',
					},
				],
				default: 'wait',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['complete'] } },
	properties,
);

/** The Options of Chat → Complete, which Image → Analyze offers too (minus Attachments). */
export const completionOptions = (properties.find((property) => property.name === 'options')
	?.options ?? []) as INodeProperties[];

/** MCP Servers, Use MCP Server Credential and Simplify Output, shared with Image → Analyze. */
export const toolProperties = properties.filter((property) =>
	['mcpServers', 'useMcpServerCredential', 'simplifyOutput'].includes(property.name),
);

/**
 * n8n (1.101 and later) streams to the caller when the Webhook or Chat Trigger that started the run
 * has Response Mode Streaming; older n8n has neither method, so both are checked before use.
 */
function chunkSink(context: IExecuteFunctions): ChunkSink | undefined {
	if (typeof context.isStreaming !== 'function' || typeof context.sendChunk !== 'function') {
		return undefined;
	}
	if (!context.isStreaming()) return undefined;
	return async (type, itemIndex, content) => {
		await Promise.resolve(context.sendChunk(type, itemIndex, content));
	};
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const settings = readAuthorizationSettings(this.getNode(), options);
	const continueOnFail = this.continueOnFail();
	// An AI agent cannot wait for a person: as a tool the node hands the link to the agent instead.
	const asTool = isToolCall(this);
	if (asTool) checkToolSettings(this.getNode(), settings);
	const pauses = settings.whenRequired === 'wait' && !asTool;
	if (pauses && settings.waitLimit && !resumesEveryOutput(this)) {
		throw new NodeOperationError(this.getNode(), 'Limit Wait Time needs n8n 2.39 or newer', {
			description:
				'This n8n resumes a waiting node through its first output only, so the results after consent (the Success output) would be lost. Remove the option, or update n8n.',
		});
	}
	const signal = this.getExecutionCancelSignal();
	// As a tool, the text belongs to the agent, which streams its own answer.
	const chunks = asTool ? undefined : chunkSink(this);
	const chatStart = pauses ? chatStartOf(this) : undefined;
	if (pauses && (chunks || chatStart?.responseMode === 'responseNodes')) {
		checkChatSettings(this.getNode(), settings);
	}

	const outcomes = await completeItems(this, {
		source: (name, itemIndex, fallback) => this.getNodeParameter(name, itemIndex, fallback),
		itemIndices: items.map((_, itemIndex) => itemIndex),
		concurrency: readConcurrency(this.getNode(), options.concurrency),
		continueOnFail,
		stopOnAuthorization: pauses || (settings.whenRequired === 'error' && !continueOnFail),
		signal,
		chunks,
	});
	// Cancelled: n8n ends the execution as canceled; nothing of this run is output.
	if (signal?.aborted) throw new NodeOperationError(this.getNode(), 'The execution was canceled');
	throwFirstFailure(outcomes, continueOnFail);

	for (const outcome of outcomes) {
		if (outcome.status === 'completed') addOutputHints(this, outcome.hints);
	}

	if (pauses && outcomes.some((outcome) => outcome.status === 'authorization_required')) {
		return resultOutputs(
			settings,
			await pauseForAuthorization(this, outcomes, settings, continueOnFail, {
				chunks,
				chat: chatStart,
				ownerOnly: settings.chatAuthorization === 'notifyOwner',
			}),
		);
	}

	const tellsOwner =
		asTool && settings.toolAuthorization === 'notifyOwner' && settings.notifyUrl !== undefined;
	const ownerNotified =
		tellsOwner && outcomes.some((outcome) => outcome.status === 'authorization_required')
			? await notifyOwner(this, outcomes, settings.notifyUrl as string)
			: false;
	const output = outcomes.map((outcome: ItemOutcome): INodeExecutionData => {
		if (outcome.status === 'authorization_required' && settings.whenRequired !== 'error') {
			const { connectUrl, server, serverId } = outcome.error;
			if (tellsOwner) return toolPendingItem(server, ownerNotified, outcome.itemIndex);
			return asTool
				? toolAuthorizationItem(connectUrl, server, outcome.itemIndex, serverId)
				: outputAuthorizationItem(connectUrl, server, outcome.itemIndex, serverId);
		}
		if (outcome.status === 'not_sent') {
			// Sending stops early only to pause, on cancel, or before an error that fails the node: all handled above.
			throw new NodeOperationError(this.getNode(), `Item ${outcome.itemIndex} was not sent`, {
				itemIndex: outcome.itemIndex,
			});
		}
		return finishedItem(outcome, continueOnFail);
	});
	return resultOutputs(settings, output);
}
