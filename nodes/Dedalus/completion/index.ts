export {
	completeItems,
	readConcurrency,
	errorItem,
	finishedItem,
	throwFirstFailure,
} from './complete';
export { DEFAULT_CONCURRENCY } from './complete';
export type { CompleteItemsOptions, ItemError, ItemOutcome, SentOutcome } from './complete';
export { MODEL_ID_PATTERN, readModelId } from './parameters';
export type { ParameterSource } from './parameters';
export { MCP_CREDENTIAL_TYPE, readMcpCredential } from './mcp-credentials';
export { mcpServerLabel, parseMcpServers } from './mcp-servers';
export type { McpServerEntry } from './mcp-servers';
export type { ServerNames } from './server-names';
