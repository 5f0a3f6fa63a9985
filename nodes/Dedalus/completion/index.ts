export { completeItems, errorItem, finishedItem, throwFirstFailure } from './complete';
export type { CompleteItemsOptions, ItemError, ItemOutcome, SentOutcome } from './complete';
export type { ParameterSource } from './parameters';
