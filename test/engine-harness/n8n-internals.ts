/**
 * The process-wide pieces n8n-core 2.41.1 reads from its DI container while it runs a workflow.
 *
 * Found by running `WorkflowExecute` and watching which classes it asks `Container.get` for:
 * - `InstanceSettings` (every node context asks for it): the real class, pointed at a temporary
 *   user folder so it never writes to `~/.n8n`;
 * - `Logger` from `@n8n/backend-common` (node contexts, `ErrorReporter`, `OutboundHttp`): a
 *   recording logger, so tests stay quiet and can read what n8n logged;
 * - everything else (`ExecutionContextService`, `BinaryDataConfig`, `StorageConfig`, `OutboundHttp`,
 *   `ErrorReporter`, `SSHClientsManager`, `TriggersAndPollers`, ...) is built by the container from
 *   its defaults, exactly as in n8n.
 *
 * n8n-core has its own nested copies of `@n8n/di`, `@n8n/config` and `@n8n/backend-common`, so the
 * container and the classes must be taken from n8n-core's point of view. Under jest,
 * `createRequire` from `node:module` is jest's own (jest-runtime replaces that module), so the
 * registry stays in charge and this is the very instance the jest-loaded n8n-core uses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstanceSettings } from 'n8n-core';
import { LoggerProxy } from 'n8n-workflow';

type Constructor<T = unknown> = abstract new (...args: never[]) => T;

export interface DiContainer {
	get<T>(type: Constructor<T>): T;
	set<T>(type: Constructor<T>, instance: T): void;
	has(type: Constructor): boolean;
}

/** `require` as n8n-core itself resolves a package. */
const requireFromN8nCore = createRequire(require.resolve('n8n-core/package.json')) as <T>(
	request: string,
) => T;

export const Container = requireFromN8nCore<{ Container: DiContainer }>('@n8n/di').Container;

export interface LogEntry {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	meta?: unknown;
}

/** Shape of `@n8n/backend-common`'s `Logger` that n8n-core calls. */
export class RecordingLogger {
	readonly entries: LogEntry[];

	constructor(entries: LogEntry[] = []) {
		this.entries = entries;
	}

	error(message: string, meta?: unknown) {
		this.record('error', message, meta);
	}

	warn(message: string, meta?: unknown) {
		this.record('warn', message, meta);
	}

	info(message: string, meta?: unknown) {
		this.record('info', message, meta);
	}

	debug(message: string, meta?: unknown) {
		this.record('debug', message, meta);
	}

	scoped() {
		return new RecordingLogger(this.entries);
	}

	private record(level: LogEntry['level'], message: string, meta?: unknown) {
		this.entries.push({ level, message, meta });
		if (
			process.env.N8N_HARNESS_LOGS &&
			(level !== 'debug' || process.env.N8N_HARNESS_LOGS === 'debug')
		) {
			console.log(`[n8n ${level}] ${message}`);
		}
	}
}

let logger: RecordingLogger | undefined;
let userFolder: string | undefined;

// The temporary n8n user folder goes away with the test file that created it. (A process 'exit'
// listener does not fire inside jest's sandbox.) Registered when a test file imports the harness.
if (typeof afterAll === 'function') {
	afterAll(() => {
		if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	});
}

/** Sets up the DI container once per module registry (jest gives each test file its own). */
export function setUpN8nContainer(): { logger: RecordingLogger; userFolder: string } {
	if (logger && userFolder) return { logger, userFolder };

	const { Logger } = requireFromN8nCore<{ Logger: Constructor }>('@n8n/backend-common');
	const { InstanceSettingsConfig } = requireFromN8nCore<{
		InstanceSettingsConfig: new () => {
			n8nFolder: string;
			userHome: string;
			encryptionKey: string;
			enforceSettingsFilePermissions: boolean;
		};
	}>('@n8n/config');

	logger = new RecordingLogger();
	Container.set(Logger, logger as never);
	LoggerProxy.init(logger);

	const folder = mkdtempSync(join(tmpdir(), 'n8n-harness-'));
	userFolder = folder;

	const config = new InstanceSettingsConfig();
	config.userHome = folder;
	config.n8nFolder = join(folder, '.n8n');
	config.encryptionKey = 'n8n-harness-test-encryption-key';
	config.enforceSettingsFilePermissions = false;
	Container.set(InstanceSettingsConfig, config);
	Container.set(InstanceSettings, new InstanceSettings(config as never, logger as never));

	return { logger, userFolder };
}
