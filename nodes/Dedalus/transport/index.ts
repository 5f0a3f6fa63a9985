export { DedalusClient } from './client';
export type { DedalusContext, DedalusRequest } from './client';
export {
	AuthorizationRequiredError,
	asNodeError,
	isAuthorizationRequired,
	isHttpUrl,
} from './errors';
export type { ConsentRequest, NodeError } from './errors';
export { fetchEncryptionKey } from './jwks';
export { mayReceiveApiKey, pollConsent } from './poll';
export type { ConsentState } from './poll';
export { chatCompletionSchema, modelListSchema, modelSchema } from './schemas';
export type { ChatCompletion, Model } from './schemas';
export { MAX_TIMEOUT_MS, MAX_SHOWN_TEXT, clipText } from './limits';
