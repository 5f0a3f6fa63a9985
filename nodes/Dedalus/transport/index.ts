export { DedalusClient, CREDENTIAL_TYPE, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from './client';
export type { DedalusContext, DedalusRequest } from './client';
export { AuthorizationRequiredError, asNodeError, isAuthorizationRequired, isHttpUrl } from './errors';
export type { NodeError } from './errors';
export { chatCompletionSchema, modelListSchema, modelSchema } from './schemas';
export type { ChatCompletion, Model } from './schemas';
