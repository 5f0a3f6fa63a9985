import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { REPO_ROOT } from './install';
import config from './n8n-config.json';

/** This package's name: an installed community package's node types are `<name>.<node name>`. */
export const PACKAGE_NAME = 'n8n-nodes-dedalus';
/** The Dedalus node as n8n knows it once the package is installed (what examples/ use). */
export const DEDALUS_NODE_TYPE = `${PACKAGE_NAME}.dedalus`;
/** The Dedalus Chat Model sub-node, installed. */
export const DEDALUS_CHAT_MODEL_TYPE = `${PACKAGE_NAME}.dedalusChatModel`;

/**
 * The Dedalus API credential every example names (id and name), and the one `npm run demo` and
 * `npm run dev` create: an example imported there is bound to it as it is.
 */
export const EXAMPLE_CREDENTIAL: { id: string; name: string } = config.dedalusCredential;

/**
 * Installs the built package into `userFolder` as n8n installs a community package: packed with
 * `npm pack` (cached by content), then `npm install`ed into `<userFolder>/.n8n/nodes`, offline and
 * without peers (scripts/install-package.sh, which `npm run dev` runs too). `dist` picks another
 * build than the repository's dist/ (the benchmark's --dist). Returns the installed folder.
 */
export function installPackage(userFolder: string, dist?: string): string {
	const out = execFileSync(
		'bash',
		[join(REPO_ROOT, 'scripts', 'install-package.sh'), userFolder, ...(dist ? [dist] : [])],
		{ cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
	);
	return out.trim().split('\n').pop() ?? '';
}
