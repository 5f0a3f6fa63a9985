import * as workflow from 'n8n-workflow';
import type {
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';

import {
	maxResponseSizeOption,
	maxRetriesOption,
	modelLocatorWithDefault,
	timeoutOption,
} from '../../shared/descriptions';
import { listSearch } from '../../shared/methods';
import { supplyDedalusEmbeddings } from './supply';

// n8n-workflow below 1.85 has no NodeConnectionTypes, and n8n drops a whole package when one of
// its node files fails to load: this file falls back to the connection type's plain value.
const NodeConnectionTypes: Pick<typeof workflow.NodeConnectionTypes, 'AiEmbedding'> =
	workflow.NodeConnectionTypes ?? { AiEmbedding: 'ai_embedding' };

export class DedalusEmbeddings implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Dedalus Embeddings',
		name: 'dedalusEmbeddings',
		icon: { light: 'file:dedalus.svg', dark: 'file:dedalus.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"]?.value || $parameter["model"] }}',
		description: 'Embeddings from any Dedalus embedding model, for n8n’s vector stores',
		defaults: { name: 'Dedalus Embeddings' },
		inputs: [],
		outputs: [NodeConnectionTypes.AiEmbedding],
		outputNames: ['Embeddings'],
		credentials: [{ name: 'dedalusApi', required: true }],
		properties: [
			{
				displayName:
					"This node must be connected to a vector store. <a data-action='openSelectiveNodeCreator' data-action-parameter-connectiontype='ai_vectorStore'>Insert one</a>",
				name: 'notice',
				type: 'notice',
				default: '',
				typeOptions: { containerClass: 'ndv-connection-hint-notice' },
			},
			modelLocatorWithDefault('openai/text-embedding-3-small'),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Batch Size',
						name: 'batchSize',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 2048 },
						default: 512,
						description: 'How many texts go into one request (at most 2048)',
					},
					{
						displayName: 'Dimensions',
						name: 'dimensions',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 1536,
						description: 'Length of the vectors, for models that can shorten them',
					},
					maxResponseSizeOption,
					maxRetriesOption,
					timeoutOption,
				],
			},
		],
	};

	methods = { listSearch };

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		return await supplyDedalusEmbeddings(this, itemIndex);
	}
}
