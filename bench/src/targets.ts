// Targets judged from repeated measurements, and the report's sections. Pure functions (unit
// tested in test/bench/targets.test.ts): a ratio is the median of its repetitions, shown with its
// spread (min-max); a target is met only if every repetition meets it, missed only if none does,
// and "unclear" when the spread crosses it or there were fewer than MIN_REPETITIONS.
export const MIN_REPETITIONS = 5;

export type Verdict = 'met' | 'missed' | 'unclear';

export interface TargetRow {
	/** What is promised, e.g. "(a) within 1.15× of (d), 200 items". */
	label: string;
	/** One value per repetition. */
	values: number[];
	/** The bound, and which side of it is good. */
	bound: number;
	direction: 'atMost' | 'atLeast';
	unit: '×' | 'ms' | '%' | 'requests';
}

export function median(values: number[]): number {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0-100). */
export function percentile(values: number[], p: number): number {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function spread(values: number[]): { median: number; min: number; max: number } {
	return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export function verdict(row: TargetRow): Verdict {
	const finite = row.values.filter(Number.isFinite);
	if (finite.length < MIN_REPETITIONS || finite.length !== row.values.length) return 'unclear';
	const ok = (value: number) =>
		row.direction === 'atMost' ? value <= row.bound : value >= row.bound;
	const meeting = finite.filter(ok).length;
	if (meeting === finite.length) return 'met';
	if (meeting === 0) return 'missed';
	return 'unclear';
}

function format(value: number, unit: TargetRow['unit']): string {
	if (!Number.isFinite(value)) return '–';
	if (unit === '×') return `${value.toFixed(2)}×`;
	if (unit === '%') return `${value.toFixed(1)} %`;
	if (unit === 'requests') return String(Number(value.toFixed(1)));
	return `${value.toFixed(1)} ms`;
}

/** One Markdown table row: target | median | spread | repetitions | verdict. */
export function targetTableRow(row: TargetRow): string {
	const { median: mid, min, max } = spread(row.values);
	const v = verdict(row);
	const shown = v === 'met' ? 'met' : `**${v}**`;
	const why =
		row.values.length < MIN_REPETITIONS
			? ` (${row.values.length} < ${MIN_REPETITIONS} repetitions)`
			: '';
	return `| ${row.label} | ${format(mid, row.unit)} | ${format(min, row.unit)} – ${format(max, row.unit)} | ${row.values.length} | ${shown}${why} |`;
}

export const TARGET_TABLE_HEADER = [
	'| target | median | spread (min – max) | repetitions | |',
	'| --- | --- | --- | --- | --- |',
];

// The report: sections between marker comments, so `--only <section>` replaces its own and
// leaves the others; each section carries its target rows as JSON in a comment, from which the
// Targets table at the top is rebuilt after every run.
export const SECTIONS = [
	'targets',
	'throughput',
	'network',
	'agent',
	'streaming',
	'media',
] as const;
export type SectionName = (typeof SECTIONS)[number];

const start = (name: SectionName) => `<!-- bench-section:${name}:start -->`;
const end = (name: SectionName) => `<!-- bench-section:${name}:end -->`;
const TARGETS_COMMENT = /<!-- bench-targets (\[[\s\S]*?\]) -->/g;

/** The section's content wrapped in its markers, its target rows in a comment. */
export function section(name: SectionName, markdown: string, targets: TargetRow[] = []): string {
	const json = targets.length ? `\n<!-- bench-targets ${JSON.stringify(targets)} -->\n` : '';
	return `${start(name)}\n\n${markdown.trim()}\n${json}\n${end(name)}`;
}

/** Replaces (or appends, in SECTIONS order) one section of the document. */
export function replaceSection(document: string, name: SectionName, content: string): string {
	const from = document.indexOf(start(name));
	const to = document.indexOf(end(name));
	if (from >= 0 && to > from) {
		return document.slice(0, from) + content + document.slice(to + end(name).length);
	}
	// Not there yet: before the first later section, else at the end.
	const later = SECTIONS.slice(SECTIONS.indexOf(name) + 1)
		.map((other) => document.indexOf(start(other)))
		.filter((index) => index >= 0);
	if (later.length) {
		const at = Math.min(...later);
		return `${document.slice(0, at)}${content}\n\n${document.slice(at)}`;
	}
	return `${document.trimEnd()}\n\n${content}\n`;
}

/** Every target row the document's sections carry, in document order. */
export function targetsOf(document: string): TargetRow[] {
	const rows: TargetRow[] = [];
	for (const match of document.matchAll(TARGETS_COMMENT)) {
		rows.push(...(JSON.parse(match[1]) as TargetRow[]));
	}
	return rows;
}

/** The Targets section, rebuilt from the rows every other section carries. */
export function targetsSection(document: string): string {
	const rows = targetsOf(document);
	return section(
		'targets',
		[
			'## Targets',
			'',
			'Every target as a ratio (or a time) measured in the same run as what it is compared with. Median of the',
			`repetitions, with their spread: **met** only if every repetition meets the target, **missed** if none does,`,
			`**unclear** if the spread crosses it or there were fewer than ${MIN_REPETITIONS} repetitions. Each row comes from`,
			'the section below that measured it (and was last rewritten when that section was).',
			'',
			...TARGET_TABLE_HEADER,
			...rows.map(targetTableRow),
		].join('\n'),
	);
}

/** Puts `content` (a section) into the document and rebuilds the Targets table. */
export function updateDocument(document: string, name: SectionName, content: string): string {
	const next = replaceSection(document, name, content);
	return replaceSection(next, 'targets', targetsSection(next));
}
