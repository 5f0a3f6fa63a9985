export { chatStartOf, continueFromChat } from './chat';
export { handleResumeRequest } from './resume';
export { outputAuthorizationItem, pauseForAuthorization, toolAuthorizationItem } from './pause';
export { readAuthorizationSettings, resultOutputs } from './settings';
export type { AuthorizationSettings, WhenAuthorizationRequired } from './settings';
