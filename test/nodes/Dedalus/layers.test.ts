/**
 * The layers of docs/architecture.md import one way:
 * node -> actions -> completion and authorization -> transport (authorization may use completion,
 * never the reverse; methods/ uses completion/ and transport/). Read from the source files' relative imports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../nodes/Dedalus');

type Layer = 'node' | 'actions' | 'authorization' | 'completion' | 'methods' | 'transport';

/** What each layer may import besides itself. */
const ALLOWED: Record<Layer, Layer[]> = {
	node: ['actions', 'authorization', 'methods'],
	actions: ['authorization', 'completion', 'transport'],
	authorization: ['completion', 'transport'],
	completion: ['transport'],
	// The MCP server credential's test reuses completion/'s check of that credential.
	methods: ['completion', 'transport'],
	transport: [],
};

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return entry.name.endsWith('.ts') ? [path] : [];
	});
}

function layerOf(path: string): Layer {
	const [first] = relative(ROOT, path).split('/');
	if (first === 'Dedalus.node.ts') return 'node';
	if (first in ALLOWED) return first as Layer;
	throw new Error(`${path} is in no known layer`);
}

const edges = sourceFiles(ROOT).flatMap((file) =>
	[...readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']*)'/g)].map(([, specifier]) => ({
		file: relative(ROOT, file),
		from: layerOf(file),
		to: layerOf(resolve(dirname(file), specifier)),
	})),
);

describe('layers of nodes/Dedalus', () => {
	it('finds the imports between layers', () => {
		const pairs = new Set(edges.map((edge) => `${edge.from} -> ${edge.to}`));
		for (const pair of [
			'node -> actions',
			'actions -> completion',
			'authorization -> completion',
			'completion -> transport',
		]) {
			expect(pairs).toContain(pair);
		}
	});

	it('imports only downwards', () => {
		const upwards = edges.filter(
			(edge) => edge.from !== edge.to && !ALLOWED[edge.from].includes(edge.to),
		);
		expect(upwards).toEqual([]);
	});
});
