import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// scripts/check-release-fields.mjs, the first step of `npm run release`, run as the real process it is
// there: a placeholder package.json must stop the release with the fields to fill, a filled one pass.
const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'check-release-fields.mjs');

let folder: string;
beforeEach(() => {
	folder = mkdtempSync(join(tmpdir(), 'release-fields-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function check(fields: Record<string, unknown>) {
	const path = join(folder, 'package.json');
	writeFileSync(path, JSON.stringify({ name: 'n8n-nodes-dedalus', version: '0.1.0', ...fields }));
	const run = spawnSync(process.execPath, [SCRIPT, path], { encoding: 'utf8', timeout: 20_000 });
	return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}

// The values this repository started with (invented: nobody owns that GitHub organisation or domain).
const PLACEHOLDERS = {
	repository: {
		type: 'git',
		url: 'git+https://github.com/n8n-nodes-dedalus/n8n-nodes-dedalus.git',
	},
	author: { name: 'n8n-nodes-dedalus developers', email: 'maintainers@n8n-nodes-dedalus.dev' },
	homepage: 'https://github.com/n8n-nodes-dedalus/n8n-nodes-dedalus#readme',
};
const FILLED = {
	repository: { type: 'git', url: 'git+https://github.com/octo-org/n8n-nodes-dedalus.git' },
	author: { name: 'Octo Org', email: 'npm@octo.example' },
	homepage: 'https://github.com/octo-org/n8n-nodes-dedalus#readme',
};

describe('npm run release: scripts/check-release-fields.mjs', () => {
	it('runs before the guarded publish in the release script', () => {
		const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
		expect(pkg.scripts.release).toBe(
			'node scripts/check-release-fields.mjs && bash scripts/publish.sh --provenance',
		);
	});

	it('refuses the placeholder fields, exit 1, naming each field to fill', () => {
		const run = check(PLACEHOLDERS);
		expect(run.status).toBe(1);
		expect(run.stderr).toContain('Refusing to publish');
		for (const field of ['repository.url', 'author.name', 'author.email', 'homepage']) {
			expect(run.stderr).toContain(`- ${field} is `);
		}
		expect(run.stderr).toContain('docs/releasing.md');
		expect(run.stdout).toBe('');
	});

	it('passes a filled package.json, exit 0', () => {
		const run = check(FILLED);
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		expect(run.stdout).toContain('repository, author and homepage are filled');
	});

	it('names only the fields still to fill', () => {
		const run = check({ ...FILLED, homepage: PLACEHOLDERS.homepage });
		expect(run.status).toBe(1);
		expect(run.stderr).toContain('- homepage is ');
		expect(run.stderr).not.toContain('repository.url');
		expect(run.stderr).not.toContain('author.');
	});

	it('refuses missing fields, the REPLACE-ME marker, and a repository that is not on GitHub', () => {
		const missing = check({});
		expect(missing.status).toBe(1);
		expect(missing.stderr).toContain('- repository.url is null');
		expect(missing.stderr).toContain('- author.name is null');
		expect(missing.stderr).toContain('- homepage is null');

		const marked = check({
			...FILLED,
			author: 'REPLACE-ME <npm@octo.example>',
			repository: 'https://github.com/replace-me/n8n-nodes-dedalus',
		});
		expect(marked.status).toBe(1);
		expect(marked.stderr).toContain('- author.name is "REPLACE-ME"');
		expect(marked.stderr).toContain('- repository.url is "https://github.com/replace-me/');

		const gitlab = check({
			...FILLED,
			repository: 'https://gitlab.com/octo-org/n8n-nodes-dedalus',
		});
		expect(gitlab.status).toBe(1);
		expect(gitlab.stderr).toContain('it must be a https://github.com/ repository');
	});

	it('takes npm\'s one-string author form ("Name <email>")', () => {
		const run = check({ ...FILLED, author: 'Octo Org <npm@octo.example>' });
		expect(run.status).toBe(0);
	});
});
