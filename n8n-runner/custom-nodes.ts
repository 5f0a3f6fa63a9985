/**
 * n8n loads nodes from a custom folder (N8N_CUSTOM_EXTENSIONS, or ~/.n8n/custom, where the README's
 * Docker mount puts dist/) under the package name "CUSTOM": a node whose description says
 * `name: 'x'` becomes type `CUSTOM.x`. Installed as a community package, as everywhere else in the
 * tests (package.ts), it is `n8n-nodes-dedalus.x`. Only test/e2e/custom-extension.e2e.ts takes
 * the folder route.
 */
export const CUSTOM_PREFIX = 'CUSTOM';
