// Pure helpers of the media section's memory measurement (bench/src/media.ts), unit tested in
// test/bench/memory-window.test.ts.

export interface LiveSample {
	/** n8n's Date.now() when it was read. */
	at: number;
	/** heapUsed + external, right after a full GC. */
	live: number;
}

/**
 * The node's extra live memory: the highest sample inside [start, start + duration] minus the last
 * sample before `start` (or `before` when none was taken after it). NaN when no sample fell inside.
 */
export function nodeWindowGrowth(
	samples: LiveSample[],
	before: LiveSample,
	start: number,
	durationMs: number,
): { growth: number; inWindow: number } {
	const inside = samples.filter((s) => s.at >= start && s.at <= start + durationMs);
	const base = [before, ...samples.filter((s) => s.at < start)].sort((p, q) => p.at - q.at).pop();
	if (!inside.length || !base) return { growth: NaN, inWindow: 0 };
	return { growth: Math.max(...inside.map((s) => s.live)) - base.live, inWindow: inside.length };
}

/** (big − tiny) ÷ size, per repetition. */
export function extraRatios(
	big: Array<{ growth: number }>,
	tiny: Array<{ growth: number }>,
	size: number,
): number[] {
	return big.map((run, i) => (run.growth - (tiny[i]?.growth ?? NaN)) / size);
}

/**
 * Whether live memory has settled: the last `count` samples lie within `toleranceBytes` of each
 * other. What the previous run left (its execution being saved, its buffers released) must not
 * count as the next run's start.
 */
export function settled(samples: LiveSample[], count = 3, toleranceBytes = 512 * 1024): boolean {
	if (samples.length < count) return false;
	const last = samples.slice(-count).map((s) => s.live);
	return Math.max(...last) - Math.min(...last) <= toleranceBytes;
}
