/**
 * n8n 2.41.1's path for a request to `/webhook-waiting/<executionId>[/<suffix>]?signature=<token>`,
 * minus the HTTP server and the database. Each step follows the compiled source:
 * - `webhooks/webhook-request-handler.js` `WebhookRequestHandler.handleRequest` (method check, CORS,
 *   turning the result into the HTTP response, errors through `ResponseHelper.sendErrorResponse`);
 * - `webhooks/waiting-webhooks.js` `WaitingWebhooks.executeWebhook` / `getWebhookExecutionData`
 *   (token check, 404/409 cases, disabling the waiting node, popping its waiting run, finding the
 *   webhook by method and path);
 * - `webhooks/webhook.service.js` `getNodeWebhooks` / `runWebhook` (a real n8n-core `WebhookContext`
 *   built with the saved run execution data);
 * - `webhooks/webhook-helpers.js` `executeWebhook` / `prepareExecutionData` (response mode, body
 *   parsing, what happens when `webhook()` throws, resuming with `workflowData` as the node's output
 *   via `forwardAllOutputs`, the `onReceived` response).
 * Only the `onReceived` response mode is implemented (others throw a harness error); forms and
 * send-and-wait HMAC signatures are not.
 */
import type {
	IDataObject,
	INode,
	IPinData,
	IRunData,
	IRunExecutionData,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
	Workflow,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	NodeHelpers,
	OperationalError,
	UnexpectedError,
	UserError,
	WorkflowConfigurationError,
	NodeOperationError,
	isNodeClassInstance,
	resolveWebhookDescriptionField,
} from 'n8n-workflow';
import {
	WAITING_TOKEN_QUERY_PARAM,
	WebhookContext,
	getHtmlSandboxCSP,
	isWebhookHtmlSandboxingDisabled,
} from 'n8n-core';
import { timingSafeEqual } from 'node:crypto';
import {
	FakeResponse,
	HarnessError,
	createFakeRequest,
	parseBody,
	type FakeRequest,
} from './http-fakes';
import type { CallWebhookOptions, RunResult, TestEngine } from './engine';

export interface WebhookCallResult {
	statusCode: number;
	headers: Record<string, string>;
	/** The response body as text. */
	body: string;
	/** Whether n8n resumed the execution (the node returned `workflowData`). */
	resumed: boolean;
	/** The execution after it resumed and ran to its next stop (only when `resumed`). */
	result?: RunResult;
	/** What the node's `webhook()` returned (undefined if it threw or was never called). */
	webhookResult?: IWebhookResponseData;
	/** The error `webhook()` threw, if it did (n8n answers 500 and still resumes: see the report). */
	webhookError?: Error;
}

/** n8n's `ResponseError` family (status code carried by the error). */
class ResponseError extends Error {
	constructor(
		message: string,
		readonly httpStatusCode: number,
	) {
		super(message);
	}
}

const WEBHOOK_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'];

interface LegacyResponse {
	kind: 'legacy';
	data?: unknown;
	responseCode?: number;
	headers?: Record<string, string>;
	noWebhookResponse?: boolean;
}

interface StaticResponse {
	kind: 'static';
	body: unknown;
	code?: number;
	headers: Map<string, string>;
}

type ManagerResponse = LegacyResponse | StaticResponse;

interface CallState {
	resumePromise?: Promise<RunResult>;
	webhookResult?: IWebhookResponseData;
	webhookError?: Error;
}

