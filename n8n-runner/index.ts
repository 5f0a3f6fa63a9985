// One import for e2e tests: `import { startN8n, ... } from './lib'`.
export {
	ARTIFACTS_DIR,
	DIST_DIR,
	REPO_ROOT,
	ensureArtifactsDir,
	pruneArtifacts,
	resolveN8nInstall,
	type N8nInstall,
} from './install';
export {
	freePort,
	portFree,
	prepareN8n,
	runN8nCli,
	startN8n,
	type CredentialImport,
	type N8nInstance,
	type PrepareN8nOptions,
	type PreparedN8n,
	type StartN8nOptions,
	type WorkflowImport,
} from './n8n';
export {
	N8nHttpError,
	N8nRestClient,
	OWNER,
	OWNER_EMAIL,
	OWNER_PASSWORD,
	decodeFlatted,
	executionError,
	nodeOutput,
	nodeOutputJson,
	nodeRan,
	nodeRuns,
	sleep,
	type ExecutionSummary,
	type N8nExecution,
	type WaitForExecutionOptions,
} from './rest';
export {
	startHttpListener,
	type CapturedRequest,
	type HttpListener,
	type ListenerResponse,
} from './listener';
export { CUSTOM_PREFIX } from './custom-nodes';
export {
	DEDALUS_CHAT_MODEL_TYPE,
	DEDALUS_NODE_TYPE,
	EXAMPLE_CREDENTIAL,
	PACKAGE_NAME,
	installPackage,
} from './package';
export {
	CALENDAR,
	CHAT_PATH,
	EmulatorAdmin,
	GMAIL,
	LeakCheck,
	MODEL_ID,
	SEARCH,
	SECRET_MARKER,
	dedalusCredential,
	fakeApiKey,
	grantConsentAsUser,
	httpCall,
	keyIdOf,
	maxOverlap,
	postResume,
	rawExecution,
	startWaitingRun,
	statusesByUser,
	waitFinished,
	type HttpResult,
	type StartedRun,
} from './dedalus';
export { startLatencyProxy, type LatencyProxy } from './latency-proxy';
export { publishWorkflows, waitForWebhooks } from './publish';
// Browser helpers (playwright-core) are imported from './lib/browser' directly, so other files do not load it.
