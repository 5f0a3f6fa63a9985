/**
 * n8n 2.41.1's path for a chat message that arrives while an execution waits (the hosted chat's
 * websocket, `chat/chat-service.js` `resumeExecution` -> `chat/chat-execution-manager.js`
 * `runWorkflow`), minus the websocket and the database:
 * - only an execution whose waiting node type has `onMessage` is resumed (`canResumeOverChat`);
 * - `runNode`: a real n8n-core `ExecuteContext` in `manual` mode over the saved run data, the
 *   waiting stack entry as execute data, then `nodeType.onMessage(context, { json: message })`;
 * - `getRunData`: what `onMessage` returns becomes the waiting entry's input, and the run resumes
 *   (the engine disables the waiting node, which hands that data on).
 * A throw from `onMessage` is logged by n8n and the execution stays waiting: returned here as `error`.
 */
import { ExecuteContext } from 'n8n-core';
import type { INodeExecutionData } from 'n8n-workflow';

import type { RunResult, TestEngine } from './engine';

export interface ChatMessage {
	sessionId: string;
	chatInput: string;
	action?: string;
}

export type ChatMessageResult =
	| { resumed: true; run: RunResult }
	| { resumed: false; reason: 'not_resumable' | 'error'; error?: Error };

export async function sendChatMessage(
	engine: TestEngine,
	waiting: RunResult,
	message: ChatMessage,
): Promise<ChatMessageResult> {
	const execution = engine.loadExecution(waiting.executionId);
	if (!execution || execution.status !== 'waiting')
		return { resumed: false, reason: 'not_resumable' };
	const workflow = engine.createWorkflow(execution.workflowData);
	const executionData = execution.data.executionData?.nodeExecutionStack[0];
	const node = executionData ? workflow.getNode(executionData.node.name) : null;
	if (!executionData || !node) return { resumed: false, reason: 'not_resumable' };
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (typeof nodeType.onMessage !== 'function') return { resumed: false, reason: 'not_resumable' };

	const additionalData = engine.createBaseAdditionalData(workflow.id);
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'manual',
		execution.data,
		0,
		executionData.data.main[0] ?? [],
		executionData.data,
		executionData,
		[],
	);
	const item: INodeExecutionData = {
		json: {
			sessionId: message.sessionId,
			action: message.action ?? 'sendMessage',
			chatInput: message.chatInput,
		},
	};
	let result: INodeExecutionData[][];
	try {
		result = (await nodeType.onMessage(context, item)) as INodeExecutionData[][];
	} catch (error) {
		return { resumed: false, reason: 'error', error: error as Error };
	}
	executionData.data.main = result;
	engine.claimForResume(execution.id);
	return { resumed: true, run: await engine.resume(execution.id, execution.data) };
}
