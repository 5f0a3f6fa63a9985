import { randomString } from 'n8n-workflow';

import { escapeHtml } from '../../../shared/html';
import { MAX_LINK_LENGTH, isHttpLinkWithin } from '../../../shared/transport';
import { SHARED_CONSENT, linkFacts, shownText } from './text';

export type PageState =
	| 'waiting'
	| 'still_waiting'
	| 'continued'
	| 'already_continued'
	| 'failed'
	| 'expired'
	| 'not_waiting';

export interface PageModel {
	state: PageState;
	workflowName: string;
	nodeName: string;
	servers: string[];
	connectUrl?: string;
	message?: string;
	expiresAt?: string;
}

const HEADLINES: Record<PageState, string> = {
	waiting: 'Authorization needed',
	still_waiting: 'Consent is still missing',
	continued: 'Done: the workflow continued',
	already_continued: 'The workflow has already continued',
	failed: 'Dedalus answered with an error',
	expired: 'This authorization expired',
	not_waiting: 'Nothing is waiting here',
};

/** JSON for the page's own script: what the poller needs, nothing else. */
export function pageJson(model: PageModel): Record<string, unknown> {
	const link = linkFacts(model.connectUrl);
	return {
		state: model.state,
		message: shownText(model.message ?? HEADLINES[model.state]),
		...(link
			? {
					connect_url: model.connectUrl,
					connect_host: link.host,
					connect_insecure: link.insecure,
				}
			: {}),
	};
}

/**
 * A strict policy: nothing loads from anywhere, only this page's own inline style and script
 * (by nonce), requests only to itself, and no Referer, so the resume signature never leaks to the
 * consent provider.
 */
function pageHeaders(nonce: string): Record<string, string> {
	return {
		'Content-Type': 'text/html; charset=utf-8',
		'Content-Security-Policy': [
			"default-src 'none'",
			`script-src 'nonce-${nonce}'`,
			`style-src 'nonce-${nonce}'`,
			"connect-src 'self'",
			"form-action 'self'",
			"img-src 'none'",
			"base-uri 'none'",
			"frame-ancestors 'none'",
		].join('; '),
		'Referrer-Policy': 'no-referrer',
		'X-Content-Type-Options': 'nosniff',
		'X-Frame-Options': 'DENY',
		'Cache-Control': 'no-store',
	};
}