export async function handleWaitingWebhookRequest(
	engine: TestEngine,
	waiting: RunResult,
	opts: CallWebhookOptions,
): Promise<WebhookCallResult> {
	const executionId = waiting.execution.id;
	const suffix = opts.path ? opts.path.replace(/^\/+/, '') : undefined;
	const stored = engine.loadExecution(executionId);
	const query: Record<string, string | string[]> = { ...(opts.query ?? {}) };
	const signature = opts.signature === undefined ? stored?.data.resumeToken : opts.signature;
	if (signature !== null && signature !== undefined) query[WAITING_TOKEN_QUERY_PARAM] = signature;
	const search = new URLSearchParams();
	for (const [key, value] of Object.entries(query)) {
		for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
	}
	const host = new URL(engine.webhookUrl).host;
	const path = `/webhook-waiting/${executionId}${suffix ? `/${suffix}` : ''}`;
	const req = createFakeRequest({
		method: opts.method,
		url: search.size ? `${path}?${search.toString()}` : path,
		host,
		headers: opts.headers,
		body: opts.body,
	});
	const res = new FakeResponse(req);
	const state: CallState = {};

	// WebhookRequestHandler.handleRequest
	try {
		if (!WEBHOOK_METHODS.includes(req.method)) {
			throw new UnexpectedError(`The method ${req.method} is not supported.`);
		}
		if ('origin' in req.headers) res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
		const response = await new Promise<ManagerResponse>((resolve, reject) => {
			executeWaitingWebhook(engine, executionId, suffix, opts, req, res, state, (error, data) => {
				if (error) reject(error);
				else resolve(data!);
			}).catch(reject);
		});
		if (response.kind === 'static') {
			if (response.code !== undefined) res.status(response.code);
			res.setHeaders(response.headers);
			applySandboxCSP(res);
			if (typeof response.body === 'string') res.send(response.body);
			else res.json(response.body);
		} else if (response.noWebhookResponse !== true) {
			if (response.responseCode !== undefined) res.status(response.responseCode);
			if (response.headers) {
				res.setHeaders(
					new Map(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), String(v)])),
				);
				applySandboxCSP(res);
			}
			if (typeof response.data === 'string') res.send(response.data);
			else res.json(response.data);
		}
	} catch (e) {
		// a test asking for something the harness does not do fails the test instead of answering 500
		if (e instanceof HarnessError) throw e;
		sendErrorResponse(res, e as Error);
	}

	const result = state.resumePromise ? await state.resumePromise : undefined;
	return {
		statusCode: res.statusCode,
		headers: res.headersObject(),
		body: res.bodyText(),
		resumed: state.resumePromise !== undefined,
		result,
		webhookResult: state.webhookResult,
		webhookError: state.webhookError,
	};
}

/** `ResponseHelper.sendErrorResponse` with `serializeInternalRestError`. */
function sendErrorResponse(res: FakeResponse, error: Error) {
	if (error instanceof ResponseError) {
		res.status(error.httpStatusCode).json({ code: error.httpStatusCode, message: error.message });
	} else if (error instanceof UserError) {
		res.status(400).json({ code: 0, message: error.message });
	} else {
		res.status(500).json({ code: 0, message: error.message ?? 'Unknown error' });
	}
}

function applySandboxCSP(res: FakeResponse) {
	if (isWebhookHtmlSandboxingDisabled()) return;
	res.setHeader('Content-Security-Policy', getHtmlSandboxCSP());
}

type ResponseCallback = (error: Error | null, data?: ManagerResponse) => void;

/** `WaitingWebhooks.executeWebhook` + `getWebhookExecutionData`. */
async function executeWaitingWebhook(
	engine: TestEngine,
	executionId: string,
	suffixParam: string | undefined,
	opts: CallWebhookOptions,
	req: FakeRequest,
	res: FakeResponse,
	state: CallState,
	responseCallback: ResponseCallback,
): Promise<void> {
	let suffix = suffixParam;
	req.params = {};
	const execution = engine.loadExecution(executionId);

	if (execution?.data.resumeToken) {
		// validateToken (send-and-wait HMAC signatures are not supported by the harness)
		const url = new URL(req.url, `http://${req.headers.host}`);
		let token = url.searchParams.get(WAITING_TOKEN_QUERY_PARAM) ?? undefined;
		let webhookPath: string | undefined;
		if (token?.includes('/')) {
			const slashIndex = token.indexOf('/');
			webhookPath = token.slice(slashIndex + 1);
			token = token.slice(0, slashIndex);
		}
		const storedToken = execution.data.resumeToken;
		const valid =
			!!token &&
			token.length === storedToken.length &&
			timingSafeEqual(Buffer.from(token), Buffer.from(storedToken));
		if (!valid) {
			res.status(401).json({ error: 'Invalid token' });
			return responseCallback(null, { kind: 'legacy', noWebhookResponse: true });
		}
		if (!suffix && webhookPath) suffix = webhookPath;
	}
	if (!execution) throw new ResponseError(`The execution "${executionId}" does not exist.`, 404);
	if (execution.status === 'running') {
		throw new ResponseError(`The execution "${executionId}" is running already.`, 409);
	}
	if (execution.data?.resultData?.error) {
		throw new ResponseError(`The execution "${executionId}" has finished with error.`, 409);
	}
	if (execution.finished) {
		throw new ResponseError(`The execution "${executionId} has finished already.`, 409);
	}
	const lastNodeExecuted = execution.data.resultData.lastNodeExecuted!;
	if (opts.nodeName !== undefined && opts.nodeName !== lastNodeExecuted) {
		throw new HarnessError(
			`callWebhook({ nodeName: "${opts.nodeName}" }) but n8n calls the execution's last node, "${lastNodeExecuted}"`,
		);
	}
	applyCors(req, res);

	// getWebhookExecutionData
	execution.data.executionData!.nodeExecutionStack[0].node.disabled = true;
	execution.data.waitTill = undefined;
	preserveInputOverride(execution.data.resultData.runData, lastNodeExecuted);
	const { workflowData } = execution;
	const workflow = engine.createWorkflow(workflowData);
	const workflowStartNode = workflow.getNode(lastNodeExecuted);
	if (workflowStartNode === null)
		throw new ResponseError('Could not find node to process webhook.', 404);
	const additionalData = engine.createBaseAdditionalData(workflow.id);
	const webhookData = getNodeWebhooks(workflow, workflowStartNode, additionalData).find(
		(webhook) =>
			webhook.httpMethod === req.method &&
			webhook.path === (suffix ?? '') &&
			webhook.webhookDescription.restartWebhook === true &&
			(webhook.webhookDescription.nodeType === 'form' || false) === false,
	);
	if (webhookData === undefined) {
		throw new ResponseError(
			`The workflow for execution "${executionId}" does not contain a waiting webhook with a matching path/method.`,
			404,
		);
	}
	await workflow.expression.acquireIsolate();
	try {
		await executeWebhook(
			engine,
			workflow,
			webhookData,
			workflowStartNode,
			execution.mode,
			execution.data,
			executionId,
			req,
			res,
			state,
			responseCallback,
			workflowData.pinData,
		);
	} finally {
		await workflow.expression.releaseIsolate();
	}
}

