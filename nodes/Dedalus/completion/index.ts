export {
	completeItems,
	readConcurrency,
	errorItem,
	finishedItem,
	throwFirstFailure,
} from './complete-items';
export { DEFAULT_CONCURRENCY } from './complete-items';
export type { CompleteItemsOptions, ItemOutcome, SentOutcome } from './complete-items';
export { MODEL_ID_PATTERN, readModelId } from './parameters';
export type { ParameterSource } from './parameters';
export { MCP_CREDENTIAL_TYPE, readMcpCredential } from './mcp-credentials';
export { mcpServerLabel, parseMcpServers } from './mcp-servers';
export type { McpServerEntry } from './mcp-servers';
export type { ServerNames } from './server-names';
