/**
 * Runs nodes through n8n-core 2.41.1's real execution engine for jest tests.
 *
 * What is real: `WorkflowExecute` (stack, paired items, continue-on-fail, waiting, cancellation),
 * `ExecuteContext` / `WebhookContext` / `TriggerContext`, the expression engine, the request helpers
 * (`httpRequest`, `httpRequestWithAuthentication` doing real HTTP through `OutboundHttp`), the
 * lifecycle hooks class. What the harness stands in for is n8n's server around the engine: the
 * database (executions are serialised with `flatted`, as n8n stores them), `WorkflowRunner`,
 * `WaitingWebhooks` + `webhook-helpers.executeWebhook` (see `waiting-webhook.ts`), the credentials
 * store (see `credentials-helper.ts`) and the Express request/response (see `http-fakes.ts`).
 */
import { parse as unflatten, stringify as flatten } from 'flatted';
import type {
	ExecutionError,
	ExecutionStatus,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IConnections,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IRunData,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { NodeHelpers, UnexpectedError, Workflow, createRunExecutionData } from 'n8n-workflow';
import {
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	UnrecognizedNodeTypeError,
	WAITING_TOKEN_QUERY_PARAM,
	WorkflowExecute,
} from 'n8n-core';
import { TestCredentialsHelper } from './credentials-helper';
import { Container, setUpN8nContainer, type LogEntry } from './n8n-internals';
import { handleWaitingWebhookRequest, type WebhookCallResult } from './waiting-webhook';
import { TEST_TRIGGER_TYPE, TestTrigger } from './fixtures/TestTrigger.node';
import { DOWNSTREAM_TYPE, Downstream } from './fixtures/Downstream.node';

export interface EngineOptions {
	/** Node type name (as used in `INode.type`) -> node instance. The test trigger and downstream are added. */
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	/** Credential type name -> credential type instance. */
	credentialTypes?: Record<string, ICredentialType>;
	/** Credential type name -> stored data (defaults of the type are applied when a node reads it). */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
}

export interface WorkflowInput {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	/** Merged over `{ executionOrder: 'v1' }` (what n8n 2.x gives new workflows). */
	settings?: IWorkflowSettings;
}

export interface RunOptions {
	/**
	 * Default `trigger`: how n8n runs an active workflow started by a trigger node (the trigger's
	 * items go on the stack and pass through it). `webhook` works the same way. `manual` is an
	 * editor run: the engine calls the trigger's `manualTriggerFunction`, `sendMessageToUI` works,
	 * `$execution.mode` is `test`.
	 */
	mode?: WorkflowExecuteMode;
	/** What the test trigger emits; default `[{ json: {} }]`. */
	items?: INodeExecutionData[];
	/** Aborting it cancels the execution the way n8n's "stop" does (`workflowExecution.cancel()`). */
	abortSignal?: AbortSignal;
}

export interface UiMessage {
	source: string;
	messages: unknown[];
}

export interface RunResult {
	executionId: string;
	/** After n8n's `determineFinalExecutionStatus` (the `workflowExecuteAfter` hook). */
	status: ExecutionStatus;
	finished: boolean;
	waitTill?: Date;
	runData: IRunData;
	lastNodeExecuted?: string;
	/** `resultData.error`: set when the execution failed (and in a few other n8n cases). */
	error?: ExecutionError;
	/** Items of `nodeName`'s output `outputIndex` in its last run. Throws if the node did not run. */
	outputOf(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** What nodes sent with `this.sendMessageToUI(...)` (n8n only forwards these in `manual` mode). */
	uiMessages: UiMessage[];
	/** Statuses the engine reported through `additionalData.setExecutionStatus`. */
	statusUpdates: ExecutionStatus[];
	/** `$execution.resumeUrl` of this execution. */
	resumeUrl: string;
	/** The full run execution data as n8n would save it. */
	data: IRunExecutionData;
}

export interface CallWebhookOptions {
	/** Checked against the waiting node; n8n itself always calls the execution's last node. */
	nodeName?: string;
	method: 'GET' | 'POST' | 'PUT';
	/** Webhook path suffix after the execution id (the description's `path`); default `''`. */
	path?: string;
	body?: unknown;
	query?: Record<string, string | string[]>;
	headers?: Record<string, string>;
	/** The resume token sent as `?signature=`; default the execution's real token, `null` sends none. */
	signature?: string | null;
}

/** What the harness keeps per execution, as n8n's database would. */
interface StoredExecution {
	id: string;
	mode: WorkflowExecuteMode;
	status: ExecutionStatus;
	finished: boolean;
	waitTill?: Date;
	workflowData: WorkflowData;
	/** `flatted` string of `IRunExecutionData`, like n8n's `execution_data.data`. */
	data: string;
}

interface WorkflowData {
	id: string;
	name: string;
	nodes: INode[];
	connections: IConnections;
	settings: IWorkflowSettings;
}

export interface Engine {
	run(workflow: WorkflowInput, opts?: RunOptions): Promise<RunResult>;
	callWebhook(waiting: RunResult, opts: CallWebhookOptions): Promise<WebhookCallResult>;
	/**
	 * What n8n's wait tracker does once `waitTill` has passed: restarts the saved execution as is
	 * (no node code runs for the waiting node, which is disabled and passes its input items on).
	 */
	expireWait(waiting: RunResult): Promise<RunResult>;
	/** What n8n logged (node contexts, error reporter, ...), shared by all engines of a test file. */
	readonly logs: LogEntry[];
}

export function createEngine(opts: EngineOptions): Engine {
	return new TestEngine(opts);
}

/** A node of the test trigger type. */
export function triggerNode(name = 'Trigger', position: [number, number] = [0, 0]): INode {
	return { id: name, name, type: TEST_TRIGGER_TYPE, typeVersion: 1, position, parameters: {} };
}

/** A node of the pass-through downstream type. */
export function downstreamNode(name = 'Downstream', position: [number, number] = [400, 0]): INode {
	return { id: name, name, type: DOWNSTREAM_TYPE, typeVersion: 1, position, parameters: {} };
}

/** Connections for a straight line of nodes: `chain('Trigger', 'Node', 'Downstream')`. */
export function chain(...names: string[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i + 1 < names.length; i++) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}

class TestNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	getByName(nodeType: string) {
		const type = this.types[nodeType];
		if (!type) throw new UnrecognizedNodeTypeError('test', nodeType);
		return type;
	}

	/** n8n's `NodeTypes.getByNameAndVersion` for programmatic nodes (declarative ones are not implemented). */
	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes() {
		return {};
	}
}

/** n8n `shared-hook-functions.determineFinalExecutionStatus`. */
function determineFinalExecutionStatus(runData: IRun): ExecutionStatus {
	const workflowHasCrashed = runData.status === 'crashed';
	const workflowWasCanceled = runData.status === 'canceled';
	const workflowHasFailed = runData.status === 'error';
	const workflowDidSucceed =
		!runData.data.resultData?.error &&
		!workflowHasCrashed &&
		!workflowWasCanceled &&
		!workflowHasFailed;
	let workflowStatusFinal: ExecutionStatus = workflowDidSucceed ? 'success' : 'error';
	if (workflowHasCrashed) workflowStatusFinal = 'crashed';
	if (workflowWasCanceled) workflowStatusFinal = 'canceled';
	if (runData.waitTill) workflowStatusFinal = 'waiting';
	return workflowStatusFinal;
}

let executionCounter = 0;
let workflowCounter = 0;

export class TestEngine implements Engine {
	readonly nodeTypes: TestNodeTypes;
	readonly credentialsHelper: TestCredentialsHelper;
	readonly logs: LogEntry[];
	readonly webhookUrl: string;
	private readonly executions = new Map<string, StoredExecution>();

	constructor(opts: EngineOptions) {
		this.logs = setUpN8nContainer().logger.entries;
		this.nodeTypes = new TestNodeTypes({
			[TEST_TRIGGER_TYPE]: new TestTrigger(),
			[DOWNSTREAM_TYPE]: new Downstream(),
			...opts.nodeTypes,
		});
		this.credentialsHelper = new TestCredentialsHelper(opts.credentialTypes ?? {}, {
			...(opts.credentials ?? {}),
		});
		this.webhookUrl = 'http://127.0.0.1:5678/';
	}

	async run(input: WorkflowInput, opts: RunOptions = {}): Promise<RunResult> {
		const mode = opts.mode ?? 'trigger';
		const executionId = String(++executionCounter);
		const workflowData: WorkflowData = {
			id: input.id ?? `test-workflow-${++workflowCounter}`,
			name: input.name ?? 'Test workflow',
			nodes: structuredClone(input.nodes),
			connections: structuredClone(input.connections),
			settings: { executionOrder: 'v1', ...(input.settings ?? {}) },
		};

		const startNode = this.findStartNode(workflowData.nodes);
		const items = opts.items ?? [{ json: {} }];
		if (mode === 'manual' && startNode.type === TEST_TRIGGER_TYPE) {
			startNode.parameters = { ...startNode.parameters, items: JSON.stringify(items) };
		}

		const stored: StoredExecution = {
			id: executionId,
			mode,
			status: 'new',
			finished: false,
			workflowData,
			data: flatten(createRunExecutionData()),
		};
		this.executions.set(executionId, stored);

		const workflow = this.createWorkflow(workflowData);
		const context = this.createRunContext(stored);
		stored.status = 'running';

		let execution: ReturnType<WorkflowExecute['processRunExecutionData']>;
		if (mode === 'manual') {
			const workflowExecute = new WorkflowExecute(context.additionalData, mode);
			execution = workflowExecute.run({
				workflow,
				startNode: workflow.getNode(startNode.name) ?? undefined,
			});
		} else {
			// n8n `WorkflowExecutionService.runWorkflow`: what the trigger emitted is its node's input.
			const runExecutionData = createRunExecutionData({
				executionData: {
					nodeExecutionStack: [
						{ node: workflow.getNode(startNode.name)!, data: { main: [items] }, source: null },
					],
				},
			});
			execution = new WorkflowExecute(
				context.additionalData,
				mode,
				runExecutionData,
			).processRunExecutionData(workflow);
		}
		return await this.finish(stored, execution, context, opts.abortSignal);
	}

	async callWebhook(waiting: RunResult, opts: CallWebhookOptions): Promise<WebhookCallResult> {
		return await handleWaitingWebhookRequest(this, waiting, opts);
	}

	async expireWait(waiting: RunResult): Promise<RunResult> {
		// WaitTracker.startExecution
		const execution = this.loadExecution(waiting.executionId);
		if (!execution) throw new UnexpectedError('Execution does not exist.');
		if (execution.finished) {
			throw new UnexpectedError('The execution did succeed and can so not be started again.');
		}
		this.claimForResume(execution.id);
		return await this.resume(execution.id, execution.data);
	}

	// ---- used by waiting-webhook.ts -------------------------------------------------------------

	/** Like `ExecutionPersistence.findSingleExecution(id, { includeData, unflattenData })`. */
	loadExecution(executionId: string) {
		const stored = this.executions.get(executionId);
		if (!stored) return undefined;
		return {
			id: stored.id,
			mode: stored.mode,
			status: stored.status,
			finished: stored.finished,
			waitTill: stored.waitTill,
			workflowData: structuredClone(stored.workflowData),
			data: unflatten(stored.data) as IRunExecutionData,
		};
	}

	createWorkflow(workflowData: WorkflowData): Workflow {
		return new Workflow({
			id: workflowData.id,
			name: workflowData.name,
			nodes: workflowData.nodes,
			connections: workflowData.connections,
			active: false,
			nodeTypes: this.nodeTypes,
			staticData: {},
			settings: workflowData.settings,
		});
	}

	/** n8n `WorkflowExecuteAdditionalData.getBase()` with the URLs of {@link EngineOptions.webhookUrl}. */
	createBaseAdditionalData(workflowId: string): IWorkflowExecuteAdditionalData {
		const base = this.webhookUrl;
		return {
			currentNodeExecutionIndex: 0,
			credentialsHelper: this.credentialsHelper,
			executeWorkflow: async () => {
				throw new UnexpectedError('The test harness does not run sub-workflows');
			},
			restApiUrl: `${base}rest`,
			instanceBaseUrl: base,
			formWaitingBaseUrl: `${base}form-waiting`,
			formBaseUrl: `${base}form`,
			formTestBaseUrl: `${base}form-test`,
			webhookBaseUrl: `${base}webhook`,
			webhookWaitingBaseUrl: `${base}webhook-waiting`,
			webhookTestBaseUrl: `${base}webhook-test`,
			mcpBaseUrl: `${base}mcp`,
			mcpTestBaseUrl: `${base}mcp-test`,
			workflowId,
			variables: {},
			setExecutionStatus: () => {},
			getRuntimeCredential: async () => undefined,
			getRunExecutionData: async (executionId: string) => this.loadExecution(executionId)?.data,
			externalSecretsProxy: Container.get(ExternalSecretsProxy),
			startRunnerTask: async () => {
				throw new UnexpectedError('The test harness has no task runners');
			},
			logAiEvent: () => {},
		} as unknown as IWorkflowExecuteAdditionalData;
	}

	/** Additional data and hooks for one run of an execution, like `WorkflowRunner.runMainProcess`. */
	createRunContext(stored: StoredExecution, restartExecutionId?: string) {
		const uiMessages: UiMessage[] = [];
		const statusUpdates: ExecutionStatus[] = [];
		const additionalData = this.createBaseAdditionalData(stored.workflowData.id);
		const hooks = new ExecutionLifecycleHooks(stored.mode, stored.id, stored.workflowData as never);
		hooks.addHandler('workflowExecuteAfter', (fullRunData: IRun) => {
			fullRunData.status = determineFinalExecutionStatus(fullRunData);
		});
		additionalData.hooks = hooks;
		additionalData.executionId = stored.id;
		additionalData.restartExecutionId = restartExecutionId;
		additionalData.setExecutionStatus = (status) => {
			statusUpdates.push(status);
		};
		// n8n pushes these to the editor session that started a manual run.
		additionalData.sendDataToUI = (type, data) => {
			if (type === 'sendConsoleMessage') uiMessages.push(data as unknown as UiMessage);
		};
		return { additionalData, uiMessages, statusUpdates };
	}

	/** Waits for a run, saves it like n8n's `workflowExecuteAfter` save hook, returns the result. */
	async finish(
		stored: StoredExecution,
		execution: ReturnType<WorkflowExecute['processRunExecutionData']>,
		context: ReturnType<TestEngine['createRunContext']>,
		abortSignal?: AbortSignal,
	): Promise<RunResult> {
		const cancel = () => execution.cancel();
		if (abortSignal?.aborted) cancel();
		abortSignal?.addEventListener('abort', cancel, { once: true });
		let fullRunData: IRun;
		try {
			fullRunData = await execution;
		} finally {
			abortSignal?.removeEventListener('abort', cancel);
		}
		stored.status = fullRunData.status;
		stored.finished = fullRunData.finished === true;
		stored.waitTill = fullRunData.waitTill ?? undefined;
		stored.data = flatten(fullRunData.data);
		return this.toRunResult(stored, fullRunData, context);
	}

	private toRunResult(
		stored: StoredExecution,
		fullRunData: IRun,
		context: ReturnType<TestEngine['createRunContext']>,
	): RunResult {
		const data = fullRunData.data;
		const runData = data.resultData.runData;
		const resumeUrl = new URL(`${this.webhookUrl}webhook-waiting/${stored.id}`);
		if (data.resumeToken) resumeUrl.searchParams.set(WAITING_TOKEN_QUERY_PARAM, data.resumeToken);
		return {
			executionId: stored.id,
			status: fullRunData.status,
			finished: fullRunData.finished === true,
			waitTill: fullRunData.waitTill ?? undefined,
			runData,
			lastNodeExecuted: data.resultData.lastNodeExecuted,
			error: data.resultData.error,
			outputOf(nodeName, outputIndex = 0) {
				const runs = runData[nodeName];
				if (!runs?.length) {
					throw new Error(
						`Node "${nodeName}" did not run. Nodes that ran: ${Object.keys(runData).join(', ') || 'none'}`,
					);
				}
				return runs[runs.length - 1].data?.main?.[outputIndex] ?? [];
			},
			uiMessages: context.uiMessages,
			statusUpdates: context.statusUpdates,
			resumeUrl: resumeUrl.toString(),
			data,
		};
	}

	/**
	 * `ActiveExecutions.add` for a waiting execution: it becomes `running` only if it is still
	 * `waiting`, otherwise n8n throws `ExecutionAlreadyResumingError` (the caller then answers 500).
	 */
	claimForResume(executionId: string) {
		const stored = this.executions.get(executionId);
		if (!stored || stored.status !== 'waiting') {
			throw new UnexpectedError(`Execution "${executionId}" is already resuming`);
		}
		stored.status = 'running';
	}

	/** Resumes a waiting execution with the given data, like `WorkflowRunner.run` -> `runMainProcess`. */
	async resume(executionId: string, runExecutionData: IRunExecutionData): Promise<RunResult> {
		const stored = this.executions.get(executionId);
		if (!stored) throw new UnexpectedError(`Unknown execution ${executionId}`);
		stored.status = 'running';
		const workflow = this.createWorkflow(stored.workflowData);
		const context = this.createRunContext(stored, executionId);
		const execution = new WorkflowExecute(
			context.additionalData,
			stored.mode,
			runExecutionData,
		).processRunExecutionData(workflow);
		return await this.finish(stored, execution, context);
	}

	private findStartNode(nodes: INode[]): INode {
		const triggers = nodes.filter((n) => n.type === TEST_TRIGGER_TYPE);
		if (triggers.length !== 1) {
			throw new Error(
				`The workflow needs exactly one node of type "${TEST_TRIGGER_TYPE}" ; found ${triggers.length}`,
			);
		}
		return triggers[0];
	}
}
