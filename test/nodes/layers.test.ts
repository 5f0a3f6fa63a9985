/**
 * The layers of docs/architecture.md import one way, read from the source files' relative imports:
 * - inside nodes/Dedalus: node -> actions -> completion and authorization -> shared (authorization
 *   may use completion, never the reverse);
 * - a node folder (nodes/<Node>/) never imports another node folder;
 * - shared/ (what more than one node uses) never imports a node folder, and shared/transport/
 *   imports nothing else in shared/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const NODES = join(ROOT, 'nodes');
const SHARED = join(ROOT, 'shared');
const DEDALUS = join(NODES, 'Dedalus');

type DedalusLayer = 'node' | 'actions' | 'authorization' | 'completion';

/** What each layer of nodes/Dedalus may import besides itself and shared/. */
const ALLOWED: Record<DedalusLayer, DedalusLayer[]> = {
	node: ['actions', 'authorization'],
	actions: ['authorization', 'completion'],
	authorization: ['completion'],
	completion: [],
};

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return entry.name.endsWith('.ts') ? [path] : [];
	});
}

/** Where a file lives: `shared/<first folder or file>`, `nodes/<Node>` or outside both. */
function placeOf(path: string): string {
	const inShared = relative(SHARED, path);
	if (!inShared.startsWith('..')) return `shared/${inShared.split('/')[0].replace(/\.ts$/, '')}`;
	const inNodes = relative(NODES, path);
	if (!inNodes.startsWith('..')) return `nodes/${inNodes.split('/')[0]}`;
	return relative(ROOT, path);
}

function dedalusLayerOf(path: string): DedalusLayer {
	const [first] = relative(DEDALUS, path).split('/');
	if (first === 'Dedalus.node.ts') return 'node';
	if (first in ALLOWED) return first as DedalusLayer;
	throw new Error(`${path} is in no known layer of nodes/Dedalus`);
}

const edges = [...sourceFiles(NODES), ...sourceFiles(SHARED)].flatMap((file) =>
	[...readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']*)'/g)].map(([, specifier]) => {
		const target = resolve(dirname(file), specifier);
		return {
			file: relative(ROOT, file),
			path: file,
			target,
			from: placeOf(file),
			to: placeOf(target),
		};
	}),
);

describe('layers of the package', () => {
	it('finds imports into shared/ from every node and between the layers of nodes/Dedalus', () => {
		const pairs = new Set(edges.map((edge) => `${edge.from} -> ${edge.to.split('/')[0]}`));
		for (const pair of [
			'nodes/Dedalus -> shared',
			'nodes/DedalusChatModel -> shared',
			'nodes/DedalusEmbeddings -> shared',
		]) {
			expect(pairs).toContain(pair);
		}
		const dedalusPairs = new Set(
			edges
				.filter((edge) => edge.from === 'nodes/Dedalus' && edge.to === 'nodes/Dedalus')
				.map((edge) => `${dedalusLayerOf(edge.path)} -> ${dedalusLayerOf(edge.target)}`),
		);
		for (const pair of [
			'node -> actions',
			'actions -> completion',
			'authorization -> completion',
		]) {
			expect(dedalusPairs).toContain(pair);
		}
	});

	it('no node folder imports another node folder', () => {
		const across = edges.filter(
			(edge) =>
				edge.from.startsWith('nodes/') && edge.to.startsWith('nodes/') && edge.from !== edge.to,
		);
		expect(across.map((edge) => `${edge.file} -> ${relative(ROOT, edge.target)}`)).toEqual([]);
	});

	it('shared/ imports no node folder, and shared/transport imports nothing else in shared/', () => {
		const wrong = edges.filter(
			(edge) =>
				(edge.from.startsWith('shared/') && edge.to.startsWith('nodes/')) ||
				(edge.from === 'shared/transport' &&
					edge.to.startsWith('shared/') &&
					edge.to !== 'shared/transport'),
		);
		expect(wrong.map((edge) => `${edge.file} -> ${relative(ROOT, edge.target)}`)).toEqual([]);
	});

	it('nodes/Dedalus imports only downwards', () => {
		const upwards = edges
			.filter((edge) => edge.from === 'nodes/Dedalus' && edge.to === 'nodes/Dedalus')
			.map((edge) => ({
				...edge,
				fromLayer: dedalusLayerOf(edge.path),
				toLayer: dedalusLayerOf(edge.target),
			}))
			.filter(
				(edge) =>
					edge.fromLayer !== edge.toLayer && !ALLOWED[edge.fromLayer].includes(edge.toLayer),
			);
		expect(upwards.map((edge) => `${edge.file} -> ${relative(ROOT, edge.target)}`)).toEqual([]);
	});
});
