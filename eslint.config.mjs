// Two configs, one per kind of code:
// - what ships (nodes/, shared/, credentials/, package.json) is linted exactly as n8n's community-node scanner
//   and `n8n-node lint` do: @n8n/node-cli's flat config, which bundles
//   @n8n/eslint-plugin-community-nodes (recommended) and eslint-plugin-n8n-nodes-base (community
//   rules on package.json, credentials rules, nodes rules);
// - every other TypeScript folder (tests, emulator, scripts, bench, n8n-runner) gets ESLint's and
//   typescript-eslint's recommended rules. The community rules do not apply there: they forbid
//   what that code exists to do (files, processes, timers, console, any import).
import js from '@eslint/js';
import { config as n8nCommunityConfig } from '@n8n/node-cli/eslint';
import { globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const SHIPPED = ['nodes/**/*.ts', 'shared/**/*.ts', 'credentials/**/*.ts'];
const TOOLING = [
	'test/**/*.ts',
	'emulator/**/*.ts',
	'scripts/**/*.ts',
	'scripts/**/*.mjs',
	'bench/**/*.ts',
	'n8n-runner/**/*.ts',
];

// n8n's config applies its TypeScript blocks to `**/*.ts`; here they apply to the shipped code only.
const n8nOnShippedCode = n8nCommunityConfig.map((block) =>
	block.files?.length === 1 && block.files[0] === '**/*.ts' ? { ...block, files: SHIPPED } : block,
);

export default [
	globalIgnores([
		'dist/',
		'emulator/dist/',
		'bench/dist/',
		'coverage/',
		'test/e2e/artifacts/',
		'.n8n/',
	]),
	...n8nOnShippedCode,
	...tseslint.config({
		files: TOOLING,
		extends: [js.configs.recommended, tseslint.configs.recommended],
	}),
	{
		// These tests check the emulator's wire format by reading its JSON answers field by field;
		// the assertions are the type check, a declared type per answer would only repeat them.
		files: ['test/emulator/**/*.ts'],
		rules: { '@typescript-eslint/no-explicit-any': 'off' },
	},
];
