import { DedalusClient, pollConsent } from '../../../shared/transport';
import type { DedalusContext } from '../../../shared/transport';
import type { StillNeeded } from './resume-guard';

/**
 * Before a resume sends anything again: when the consent answer carried a `poll_url`, ask it
 * (transport/poll.ts), from the resume webhook or a chat message. Only a clear "not connected" holds the requests back, so the page's
 * auto-continue costs no completion requests while consent is missing; connected, a failed poll
 * or no poll at all send as before.
 */
export async function consentStillMissing(
	context: DedalusContext,
	consent: Pick<StillNeeded, 'pollUrl' | 'serverId'>,
): Promise<boolean> {
	if (!consent.pollUrl) return false;
	const client = await DedalusClient.fromCredentials(context);
	return (await pollConsent(client, consent.pollUrl, consent.serverId)) === 'not_connected';
}
