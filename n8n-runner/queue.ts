// n8n in queue mode with real parts: PostgreSQL and Redis (services.ts), a main process, one
// worker and two webhook processes, each on its own port, sharing one database, one Redis and
// one encryption key, as n8n's scaling docs set them up.
import { randomBytes } from 'node:crypto';

import {
	freePort,
	startN8n,
	type CredentialImport,
	type N8nInstance,
	type StartN8nOptions,
	type WorkflowImport,
} from './n8n';
import { startPostgres, startRedis, type Service } from './services';

export interface QueueClusterOptions {
	/** N8N_CUSTOM_EXTENSIONS for every process; the package itself is installed in each (package.ts). */
	customExtensions?: string;
	credentials?: CredentialImport[];
	workflows?: WorkflowImport[];
	n8nVersion?: string;
	/** Short name for the log files. */
	label?: string;
	/** Extra settings for every process. */
	env?: Record<string, string>;
}

export interface QueueCluster {
	postgres: Service;
	redis: Service;
	/** Editor, REST API, wait tracker; enqueues executions, runs none. */
	main: N8nInstance;
	/** Runs executions (the node's execute()), from Redis. */
	worker: N8nInstance;
	/** `n8n webhook` processes: /webhook/ and /webhook-waiting/ (the node's webhook()). */
	webhooks: [N8nInstance, N8nInstance];
	/** Starts another worker (e.g. after a test killed the first); stop() stops it too. */
	startWorker(): Promise<N8nInstance>;
	stop(): Promise<void>;
}

/**
 * Starts PostgreSQL, Redis, then main (imports and publishes the workflows first), the worker and
 * the two webhook processes. `$execution.resumeUrl` points at webhook process A, as it would point
 * at a load balancer in front of the webhook processes.
 */
export async function startQueueCluster(options: QueueClusterOptions): Promise<QueueCluster> {
	const label = options.label ?? 'queue';
	const started: N8nInstance[] = [];
	const services: Service[] = [];
	const stop = async () => {
		// n8n first (newest first: the worker and webhook processes use main's database), then the services.
		for (const instance of [...started].reverse()) await instance.stop();
		for (const service of [...services].reverse()) await service.stop();
	};
	try {
		const postgres = await startPostgres();
		services.push(postgres);
		const redis = await startRedis();
		services.push(redis);
		const webhookPorts = [await freePort(), await freePort()];
		const env: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			DB_POSTGRESDB_DATABASE: 'postgres',
			// Every process must decrypt the credentials main imported.
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			N8N_WEBHOOK_URL: `http://127.0.0.1:${webhookPorts[0]}/`,
			...options.env,
		};
		const common: Omit<StartN8nOptions, 'label'> = {
			customExtensions: options.customExtensions,
			n8nVersion: options.n8nVersion,
			env,
		};
		const main = await startN8n({
			...common,
			label: `${label}-main`,
			credentials: options.credentials,
			workflows: options.workflows,
		});
		started.push(main);
		let workers = 0;
		const startWorker = async () => {
			const worker = await startN8n({
				...common,
				command: 'worker',
				label: `${label}-worker${++workers}`,
			});
			started.push(worker);
			return worker;
		};
		const worker = await startWorker();
		const webhooks: N8nInstance[] = [];
		for (const [i, port] of webhookPorts.entries()) {
			const webhook = await startN8n({
				...common,
				command: 'webhook',
				port,
				label: `${label}-webhook-${'AB'[i]}`,
			});
			started.push(webhook);
			webhooks.push(webhook);
		}
		return {
			postgres,
			redis,
			main,
			worker,
			webhooks: webhooks as [N8nInstance, N8nInstance],
			startWorker,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
