// The Chat Trigger's hosted chat page (n8n 2.41.1, ChatTrigger/templates.ts) loads its widget and
// stylesheets from a public CDN:
//   https://cdn.jsdelivr.net/npm/@n8n/chat/dist/chat.bundle.es.js (and style.css, lazy chunks)
//   https://cdn.jsdelivr.net/npm/normalize.css@8.0.1/normalize.min.css
// No machine here reaches that CDN (its name does not even resolve). The same files ship in the
// npm packages, which the registry serves: they are fetched once with `npm pack` into the cache
// and handed to the browser through its request interception, so the page runs unchanged.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname, join, normalize } from 'node:path';

import type { BrowserContext } from 'playwright-core';

/** The CDN's unversioned URL serves the newest @n8n/chat; this is the newest on the registry as of this test. */
export const CHAT_WIDGET_VERSION = '1.37.0';
const NORMALIZE_CSS_VERSION = '8.0.1';
const CDN = 'https://cdn.jsdelivr.net/npm/';

function cacheRoot(): string {
	return process.env.DEDALUS_N8N_CACHE ?? join(homedir(), '.cache', 'n8n-nodes-dedalus');
}

/** Unpacks `name@version` from the registry into the cache once; returns its package folder. */
function unpackOnce(name: string, version: string): string {
	const folder = join(cacheRoot(), `${name.replace('/', '+')}-${version}`);
	const packageDir = join(folder, 'package');
	if (existsSync(join(folder, '.unpacked'))) return packageDir;
	mkdirSync(folder, { recursive: true });
	const tarball = execFileSync(
		'npm',
		['pack', `${name}@${version}`, '--silent', '--pack-destination', folder],
		{ cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
	)
		.trim()
		.split('\n')
		.pop() as string;
	execFileSync('tar', ['xzf', join(folder, tarball), '-C', folder]);
	execFileSync('touch', [join(folder, '.unpacked')]);
	return packageDir;
}

export interface ChatWidgetFiles {
	/** @n8n/chat's dist folder. */
	chatDist: string;
	normalizeCss: string;
}

export function ensureChatWidget(): ChatWidgetFiles {
	const chat = unpackOnce('@n8n/chat', CHAT_WIDGET_VERSION);
	const normalizeCss = unpackOnce('normalize.css', NORMALIZE_CSS_VERSION);
	return { chatDist: join(chat, 'dist'), normalizeCss: join(normalizeCss, 'normalize.css') };
}

const CONTENT_TYPES: Record<string, string> = {
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.ico': 'image/x-icon',
};

/**
 * Answers the browser's CDN requests from the npm packages (anything else on the CDN: 404).
 * Returns the paths it served, so a test can check that the page really loaded the widget.
 */
export async function serveChatWidget(context: BrowserContext): Promise<string[]> {
	const files = ensureChatWidget();
	const served: string[] = [];
	await context.route(`${CDN}**`, async (route) => {
		const path = new URL(route.request().url()).pathname.replace(/^\/npm\//, '');
		let file: string | undefined;
		if (path.startsWith('normalize.css@')) file = files.normalizeCss;
		else if (path.startsWith('@n8n/chat/dist/')) {
			const relative = normalize(path.slice('@n8n/chat/dist/'.length));
			if (!relative.startsWith('..')) file = join(files.chatDist, relative);
		}
		if (!file || !existsSync(file)) {
			await route.fulfill({ status: 404, body: 'not in the npm package' });
			return;
		}
		served.push(path);
		await route.fulfill({
			status: 200,
			headers: {
				'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
				'access-control-allow-origin': '*',
			},
			body: readFileSync(file),
		});
	});
	return served;
}
