import { extraRatios, nodeWindowGrowth, settled } from '../../bench/src/memory-window';
import { targetTableRow } from '../../bench/src/targets';

const MB = 1024 * 1024;
const at = (ms: number, liveMb: number) => ({ at: ms, live: liveMb * MB });

describe('bench media: the node window of live memory samples', () => {
	const before = at(0, 100);

	it('takes the highest sample inside the window minus the last one before it', () => {
		const samples = [at(50, 130), at(90, 120), at(120, 150), at(160, 170), at(260, 125)];
		// window 100..200: 150 and 170 inside; last before: 120 (at 90), not the earlier 130.
		expect(nodeWindowGrowth(samples, before, 100, 100)).toEqual({ growth: 50 * MB, inWindow: 2 });
	});

	it('starts from the sample taken before the run when none fell between it and the node', () => {
		expect(nodeWindowGrowth([at(150, 140)], before, 100, 100).growth).toBe(40 * MB);
	});

	it('is NaN when no sample fell inside the window (the row then reads unclear)', () => {
		const result = nodeWindowGrowth([at(50, 130), at(300, 200)], before, 100, 100);
		expect(result.growth).toBeNaN();
		expect(result.inWindow).toBe(0);
	});

	it('subtracts the tiny file run of the same repetition and divides by the size', () => {
		const big = [{ growth: 40 * MB }, { growth: 45 * MB }];
		const tiny = [{ growth: 2 * MB }, { growth: 5 * MB }];
		expect(extraRatios(big, tiny, 20 * MB)).toEqual([1.9, 2]);
		expect(extraRatios(big, [], 20 * MB).every(Number.isNaN)).toBe(true);
	});

	it('waits for live memory to hold still before a run', () => {
		expect(settled([at(0, 100), at(1, 100.1)])).toBe(false);
		expect(settled([at(0, 120), at(1, 100.1), at(2, 100.3), at(3, 100)])).toBe(true);
		expect(settled([at(0, 100), at(1, 105), at(2, 100)])).toBe(false);
	});

	it('shows a request count as a plain number', () => {
		const row = { label: 'OCR requests', values: [1, 1, 1, 1, 1], bound: 1 };
		expect(targetTableRow({ ...row, direction: 'atMost', unit: 'requests' })).toBe(
			'| OCR requests | 1 | 1 – 1 | 5 | met |',
		);
	});
});