function applyCors(req: FakeRequest, res: FakeResponse) {
	if (res.getHeader('Access-Control-Allow-Origin')) return;
	const origin = req.headers.origin;
	res.setHeader('Access-Control-Allow-Origin', !origin || origin === 'null' ? '*' : origin);
	res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
	res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
}

/** n8n `workflow-helpers.preserveInputOverride`: drops the waiting run of the node. */
function preserveInputOverride(runData: IRunData, nodeName: string) {
	const runDataArray = runData[nodeName];
	const entryToPop = runDataArray.pop()!;
	if (entryToPop.inputOverride) {
		runDataArray.push({
			startTime: 0,
			executionTime: 0,
			executionIndex: 0,
			source: entryToPop.source,
			inputOverride: entryToPop.inputOverride,
		});
	}
}

/** `WebhookService.getNodeWebhooks` for one node. */
function getNodeWebhooks(
	workflow: Workflow,
	node: INode,
	additionalData: IWorkflowExecuteAdditionalData,
): IWebhookData[] {
	if (node.disabled === true) return [];
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (nodeType.description.webhooks === undefined) return [];
	const workflowId = workflow.id || '__UNSAVED__';
	const returnData: IWebhookData[] = [];
	const evaluate = (description: IWebhookDescription, property: string, defaultValue?: unknown) => {
		const native = resolveWebhookDescriptionField(node, description, property);
		if (native.resolved) return native.value;
		return workflow.expression.getSimpleParameterValue(
			node,
			description[property] as string,
			'internal',
			{},
			undefined,
			defaultValue as never,
		);
	};
	for (const webhookDescription of nodeType.description.webhooks) {
		let nodeWebhookPath = evaluate(webhookDescription, 'path');
		if (nodeWebhookPath === undefined || nodeWebhookPath === null) continue;
		nodeWebhookPath = String(nodeWebhookPath).trim().replace(/^\//, '').replace(/\/$/, '');
		const isFullPath = evaluate(webhookDescription, 'isFullPath', false) as boolean;
		const restartWebhook = evaluate(webhookDescription, 'restartWebhook', false) as boolean;
		const path = NodeHelpers.getNodeWebhookPath(
			workflowId,
			node,
			nodeWebhookPath,
			isFullPath,
			restartWebhook,
		);
		const webhookMethods = evaluate(webhookDescription, 'httpMethod', 'GET');
		if (webhookMethods === undefined) continue;
		for (const httpMethod of String(webhookMethods).split(',')) {
			if (!httpMethod) continue;
			returnData.push({
				httpMethod: httpMethod.trim() as IWebhookData['httpMethod'],
				node: node.name,
				path,
				webhookDescription,
				workflowId,
				workflowExecuteAdditionalData: additionalData,
			});
		}
	}
	return returnData;
}

/** `webhook-helpers.executeWebhook`, for a waiting execution (`executionId` set). */
async function executeWebhook(
	engine: TestEngine,
	workflow: Workflow,
	webhookData: IWebhookData,
	workflowStartNode: INode,
	executionMode: WorkflowExecuteMode,
	loadedRunExecutionData: IRunExecutionData,
	executionId: string,
	req: FakeRequest,
	res: FakeResponse,
	state: CallState,
	responseCallback: ResponseCallback,
	pinData: IPinData | undefined,
): Promise<void> {
	let runExecutionData = loadedRunExecutionData;
	const additionalKeys: IDataObject = { $executionId: executionId };
	const description = webhookData.webhookDescription;
	// WebhookExecutionContext
	const evaluateSimple = (property: string, defaultValue?: unknown) => {
		const native = resolveWebhookDescriptionField(workflowStartNode, description, property);
		if (native.resolved) return native.value;
		return workflow.expression.getSimpleParameterValue(
			workflowStartNode,
			description[property] as string,
			executionMode,
			additionalKeys as never,
			undefined,
			defaultValue as never,
		);
	};
	const evaluateComplex = (property: string, defaultValue?: unknown) => {
		const native = resolveWebhookDescriptionField(workflowStartNode, description, property);
		if (native.resolved) return native.value;
		return workflow.expression.getComplexParameterValue(
			workflowStartNode,
			description[property] as string,
			executionMode,
			additionalKeys as never,
			undefined,
			defaultValue as never,
		);
	};

	const additionalData = engine.createBaseAdditionalData(workflow.id);
	additionalData.executionId = executionId;

	// evaluateResponseOptions (autoDetectResponseMode only matters for n8n's Form/Wait/Chat nodes)
	const responseMode = evaluateSimple('responseMode', 'onReceived');
	const responseCode = evaluateSimple('responseCode', 200) as number;
	const responseData = evaluateComplex('responseData', 'firstEntryJson');
	const supported = [
		'onReceived',
		'lastNode',
		'responseNode',
		'formPage',
		'streaming',
		'hostedChat',
	];
	if (!supported.includes(responseMode as string)) {
		const errorMessage = `The response mode '${responseMode}' is not valid!`;
		responseCallback(new UnexpectedError(errorMessage));
		throw new ResponseError(errorMessage, 500);
	}
	if (responseMode !== 'onReceived') {
		throw new HarnessError(
			`response mode "${String(responseMode)}" is not implemented, only "onReceived"`,
		);
	}

	additionalData.httpRequest = req as never;
	additionalData.httpResponse = res as never;

	let didSendResponse = false;
	let runExecutionDataMerge: Partial<IRunExecutionData> = {};
	try {
		let webhookResultData: IWebhookResponseData;
		// parseRequestBody
		let binaryData: unknown;
		if (workflowStartNode.typeVersion === 1) {
			binaryData = workflow.expression.getSimpleParameterValue(
				workflowStartNode,
				'={{$parameter["options"]["binaryData"]}}',
				executionMode,
				additionalKeys as never,
				undefined,
				false,
			);
		}
		if (!binaryData) {
			const parsable = isParsableContentType(req.contentType);
			if (
				!(workflowStartNode.typeVersion > 1 && !parsable) ||
				req.contentType === 'multipart/form-data'
			) {
				await parseBody(req);
			}
		}

		try {
			// WebhookService.runWebhook
			const nodeType = workflow.nodeTypes.getByNameAndVersion(
				workflowStartNode.type,
				workflowStartNode.typeVersion,
			);
			if (nodeType.webhook === undefined) {
				throw new UnexpectedError('Node does not have any webhooks defined', {
					extra: { nodeName: workflowStartNode.name },
				});
			}
			const closeFunctions: Array<() => Promise<void>> = [];
			const context = new WebhookContext(
				workflow,
				workflowStartNode,
				additionalData,
				executionMode,
				webhookData,
				closeFunctions,
				runExecutionData,
			);
			try {
				webhookResultData = isNodeClassInstance(nodeType)
					? await (
							nodeType as unknown as {
								webhook: (c: WebhookContext) => Promise<IWebhookResponseData>;
							}
						).webhook(context)
					: await nodeType.webhook.call(context);
			} finally {
				await Promise.allSettled(closeFunctions.map(async (fn) => await fn()));
			}
			state.webhookResult = webhookResultData;
		} catch (err) {
			const error = err as Error;
			state.webhookError = error;
			const errorMessage =
				(error instanceof NodeOperationError && error.type === 'manual-form-test') ||
				error instanceof WorkflowConfigurationError
					? error.message
					: 'Workflow Webhook Error: Workflow could not be started!';
			responseCallback(new UnexpectedError(errorMessage));
			didSendResponse = true;
			runExecutionDataMerge = {
				resultData: {
					runData: {},
					lastNodeExecuted: workflowStartNode.name,
					error: { ...error, message: error.message, stack: error.stack } as never,
				},
			};
			webhookResultData = { noWebhookResponse: true, workflowData: [[{ json: {} }]] };
		}

		if (description.responseHeaders !== undefined) {
			throw new HarnessError('webhook descriptions with responseHeaders are not implemented');
		}

		if (webhookResultData.noWebhookResponse === true && !didSendResponse) {
			responseCallback(null, { kind: 'legacy', noWebhookResponse: true });
			didSendResponse = true;
		}

		if (webhookResultData.workflowData === undefined) {
			if (!didSendResponse) {
				responseCallback(null, {
					kind: 'legacy',
					data:
						webhookResultData.webhookResponse !== undefined
							? webhookResultData.webhookResponse
							: { message: 'Webhook call received' },
					responseCode,
				});
				didSendResponse = true;
			}
			return;
		}

		const shouldDeferOnReceivedResponse = responseMode === 'onReceived' && !didSendResponse;

		// prepareExecutionData, for a waiting execution
		const resumingNodeExecutionData = runExecutionData.executionData!.nodeExecutionStack[0];
		resumingNodeExecutionData.data.main = webhookResultData.workflowData ?? [];
		resumingNodeExecutionData.metadata = {
			...resumingNodeExecutionData.metadata,
			forwardAllOutputs: true,
		};
		if (Object.keys(runExecutionDataMerge).length !== 0) {
			runExecutionData = Object.assign(runExecutionData, runExecutionDataMerge);
		}
		if (['manual', 'evaluation'].includes(executionMode)) {
			runExecutionData.resultData.pinData = pinData;
		}

		// WorkflowRunner.run: the execution is marked running and resumes in the background.
		engine.claimForResume(executionId);
		state.resumePromise = engine.resume(executionId, runExecutionData);

		if (shouldDeferOnReceivedResponse) {
			additionalKeys.$executionId = executionId;
			additionalKeys.$execution = {
				id: executionId,
				mode: executionMode === 'manual' ? 'test' : 'production',
				resumeUrl: `${additionalData.webhookWaitingBaseUrl}/${executionId}`,
				resumeFormUrl: `${additionalData.formWaitingBaseUrl}/${executionId}`,
			};
			const evaluatedResponseData = evaluateComplex('responseData', 'firstEntryJson');
			const responseBody = extractWebhookOnReceivedResponse(
				evaluatedResponseData,
				webhookResultData,
			);
			responseCallback(null, {
				kind: 'static',
				body: responseBody,
				code: responseCode,
				headers: new Map(),
			});
			didSendResponse = true;
		}
		void responseData;
	} catch (e) {
		let error: Error;
		if (e instanceof ResponseError && e.httpStatusCode < 500) {
			error = e;
		} else if (e instanceof HarnessError) {
			error = e;
		} else {
			error = new OperationalError('There was a problem executing the workflow', { cause: e });
		}
		if (didSendResponse) throw error;
		responseCallback(error);
	}
}

function isParsableContentType(contentType?: string) {
	if (!contentType) return false;
	return (
		contentType.startsWith('application/json') ||
		contentType.startsWith('text/plain') ||
		contentType.startsWith('application/x-www-form-urlencoded') ||
		contentType.endsWith('/xml') ||
		contentType.endsWith('+xml')
	);
}

/** `webhook-on-received-response-extractor.extractWebhookOnReceivedResponse`. */
function extractWebhookOnReceivedResponse(
	responseData: unknown,
	webhookResultData: IWebhookResponseData,
): unknown {
	if (responseData === 'noData') return undefined;
	if (responseData) return responseData;
	if (webhookResultData.webhookResponse !== undefined) return webhookResultData.webhookResponse;
	return { message: 'Workflow was started' };
}
