import { pruneArtifacts, resolveN8nInstall } from '../../n8n-runner/install';

/**
 * Runs once before all e2e test files: installs n8n on the first run (about 4 minutes, progress
 * on stderr) so no single test's timeout has to cover it, and publishes its location through
 * DEDALUS_N8N_HOME, which the test files (in band or in workers) inherit.
 */
export default function globalSetup(): void {
	const install = resolveN8nInstall();
	process.env.DEDALUS_N8N_HOME = install.cacheDir;
	pruneArtifacts();
	process.stderr.write(`\n[e2e] n8n ${install.version} from ${install.cacheDir}\n`);
}
