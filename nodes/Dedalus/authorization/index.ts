export { handleResumeRequest } from './resume';
export {
	notifyOwner,
	outputAuthorizationItem,
	pauseForAuthorization,
	toolAuthorizationItem,
	toolPendingItem,
} from './pause';
export {
	checkToolSettings,
	outputLayout,
	readAuthorizationSettings,
	resultOutputs,
} from './settings';
