import {
	type TargetRow,
	percentile,
	section,
	spread,
	targetTableRow,
	targetsOf,
	updateDocument,
	verdict,
} from '../../bench/src/targets';

const row = (values: number[], overrides: Partial<TargetRow> = {}): TargetRow => ({
	label: '(a) within 1.15× of (d)',
	values,
	bound: 1.15,
	direction: 'atMost',
	unit: '×',
	...overrides,
});

describe('bench targets: a verdict from repetitions', () => {
	it('is met only when every repetition meets the bound', () => {
		expect(verdict(row([1.01, 1.05, 1.1, 1.15, 1.02]))).toBe('met');
	});

	it('is missed only when no repetition meets it', () => {
		expect(verdict(row([1.2, 1.3, 1.16, 1.25, 1.4]))).toBe('missed');
	});

	it('is unclear when the spread crosses the bound, whichever side the median is on', () => {
		expect(verdict(row([1.01, 1.02, 1.03, 1.04, 1.2]))).toBe('unclear');
		expect(verdict(row([1.2, 1.3, 1.25, 1.22, 1.1]))).toBe('unclear');
	});

	it('is unclear with fewer than 5 repetitions or a value that is not a number', () => {
		expect(verdict(row([1.01, 1.02, 1.03, 1.04]))).toBe('unclear');
		expect(verdict(row([1.01, 1.02, 1.03, 1.04, NaN]))).toBe('unclear');
	});

	it('reads "at least" bounds the other way', () => {
		const atLeast = (values: number[]) => row(values, { bound: 2, direction: 'atLeast' });
		expect(verdict(atLeast([2, 2.5, 3, 2.1, 2.2]))).toBe('met');
		expect(verdict(atLeast([1.5, 1.9, 1.2, 1.8, 1.1]))).toBe('missed');
		expect(verdict(atLeast([1.9, 2.5, 3, 2.1, 2.2]))).toBe('unclear');
	});

	it('shows the median and the spread', () => {
		expect(spread([3, 1, 2, 5, 4])).toEqual({ median: 3, min: 1, max: 5 });
		expect(targetTableRow(row([1.3, 1.1, 1.2, 1.0, 1.4]))).toBe(
			'| (a) within 1.15× of (d) | 1.20× | 1.00× – 1.40× | 5 | **unclear** |',
		);
		expect(targetTableRow(row([1.1, 1.2]))).toContain('**unclear** (2 < 5 repetitions)');
		expect(percentile([5, 1, 4, 2, 3, 6, 7, 8, 9, 10], 90)).toBe(9);
	});
});

describe('bench report: sections', () => {
	const agentV1 = section('agent', '## Agent\n\nold', [row([1, 1, 1, 1, 1], { label: 'agent' })]);
	const streaming = section('streaming', '## Streaming', [
		row([2, 2, 2, 2, 2], { label: 'stream' }),
	]);

	it('replaces only its own section and rebuilds the Targets table from every section', () => {
		let doc = '# Benchmarks\n';
		doc = updateDocument(doc, 'agent', agentV1);
		doc = updateDocument(doc, 'streaming', streaming);
		expect(targetsOf(doc).map((r) => r.label)).toEqual(['agent', 'stream']);
		const agentV2 = section('agent', '## Agent\n\nnew', [row([9, 9, 9, 9, 9], { label: 'agent' })]);
		const next = updateDocument(doc, 'agent', agentV2);
		expect(next).toContain('new');
		expect(next).not.toContain('old');
		expect(next).toContain('## Streaming');
		const targetsTable = next.slice(next.indexOf('## Targets'), next.indexOf('## Agent'));
		expect(targetsTable).toContain('| agent | 9.00× | 9.00× – 9.00× | 5 | **missed** |');
		expect(targetsTable).toContain('| stream | 2.00× | 2.00× – 2.00× | 5 | **missed** |');
		// Sections keep their order: targets first, then agent, then streaming.
		expect(next.indexOf('## Targets')).toBeLessThan(next.indexOf('## Agent'));
		expect(next.indexOf('## Agent')).toBeLessThan(next.indexOf('## Streaming'));
	});
});
