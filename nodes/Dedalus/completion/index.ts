export { completeItems, readConcurrency, throwFirstFailure } from './complete-items';
export {
	errorItem,
	finishedItem,
	outputAuthorizationItem,
	resultItem,
	toolAuthorizationItem,
	toolPendingItem,
	waitingItem,
} from './items';
export { DEFAULT_CONCURRENCY } from './complete-items';
export type { ChunkSink, ItemOutcome } from './complete-items';
export { ItemInput, MODEL_ID_PATTERN, readModelId, readRequestOptions } from './parameters';
export type { ParameterSource, RequestOptions } from './parameters';
export {
	AUDIO_FILES,
	BinaryInput,
	DOCUMENT_FILES,
	IMAGE_FILES,
	PDF_FILES,
	dataUri,
	uploadName,
} from './binary-input';
export type { FileRule, InputFile, InputFileInfo } from './binary-input';
export { readMcpCredential } from './mcp-credentials';
export { parseMcpServers } from './mcp-servers';
export { MAX_EMBEDDING_BATCH, decodeEmbedding, embedBatch } from './embeddings';
export type { EmbeddingBatch } from './embeddings';
