/**
 * docs/security.md states only what a test shows: every proof it cites must exist. The citation
 * format is defined at the top of that file: a proof starts with `Proof:` and runs to the end of
 * its paragraph, list item or table row; a file is a backticked path ending in .test.ts or
 * .e2e.ts; the double-quoted names after it are verbatim pieces of describe/it titles in it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface Citation {
	file: string;
	names: string[];
	/** The doc's line where the proof starts, for the failure message. */
	line: number;
}

/** Paragraphs, list items and table rows, each with its first line number. */
function blocks(markdown: string): Array<{ text: string; line: number }> {
	const result: Array<{ text: string; line: number }> = [];
	let current: { text: string; line: number } | undefined;
	markdown.split('\n').forEach((raw, index) => {
		const line = raw.trim();
		const startsBlock = line === '' || line.startsWith('- ') || line.startsWith('|');
		if (startsBlock && current) {
			result.push(current);
			current = undefined;
		}
		if (line === '') return;
		if (!current) current = { text: line, line: index + 1 };
		else current.text += ` ${line}`;
		if (line.startsWith('|')) {
			result.push(current);
			current = undefined;
		}
	});
	if (current) result.push(current);
	return result;
}

export function citationsOf(markdown: string): Citation[] {
	const citations: Citation[] = [];
	for (const block of blocks(markdown)) {
		const start = block.text.indexOf('Proof:');
		if (start < 0) continue;
		const proof = block.text.slice(start + 'Proof:'.length);
		let current: Citation | undefined;
		for (const token of proof.matchAll(/`([^`]+)`|"([^"]+)"/g)) {
			const [, path, name] = token;
			if (path !== undefined) {
				if (!/\.(test|e2e)\.ts$/.test(path)) continue;
				current = { file: path, names: [], line: block.line };
				citations.push(current);
			} else if (current) {
				current.names.push(name);
			} else {
				throw new Error(`docs/security.md:${block.line}: "${name}" is cited before any test file`);
			}
		}
	}
	return citations;
}

/** The text of every describe/it/test title in a test file, with \" and \' unescaped. */
function titlesOf(source: string): string {
	const titles: string[] = [];
	for (const match of source.matchAll(
		/\b(?:describe|it|test)(?:\.each\([\s\S]*?\))?\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g,
	)) {
		titles.push(match[2].replace(/\\(['"`\\])/g, '$1'));
	}
	return titles.join('\n');
}

describe('docs/security.md cites only tests that exist', () => {
	const markdown = readFileSync(join(ROOT, 'docs', 'security.md'), 'utf8');
	const citations = citationsOf(markdown);

	it('finds the proofs in the format the document defines', () => {
		expect(citations.length).toBeGreaterThan(30);
		expect(citations.filter((citation) => citation.names.length > 0).length).toBeGreaterThan(30);
	});

	it('every cited file exists, and every cited name is in one of its test titles', () => {
		const problems: string[] = [];
		for (const { file, names, line } of citations) {
			const path = join(ROOT, file);
			if (!existsSync(path)) {
				problems.push(`docs/security.md:${line}: ${file} does not exist`);
				continue;
			}
			const titles = titlesOf(readFileSync(path, 'utf8'));
			for (const name of names) {
				if (!titles.includes(name)) {
					problems.push(`docs/security.md:${line}: ${file} has no test titled with "${name}"`);
				}
			}
		}
		expect(problems).toEqual([]);
	});

	it('would catch a missing file and a missing name', () => {
		const bogus = citationsOf(
			'- A claim. Proof: `test/nodes/Dedalus/complete.engine.test.ts` "anything"\n' +
				'- Another. Proof: `test/shared/transport/sse.test.ts` "no such test title"\n',
		);
		expect(bogus).toEqual([
			{ file: 'test/nodes/Dedalus/complete.engine.test.ts', names: ['anything'], line: 1 },
			{ file: 'test/shared/transport/sse.test.ts', names: ['no such test title'], line: 2 },
		]);
		expect(existsSync(join(ROOT, bogus[0].file))).toBe(false);
		expect(titlesOf(readFileSync(join(ROOT, bogus[1].file), 'utf8'))).not.toContain(
			'no such test title',
		);
	});
});
