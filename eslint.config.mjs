// Lint exactly as n8n's community-node scanner does: @n8n/node-cli's flat config bundles
// @n8n/eslint-plugin-community-nodes (recommended) and eslint-plugin-n8n-nodes-base
// (community rules on package.json, credentials rules, nodes rules).
import { config } from '@n8n/node-cli/eslint';

export default config;
