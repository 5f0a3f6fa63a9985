export { chatStartOf, continueFromChat } from './chat';
export { handleResumeRequest } from './resume';
export { notifyOwner, pauseForAuthorization } from './pause';
export {
	checkChatSettings,
	checkToolSettings,
	outputLayout,
	readAuthorizationSettings,
	resultOutputs,
} from './settings';
