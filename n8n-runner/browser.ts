import { existsSync } from 'node:fs';

import { chromium, type Browser } from 'playwright-core';

/** Debian's `chromium` package; scripts/e2e.sh installs it when missing (as root). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags that keep Chromium off the network it cannot reach here (it otherwise keeps trying
 * Google's hosts), headless, and runnable as root in a container.
 */
export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/**
 * Launches the system Chromium through playwright-core (never `npx playwright install`: it
 * downloads a browser, which fails here). Each launch gets a fresh temporary profile
 * (Playwright creates its own --user-data-dir and deletes it on close). `executablePath`: another
 * Chromium (`npm run docs:screenshots` passes its CHROMIUM_PATH).
 */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
	if (!existsSync(executablePath)) {
		throw new Error(
			`${executablePath} is missing: install Debian's chromium (apt-get update && apt-get install -y chromium), ` +
				'which `npm run test:e2e` does by itself when run as root',
		);
	}
	return await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
