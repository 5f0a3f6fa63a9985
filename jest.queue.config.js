// n8n in queue mode with real PostgreSQL and Redis (n8n-runner/queue.ts). Run through
// `npm run test:e2e:queue` (scripts/e2e-queue.sh), which installs the services when missing.
const e2e = require('./jest.e2e.config');

/** @type {import('jest').Config} */
module.exports = {
	...e2e,
	roots: ['<rootDir>/test/e2e/queue'],
	testPathIgnorePatterns: ['/node_modules/'],
};
