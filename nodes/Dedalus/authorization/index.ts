export { chatStartOf, continueFromChat } from './chat';
export { handleResumeRequest } from './resume';
export { notifyOwner, pauseForAuthorization } from './pause';
export {
	checkToolSettings,
	outputLayout,
	readAuthorizationSettings,
	resultOutputs,
} from './settings';
