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
export { MODEL_ID_PATTERN, readModelId } from './parameters';
export type { ParameterSource } from './parameters';
export { readMcpCredential } from './mcp-credentials';
export { parseMcpServers } from './mcp-servers';
