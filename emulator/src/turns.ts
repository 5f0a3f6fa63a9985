import { isPlainObject } from './http';
import type { EmulatorState } from './state';

/**
 * What a tool loop costs in time, so benchmarks can compare a loop run on Dedalus's side with one
 * run by the caller at equal prices: every model turn costs `modelTurnMs`, every MCP tool call
 * `toolCallMs`, on /v1/chat/completions and on the MCP endpoint alike.
 * A chat request that ran MCP tools took two model turns (decide to call, then answer).
 */
export function turnDelayMs(state: EmulatorState, mcpToolCalls: number): number {
	const turns = mcpToolCalls > 0 ? 2 : 1;
	return state.modelTurnMs * turns + state.toolCallMs * mcpToolCalls;
}

export function parseTurns(body: unknown): { modelTurnMs: number; toolCallMs: number } | undefined {
	if (!isPlainObject(body)) return undefined;
	const ok = (v: unknown): v is number =>
		typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 120_000;
	const modelTurnMs = body.modelTurnMs ?? 0;
	const toolCallMs = body.toolCallMs ?? 0;
	if (!ok(modelTurnMs) || !ok(toolCallMs)) return undefined;
	return { modelTurnMs, toolCallMs };
}
