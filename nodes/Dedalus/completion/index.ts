export {
	completeItems,
	readConcurrency,
	errorItem,
	finishedItem,
	throwFirstFailure,
} from './complete';
export { DEFAULT_CONCURRENCY } from './complete';
export type {
	ChunkSink,
	CompleteItemsOptions,
	ItemError,
	ItemOutcome,
	SentOutcome,
} from './complete';
export { MODEL_ID_PATTERN, readModelId } from './parameters';
export type { ParameterSource } from './parameters';
