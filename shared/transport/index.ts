export { DedalusClient } from './client';
export type { DedalusContext } from './client';
export {
	AuthorizationRequiredError,
	asNodeError,
	isAuthorizationRequired,
	isHttpLinkWithin,
	isHttpUrl,
	isLoopbackHost,
} from './errors';
export type { ConsentRequest, NodeError } from './errors';
export { fetchEncryptionKey } from './jwks';
export { mayReceiveApiKey, pollConsent } from './poll';
export { streamChatCompletion } from './stream';
export { chatCompletionSchema, modelListSchema, modelSchema } from './schemas';
export type { ChatCompletion, Model } from './schemas';
export { MAX_LINK_LENGTH, MAX_TIMEOUT_MS, MAX_SHOWN_TEXT, clipText, parseIfString } from './limits';
export type { BinaryAnswer } from './client';
export { downloadFile, mayDownload } from './download';
export type { DownloadWording } from './download';
export { Base64Writer, base64Size, jsonBodyWithFile, jsonBodyWrittenBy } from './json-file-body';
export { multipartBody, multipartBodyWrittenBy } from './multipart';
export type { MultipartFile, UploadBody } from './multipart';
export {
	embeddingListSchema,
	imageListSchema,
	ocrSchema,
	transcriptionSchema,
} from './media-schemas';
export type { EmbeddingList, ImageList, OcrResult } from './media-schemas';
