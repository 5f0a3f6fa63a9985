import type { IncomingMessage, ServerResponse } from 'http';

import { handleAdmin } from './admin';
import { handleApi } from './api';
import { handleConsent } from './consent-routes';
import { sendJson } from './http';
import { handleMcpEndpoint } from './mcp-endpoint';
import { SERVED_FILES_PATH } from './served-files';
import type { EmulatorState } from './state';

export interface RouteContext {
	req: IncomingMessage;
	res: ServerResponse;
	state: EmulatorState;
	path: string;
	query: URLSearchParams;
	/** Used when the request has no usable Host header. */
	fallbackBase: string;
}

export function createHandler(state: EmulatorState, fallbackBase: () => string) {
	return (req: IncomingMessage, res: ServerResponse): void => {
		const url = req.url ?? '/';
		const q = url.indexOf('?');
		const path = q >= 0 ? url.slice(0, q) : url;
		const ctx: RouteContext = {
			req,
			res,
			state,
			path,
			query: new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''),
			fallbackBase: fallbackBase(),
		};
		let work: Promise<void>;
		if (path === '/v1' || path.startsWith('/v1/') || path.startsWith(SERVED_FILES_PATH))
			work = handleApi(ctx);
		else if (path.startsWith('/__emulator/')) work = handleAdmin(ctx);
		else if (path === '/oauth/connect') work = handleConsent(ctx);
		else if (path.startsWith('/mcp/')) work = handleMcpEndpoint(ctx);
		else if (path === '/.well-known/jwks.json' && (req.method ?? 'GET') === 'GET') {
			// The DAuth server's public keys; the emulator plays the authorization server too.
			sendJson(res, 200, state.encryption.jwks());
			return;
		} else if (path === '/healthz') {
			sendJson(res, 200, { status: 'ok' });
			return;
		} else {
			sendJson(res, 404, { detail: 'Not Found' });
			return;
		}
		work.catch((err: unknown) => {
			// A bug in the emulator must surface as a 500, not as a hung request.
			if (!res.headersSent)
				sendJson(res, 500, { detail: `Emulator error: ${(err as Error)?.message ?? err}` });
			else res.destroy();
		});
	};
}
