/**
 * n8n 2.41.1's route for a request to `/webhook-waiting/<executionId>[/<suffix>]?signature=<token>`,
 * minus the HTTP server and the database. It follows these compiled files of the `n8n` package
 * 2.41.1 (`dist/webhooks/`), keeping only the branches the Dedalus node goes through and the ones
 * its design is built around (a throw from `webhook()`, `workflowData` without a response of the
 * node's own, two resumes at once), which `engine.test.ts` pins:
 * - `webhook-request-handler.js` `WebhookRequestHandler.handleRequest`: an error becomes the HTTP
 *   response through `ResponseHelper.sendErrorResponse`;
 * - `waiting-webhooks.js` `WaitingWebhooks.executeWebhook` / `getWebhookExecutionData`: the token
 *   check, the 404/409 cases, disabling the waiting node, dropping its waiting run, finding the
 *   webhook by method and path;
 * - `webhook-helpers.js` `executeWebhook` / `prepareExecutionData`: body parsing, `webhook()` in a
 *   real n8n-core `WebhookContext`, what happens when it throws, resuming with `workflowData` as the
 *   node's output (`forwardAllOutputs`), the `onReceived` response.
 * Not reproduced (asking for it throws a `Harness:` error, never a made-up answer): response modes
 * other than `onReceived`, webhook description fields given as expressions, `responseHeaders`,
 * bodies other than JSON, binary data. Never reached by these nodes, so left out
 * silently: CORS headers, form pages, send-and-wait HMAC signatures, pin data of manual resumes.
 */
import type {
	IRunData,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
} from 'n8n-workflow';
import { OperationalError, UnexpectedError, WorkflowConfigurationError } from 'n8n-workflow';
import { WAITING_TOKEN_QUERY_PARAM, WebhookContext, getHtmlSandboxCSP } from 'n8n-core';
import { timingSafeEqual } from 'node:crypto';
import { FakeResponse, HarnessError, createFakeRequest, parseBody } from './http-fakes';
import type { FakeRequest } from './http-fakes';
import type { CallWebhookOptions, RunResult, TestEngine } from './engine';

export interface WebhookCallResult {
	statusCode: number;
	headers: Record<string, string>;
	/** The response body as text. */
	body: string;
	/** Whether n8n resumed the execution (the node returned `workflowData`, or threw). */
	resumed: boolean;
	/** The execution after it resumed and ran to its next stop (only when `resumed`). */
	result?: RunResult;
	/** What the node's `webhook()` returned (undefined if it threw or was never called). */
	webhookResult?: IWebhookResponseData;
	/** The error `webhook()` threw, if it did (n8n answers 500 and still resumes: docs/architecture.md). */
	webhookError?: Error;
}

/** n8n's `ResponseError` family: the status code travels with the error. */
class ResponseError extends Error {
	constructor(
		message: string,
		readonly httpStatusCode: number,
	) {
		super(message);
	}
}

interface Call {
	engine: TestEngine;
	executionId: string;
	req: FakeRequest;
	res: FakeResponse;
	resumePromise?: Promise<RunResult>;
	webhookResult?: IWebhookResponseData;
	webhookError?: Error;
}

export async function handleWaitingWebhookRequest(
	engine: TestEngine,
	waiting: RunResult,
	opts: CallWebhookOptions,
): Promise<WebhookCallResult> {
	const { executionId } = waiting;
	const suffix = (opts.path ?? '').replace(/^\/+/, '');
	const query = new URLSearchParams();
	for (const [key, value] of Object.entries(opts.query ?? {})) {
		for (const v of Array.isArray(value) ? value : [value]) query.append(key, v);
	}
	const signature =
		opts.signature === undefined
			? engine.loadExecution(executionId)?.data.resumeToken
			: opts.signature;
	if (signature) query.set(WAITING_TOKEN_QUERY_PARAM, signature);
	const path = `/webhook-waiting/${executionId}${suffix ? `/${suffix}` : ''}`;
	const req = createFakeRequest({
		method: opts.method,
		url: query.size ? `${path}?${query.toString()}` : path,
		host: new URL(engine.webhookUrl).host,
		headers: opts.headers,
		body: opts.body,
	});
	const call: Call = { engine, executionId, req, res: new FakeResponse() };

	try {
		await executeWaitingWebhook(call, suffix, opts.nodeName);
	} catch (e) {
		// A test asking for something the harness does not do fails instead of getting a 500.
		if (e instanceof HarnessError) throw e;
		sendErrorResponse(call.res, e as Error);
	}

	return {
		statusCode: call.res.statusCode,
		headers: call.res.headersObject(),
		body: call.res.bodyText(),
		resumed: call.resumePromise !== undefined,
		result: call.resumePromise ? await call.resumePromise : undefined,
		webhookResult: call.webhookResult,
		webhookError: call.webhookError,
	};
}

