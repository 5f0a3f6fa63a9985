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
export type { ParameterSource } from './parameters';
export {
	AUDIO_FILES,
	BinaryInput,
	DOCUMENT_FILES,
	IMAGE_FILES,
	PDF_FILES,
	acceptedType,
	dataUri,
	uploadName,
} from './binary-input';
export type { FileRule, InputFile, InputFileInfo } from './binary-input';
