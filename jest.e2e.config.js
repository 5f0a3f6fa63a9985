// End-to-end tests against a real n8n 2.41.3 (see n8n-runner). Run through `npm run test:e2e`
// (scripts/e2e.sh), or directly: `npx jest -c jest.e2e.config.js [test/e2e/some.e2e.ts]`.
/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	// Queue mode (PostgreSQL, Redis, four n8n processes) has its own suite: jest.queue.config.js.
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/queue/'],
	moduleFileExtensions: ['ts', 'js', 'json'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
	},
	// Installs (or finds) the cached n8n once, before any test file starts an instance.
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	// Each test file starts its own n8n (about 20 s and a few hundred MB): one file at a time.
	maxWorkers: 1,
	// Starting n8n, and waits that n8n resolves on its once-a-minute tracker, take minutes.
	testTimeout: 300_000,
	slowTestThreshold: 60,
};
