/** What replaces a secret that a server echoed back. */
export const REDACTED = '[redacted]';

/**
 * Replaces every occurrence of the given secrets in `text`, raw or JSON-escaped, by [redacted].
 * Applied to every response body before it is parsed, so nothing built from a body (an error, the
 * execution data, n8n's log, the authorization page) can carry the API key or the provider key.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
	let result = text;
	for (const secret of secrets) {
		if (secret === '') continue;
		const escaped = JSON.stringify(secret).slice(1, -1);
		for (const form of escaped === secret ? [secret] : [secret, escaped]) {
			if (result.includes(form)) result = result.split(form).join(REDACTED);
		}
	}
	return result;
}