/** `ResponseHelper.sendErrorResponse` with `serializeInternalRestError` (no-op once answered). */
function sendErrorResponse(res: FakeResponse, error: Error) {
	if (res.writableEnded) return;
	if (error instanceof ResponseError) {
		res.status(error.httpStatusCode).json({ code: error.httpStatusCode, message: error.message });
	} else {
		res.status(500).json({ code: 0, message: error.message });
	}
}

/** `WaitingWebhooks.executeWebhook` + `getWebhookExecutionData`. */
async function executeWaitingWebhook(call: Call, suffix: string, nodeName?: string) {
	const { engine, executionId, req, res } = call;
	const execution = engine.loadExecution(executionId);

	if (execution?.data.resumeToken) {
		const token = new URL(req.url, 'http://n8n').searchParams.get(WAITING_TOKEN_QUERY_PARAM) ?? '';
		const expected = execution.data.resumeToken;
		const valid =
			token.length === expected.length &&
			timingSafeEqual(Buffer.from(token), Buffer.from(expected));
		if (!valid) {
			res.status(401).json({ error: 'Invalid token' });
			return;
		}
	}
	if (!execution) throw new ResponseError(`The execution "${executionId}" does not exist.`, 404);
	if (execution.status === 'running') {
		throw new ResponseError(`The execution "${executionId}" is running already.`, 409);
	}
	if (execution.data.resultData.error) {
		throw new ResponseError(`The execution "${executionId}" has finished with error.`, 409);
	}
	if (execution.finished) {
		// sic: n8n 2.41.1's message lacks the closing quote
		throw new ResponseError(`The execution "${executionId} has finished already.`, 409);
	}
	const lastNodeExecuted = execution.data.resultData.lastNodeExecuted!;
	if (nodeName !== undefined && nodeName !== lastNodeExecuted) {
		throw new HarnessError(
			`callWebhook({ nodeName: "${nodeName}" }) but n8n calls the execution's last node, "${lastNodeExecuted}"`,
		);
	}

	// getWebhookExecutionData: the waiting node is disabled, so when the execution goes on, the
	// engine forwards what webhook() returned instead of running the node again.
	const runExecutionData = execution.data;
	runExecutionData.executionData!.nodeExecutionStack[0].node.disabled = true;
	runExecutionData.waitTill = undefined;
	dropWaitingRun(runExecutionData.resultData.runData, lastNodeExecuted);
	const workflow = engine.createWorkflow(execution.workflowData);
	const node = workflow.getNode(lastNodeExecuted)!;
	const description = findRestartWebhook(
		workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description.webhooks,
		req.method,
		suffix,
	);
	if (!description) {
		throw new ResponseError(
			`The workflow for execution "${executionId}" does not contain a waiting webhook with a matching path/method.`,
			404,
		);
	}
	if ((description.responseMode ?? 'onReceived') !== 'onReceived') {
		throw new HarnessError(
			`response mode "${String(description.responseMode)}" is not implemented`,
		);
	}
	if (description.responseHeaders !== undefined) {
		throw new HarnessError('webhook descriptions with responseHeaders are not implemented');
	}

	// webhook-helpers.executeWebhook
	const additionalData = engine.createBaseAdditionalData(workflow.id);
	additionalData.executionId = executionId;
	additionalData.httpRequest = req as never;
	additionalData.httpResponse = call.res as never;
	const webhookData: IWebhookData = {
		httpMethod: req.method as IWebhookData['httpMethod'],
		node: node.name,
		path: suffix,
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
	};
	// parseRequestBody: for a node of typeVersion 1 without the binaryData option, always.
	parseBody(req);

	let webhookResult: IWebhookResponseData;
	let answered = false;
	await workflow.expression.acquireIsolate();
	try {
		const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		const context = new WebhookContext(
			workflow,
			node,
			additionalData,
			execution.mode,
			webhookData,
			[],
			runExecutionData,
		);
		webhookResult = await nodeType.webhook!.call(context);
		call.webhookResult = webhookResult;
	} catch (err) {
		// n8n answers 500, and still resumes: with an empty item, and run data replaced by the error.
		const error = err as Error;
		call.webhookError = error;
		sendErrorResponse(
			call.res,
			new UnexpectedError(
				error instanceof WorkflowConfigurationError
					? error.message
					: 'Workflow Webhook Error: Workflow could not be started!',
			),
		);
		answered = true;
		runExecutionData.resultData = {
			runData: {},
			lastNodeExecuted: node.name,
			error: { ...error, message: error.message, stack: error.stack } as never,
		};
		webhookResult = { noWebhookResponse: true, workflowData: [[{ json: {} }]] };
	} finally {
		await workflow.expression.releaseIsolate();
	}

	// The node wrote the response itself.
	if (webhookResult.noWebhookResponse === true) answered = true;

	if (webhookResult.workflowData === undefined) {
		if (!answered) {
			res.status(Number(description.responseCode ?? 200));
			respondWith(res, webhookResult.webhookResponse ?? { message: 'Webhook call received' });
		}
		return;
	}

	// prepareExecutionData: what webhook() returned becomes the waiting node's output.
	const resuming = runExecutionData.executionData!.nodeExecutionStack[0];
	resuming.data.main = webhookResult.workflowData;
	resuming.metadata = { ...resuming.metadata, forwardAllOutputs: true };
	try {
		// WorkflowRunner.run: the execution is claimed (running) and resumes in the background.
		engine.claimForResume(executionId);
	} catch (e) {
		throw new OperationalError('There was a problem executing the workflow', { cause: e });
	}
	call.resumePromise = engine.resume(executionId, runExecutionData);

	if (!answered) {
		// The description's responseData, by default the literal 'firstEntryJson', wins over
		// webhookResponse (extractWebhookOnReceivedResponse), and n8n sandboxes it with a CSP.
		res.status(Number(description.responseCode ?? 200));
		res.setHeader('Content-Security-Policy', getHtmlSandboxCSP());
		respondWith(res, description.responseData ?? 'firstEntryJson');
	}
}

