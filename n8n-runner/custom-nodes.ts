import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * n8n loads nodes from an N8N_CUSTOM_EXTENSIONS folder under the package name "CUSTOM":
 * a node whose description says `name: 'x'` becomes type `CUSTOM.x` (a package installed
 * through the community-nodes UI would be `<package name>.x` instead).
 */
export const CUSTOM_PREFIX = 'CUSTOM';

/** An empty folder to pass as customExtensions when a test needs only built-in nodes. */
export function emptyExtensionsFolder(): string {
	return mkdtempSync(join(tmpdir(), 'n8n-e2e-ext-'));
}

/**
 * Writes a throwaway node + credential type (plain JS, like a built package's dist) into a
 * fresh folder and returns it. The loader derives the exported class name from the file name
 * (`E2eEcho.node.js` must export `E2eEcho`).
 *
 * - credential type `e2eEchoApi` with one secret field `token`;
 * - node type `CUSTOM.e2eEcho`: for each input item outputs `{ greeting, token, echo }`, where
 *   `greeting` is its parameter, `token` comes from the credential and `echo` is the item's json.
 *
 * It requires `n8n-workflow` without shipping it, as our real package does: that only works
 * because n8n puts its own node_modules on the module path of custom nodes.
 */
export function writeEchoExtension(): string {
	const dir = mkdtempSync(join(tmpdir(), 'n8n-e2e-ext-'));
	mkdirSync(join(dir, 'nodes', 'E2eEcho'), { recursive: true });
	mkdirSync(join(dir, 'credentials'), { recursive: true });
	writeFileSync(
		join(dir, 'credentials', 'E2eEchoApi.credentials.js'),
		`'use strict';
class E2eEchoApi {
	constructor() {
		this.name = 'e2eEchoApi';
		this.displayName = 'E2E Echo API';
		this.properties = [
			{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
		];
	}
}
module.exports = { E2eEchoApi };
`,
	);
	writeFileSync(
		join(dir, 'nodes', 'E2eEcho', 'E2eEcho.node.js'),
		`'use strict';
const { NodeConnectionTypes } = require('n8n-workflow');
class E2eEcho {
	constructor() {
		this.description = {
			displayName: 'E2E Echo',
			name: 'e2eEcho',
			group: ['transform'],
			version: 1,
			description: 'Throwaway node written by the e2e tests',
			defaults: { name: 'E2E Echo' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: 'e2eEchoApi', required: true }],
			properties: [{ displayName: 'Greeting', name: 'greeting', type: 'string', default: 'hello' }],
		};
	}
	async execute() {
		const items = this.getInputData();
		const credentials = await this.getCredentials('e2eEchoApi');
		return [
			items.map((item, i) => ({
				json: { greeting: this.getNodeParameter('greeting', i), token: credentials.token, echo: item.json },
				pairedItem: { item: i },
			})),
		];
	}
}
module.exports = { E2eEcho };
`,
	);
	return dir;
}
