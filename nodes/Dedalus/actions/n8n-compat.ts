import type { IExecuteFunctions } from 'n8n-workflow';

// The package supports n8n from 1.85 up (README, Compatibility). Context methods that newer n8n
// added are reached only through these guards, so a 1.x run never calls a method it lacks;
// test/nodes/Dedalus/n8n-1x-context.engine.test.ts runs the node with them removed.

/**
 * Whether this run answers an AI agent's tool call. `isToolExecution()` arrived with n8n 2.x; n8n
 * 1.x (like 2.x) runs a tool's execute() in a SupplyDataContext whose connection type is
 * `ai_tool`, which is the fact 2.x's method reads.
 */
export function isToolCall(context: IExecuteFunctions): boolean {
	if (typeof context.isToolExecution === 'function') return context.isToolExecution();
	return (context as { connectionType?: unknown }).connectionType === 'ai_tool';
}

/**
 * Shows hints in the output pane. n8n 1.x has no `addExecutionHints()` in a tool's context (only
 * in a workflow node's): there the hints are dropped; the agent still gets the answer.
 */
export function addOutputHints(context: IExecuteFunctions, messages: string[]): void {
	if (messages.length === 0 || typeof context.addExecutionHints !== 'function') return;
	context.addExecutionHints(
		...messages.map((message) => ({ message, location: 'outputPane' as const })),
	);
}

/**
 * Whether n8n hands on every output of a resumed node. Before n8n 2.39 it forwards only the
 * first output of what webhook() returns (n8n issue 12823), so with a wait limit the results
 * (output 1, "Success") would be dropped after consent. n8n 1.x is recognised by its missing
 * isToolExecution(); 2.0 to 2.38 cannot be told apart from 2.39 here (README, Compatibility).
 */
export function resumesEveryOutput(context: IExecuteFunctions): boolean {
	return typeof context.isToolExecution === 'function';
}
