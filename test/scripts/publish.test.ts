// scripts/publish.sh's contract, with `npm` replaced by a recorder on PATH (the real publish runs in
// test/e2e/install-routes.e2e.ts and install-by-hand.e2e.ts): which npm commands run, in which order,
// and that only DEDALUS_PUBLISH_CHECKS_PASSED equal to this checkout's fingerprint skips the checks.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'publish.sh');

const CHECKS = [
	'run --silent build',
	'run --silent lint',
	'test --silent',
	'run --silent check:pack',
	'run --silent scan',
];

describe('scripts/publish.sh', () => {
	let stubDir: string;
	let calls: string;

	beforeEach(() => {
		stubDir = mkdtempSync(join(tmpdir(), 'publish-test-'));
		calls = join(stubDir, 'calls.log');
		writeFileSync(join(stubDir, 'npm'), `#!/bin/sh\necho "$*" >> "${calls}"\n`);
		chmodSync(join(stubDir, 'npm'), 0o755);
	});

	afterEach(() => rmSync(stubDir, { recursive: true, force: true }));

	function publish(args: string[], checksPassed?: string) {
		const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${stubDir}:${process.env.PATH ?? ''}` };
		delete env.DEDALUS_PUBLISH_CHECKS_PASSED;
		if (checksPassed !== undefined) env.DEDALUS_PUBLISH_CHECKS_PASSED = checksPassed;
		writeFileSync(calls, '');
		const run = spawnSync('bash', [SCRIPT, ...args], { env, encoding: 'utf8' });
		const npmCalls = readFileSync(calls, 'utf8').split('\n').filter(Boolean);
		return { status: run.status, stderr: run.stderr, npmCalls };
	}

	const fingerprint = () =>
		spawnSync('bash', [SCRIPT, '--fingerprint'], { encoding: 'utf8' }).stdout.trim();

	it('prints a stable fingerprint of the checkout', () => {
		expect(fingerprint()).toMatch(/^[0-9a-f]{64}$/);
		expect(fingerprint()).toBe(fingerprint());
	});

	it('runs the five checks in order, then publishes to the given registry without provenance', () => {
		const { status, npmCalls } = publish([
			'--registry',
			'http://127.0.0.1:4873/',
			'--userconfig',
			'/tmp/x.npmrc',
		]);
		expect(status).toBe(0);
		expect(npmCalls).toEqual([
			...CHECKS,
			'publish --ignore-scripts --registry http://127.0.0.1:4873/ --userconfig /tmp/x.npmrc',
		]);
	});

	it('a public release publishes with provenance, after the checks', () => {
		const { status, npmCalls } = publish(['--provenance']);
		expect(status).toBe(0);
		expect(npmCalls).toEqual([...CHECKS, 'publish --ignore-scripts --provenance --access public']);
	});

	it('skips the checks only when DEDALUS_PUBLISH_CHECKS_PASSED is this checkout fingerprint', () => {
		const skipped = publish(['--provenance'], fingerprint());
		expect(skipped.status).toBe(0);
		expect(skipped.npmCalls).toEqual(['publish --ignore-scripts --provenance --access public']);
		expect(skipped.stderr).toContain('skipping the checks');

		const stale = publish(['--checks-only'], '0'.repeat(64));
		expect(stale.status).toBe(0);
		expect(stale.npmCalls).toEqual(CHECKS);
		expect(stale.stderr).toContain('does not match this checkout');
	});

	it('stops at the first failing check and publishes nothing', () => {
		writeFileSync(
			join(stubDir, 'npm'),
			`#!/bin/sh\necho "$*" >> "${calls}"\n[ "$1 $2 $3" = "run --silent lint" ] && exit 1\nexit 0\n`,
		);
		const { status, npmCalls } = publish(['--provenance']);
		expect(status).not.toBe(0);
		expect(npmCalls).toEqual(CHECKS.slice(0, 2));
	});

	it('refuses the public registry without provenance, and unknown arguments', () => {
		for (const args of [
			['--registry', 'https://registry.npmjs.org/'],
			[],
			['--provenance', '--userconfig', '/tmp/x'],
			['--bogus'],
		]) {
			const { status, npmCalls } = publish(args);
			expect({ args, status }).toEqual({ args, status: 2 });
			expect(npmCalls).toEqual([]);
		}
	});
});
