export { handleResumeRequest } from './resume';
export {
	notifyOwner,
	outputAuthorizationItem,
	pauseForAuthorization,
	toolAuthorizationItem,
	toolPendingItem,
} from './pause';
export { checkToolSettings, readAuthorizationSettings, resultOutputs } from './settings';
export type { AuthorizationSettings, WhenAuthorizationRequired } from './settings';