const STYLE = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1f2328;--muted:#59636e;--line:#d1d9e0;--accent:#ea4b71;--accent-text:#fff;--ok:#1a7f37;--bad:#cf222e}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--text:#e6edf3;--muted:#9198a1;--line:#30363d;--accent:#ff6d8f;--accent-text:#14070b;--ok:#3fb950;--bad:#f85149}}
*{box-sizing:border-box}[hidden]{display:none!important}body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:24px}
main{background:var(--card);border:1px solid var(--line);border-radius:12px;max-width:560px;width:100%;padding:28px 32px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.35rem;margin:0 0 12px}p{margin:8px 0}.muted{color:var(--muted);font-size:.9rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:16px 0;font-size:.95rem}dt{color:var(--muted)}dd{margin:0;word-break:break-word}
.actions{display:flex;gap:12px;flex-wrap:wrap;align-items:center;margin-top:20px}form{margin:0}
.button{display:inline-block;border-radius:8px;padding:10px 18px;font:inherit;font-weight:600;text-decoration:none;cursor:pointer;border:1px solid var(--line);background:transparent;color:var(--text)}
.primary{background:var(--accent);border-color:var(--accent);color:var(--accent-text)}
#status{margin-top:18px;min-height:1.5em}.ok{color:var(--ok)}.bad{color:var(--bad)}
`;

const SCRIPT = `
(function () {
	var status = document.getElementById('status');
	var connect = document.getElementById('connect');
	var form = document.getElementById('continue-form');
	var heading = document.querySelector('h1');
	var intro = document.getElementById('intro');
	var nojs = document.getElementById('nojs');
	var host = document.getElementById('connect-host');
	var insecure = document.getElementById('connect-insecure');
	var checking = false;
	var done = false;
	function show(text, kind) { status.textContent = text; status.className = kind || ''; }
	var isHttpLinkWithin = ${isHttpLinkWithin};
	function isHttp(url) { return isHttpLinkWithin(url, ${MAX_LINK_LENGTH}); }
	function post() {
		return fetch(window.location.href, { method: 'POST', headers: { Accept: 'application/json' }, credentials: 'same-origin' })
			.then(function (response) {
				return response.json().catch(function () { return {}; }).then(function (body) {
					if (response.status === 409) {
						var finished = /finished/.test(String(body.message || ''));
						return finished ? { state: 'not_waiting', message: 'This execution is not waiting any more.' } : { state: 'busy' };
					}
					if (!response.ok && !body.state) return { state: 'error', message: 'The request failed (HTTP ' + response.status + ').' };
					return body;
				});
			})
			.catch(function () { return { state: 'busy' }; });
	}
	function settle(result) {
		if (result.state === 'continued' || result.state === 'already_continued' || result.state === 'not_waiting' || result.state === 'expired') {
			done = true; heading.textContent = result.message; show('You can close this tab.', 'ok');
			if (form) form.hidden = true; if (connect) connect.hidden = true;
			if (intro) intro.hidden = true; if (nojs) nojs.hidden = true;
			if (host) host.hidden = true; if (insecure) insecure.hidden = true; return true;
		}
		if (result.state === 'failed' || result.state === 'error') { show(result.message, 'bad'); return true; }
		if (result.connect_url && connect && isHttp(result.connect_url)) {
			connect.href = result.connect_url;
			if (host) host.textContent = 'Opens ' + result.connect_host;
			if (insecure) insecure.hidden = !result.connect_insecure;
		}
		return false;
	}
	function wait(ms) { return new Promise(function (resolve) { window.setTimeout(resolve, ms); }); }
	function poll() {
		if (checking || done) return;
		checking = true;
		var started = Date.now();
		var delay = 3000;
		function step() {
			if (done) { checking = false; return; }
			if (Date.now() - started > 10 * 60 * 1000) {
				checking = false; show('Stopped checking after 10 minutes. Press Continue once consent is done.'); return;
			}
			wait(delay).then(post).then(function (result) {
				delay = Math.min(Math.round(delay * 1.5), 30000);
				if (settle(result)) { checking = false; return; }
				show(result.state === 'still_waiting' ? 'Still waiting for consent. Checking again soon…' : 'Checking…');
				step();
			});
		}
		step();
	}
	if (connect) connect.addEventListener('click', function () { show('Waiting for consent in the other tab…'); poll(); });
	if (form) form.addEventListener('submit', function (event) {
		event.preventDefault();
		show('Continuing…');
		var tries = 0;
		(function attempt() {
			post().then(function (result) {
				if (result.state === 'busy' && tries++ < 6) { wait(1000 * tries).then(attempt); return; }
				if (!settle(result)) show(result.message || 'Consent is still missing. Connect first, then continue.', 'bad');
			});
		})();
	});
})();
`;

export function renderPage(
	model: PageModel,
	nonce = randomString(24),
): { html: string; headers: Record<string, string> } {
	const link = linkFacts(model.connectUrl);
	const connectUrl = link ? model.connectUrl : undefined;
	const open =
		model.state === 'waiting' || model.state === 'still_waiting' || model.state === 'failed';
	const rows: Array<[string, string]> = [
		['Workflow', shownText(model.workflowName)],
		['Node', shownText(model.nodeName)],
	];
	if (model.servers.length > 0) {
		rows.push([
			'MCP servers',
			shownText(model.servers.map((server) => shownText(server, 200)).join(', ')),
		]);
	}
	if (model.expiresAt && open) rows.push(['Waits until', model.expiresAt]);

	const intro =
		model.state === 'waiting'
			? 'This workflow is paused until you grant access. Connect, approve in the new tab, and the workflow continues by itself.'
			: model.state === 'still_waiting'
				? 'Dedalus still needs your consent. Connect, approve, then continue.'
				: model.state === 'failed'
					? 'The execution is still waiting. You can try Continue again, or stop the execution in n8n.'
					: model.state === 'expired'
						? "The wait limit has passed: n8n sends this execution's items out of the node's Timed Out output. Run the workflow again to try once more."
						: model.state === 'not_waiting'
							? 'This execution is not waiting for authorization.'
							: 'You can close this tab.';

	const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(HEADLINES[model.state])} · Dedalus · n8n</title>
<style nonce="${nonce}">${STYLE}</style></head>
<body><main data-state="${model.state}">
<h1>${escapeHtml(HEADLINES[model.state])}</h1>
<p id="intro">${escapeHtml(intro)}</p>
${model.message ? `<p class="${model.state === 'failed' ? 'bad' : 'muted'}" id="message">${escapeHtml(shownText(model.message))}</p>` : ''}
<dl>${rows.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>
${
	open
		? `<div class="actions">
${
	connectUrl && link
		? `<a class="button primary" id="connect" href="${escapeHtml(connectUrl)}" target="_blank" rel="noopener noreferrer">Connect</a>
<span class="muted" id="connect-host">Opens ${escapeHtml(link.host)}</span>
${link.insecure ? '<span class="bad" id="connect-insecure">Not encrypted: plain http to another machine</span>' : ''}`
		: ''
}
<form method="post" id="continue-form"><button class="button" id="continue" type="submit">Continue</button></form>
</div>
<p id="status" role="status" aria-live="polite"></p>
<p class="muted" id="shared-consent">${escapeHtml(SHARED_CONSENT)}</p>
<p class="muted" id="nojs">Without JavaScript: connect, then press Continue.</p>`
		: '<p id="status" role="status" class="ok"></p>'
}
</main>
${open ? `<script nonce="${nonce}">${SCRIPT}</script>` : ''}
</body></html>`;
	return { html, headers: pageHeaders(nonce) };
}