function respondWith(res: FakeResponse, body: unknown) {
	if (typeof body === 'string') res.send(body);
	else res.json(body);
}

/** `WebhookService.getNodeWebhooks` + the match in `getWebhookExecutionData`, for literal descriptions. */
function findRestartWebhook(
	descriptions: IWebhookDescription[] | undefined,
	method: string,
	suffix: string,
): IWebhookDescription | undefined {
	return descriptions?.find((description) => {
		for (const field of [
			'httpMethod',
			'path',
			'responseMode',
			'responseCode',
			'responseData',
		] as const) {
			if (typeof description[field] === 'string' && description[field].startsWith('=')) {
				throw new HarnessError(
					`webhook description field "${field}" as an expression is not implemented`,
				);
			}
		}
		const path = String(description.path).trim().replace(/^\//, '').replace(/\/$/, '');
		return (
			description.restartWebhook === true &&
			path === suffix &&
			String(description.httpMethod ?? 'GET')
				.split(',')
				.map((m) => m.trim())
				.includes(method)
		);
	});
}

/** n8n `workflow-helpers.preserveInputOverride`: drops the waiting run of the node. */
function dropWaitingRun(runData: IRunData, nodeName: string) {
	const runs = runData[nodeName];
	const waitingRun = runs.pop()!;
	if (waitingRun.inputOverride) {
		runs.push({
			startTime: 0,
			executionTime: 0,
			executionIndex: 0,
			source: waitingRun.source,
			inputOverride: waitingRun.inputOverride,
		});
	}
}
