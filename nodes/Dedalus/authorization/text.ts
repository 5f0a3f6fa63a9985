import { MAX_SHOWN_TEXT, clipText, isHttpUrl, isLoopbackHost } from '../../../shared/transport';

// Characters that change how text around them is displayed without being seen themselves:
// bidirectional controls (which can make "moc.live" read as "evil.com"), zero-width and other
// invisible formatting characters (Unicode category Cf: also soft hyphen, word joiner, BOM, tag
// characters), invisible fillers that are letters or marks by category. Control characters
// (line breaks included) become spaces.
const HIDDEN = /\p{Cf}|[\u115F\u1160\u3164\uFFA0]|\u034F|\u17B4|\u17B5/gu;
const CONTROL = /\p{Cc}/gu;

/** Text fit to show a person: no hidden characters, and API-supplied text cut short. */
export function shownText(text: string, max = MAX_SHOWN_TEXT): string {
	return clipText(text.replace(HIDDEN, '').replace(CONTROL, ' '), max);
}

/** Said wherever a person is handed the Connect link: the page and the chat or stream message. */
export const SHARED_CONSENT =
	"Consent is given for the Dedalus account behind this workflow's API key, not for you alone: the account you connect is then used by everyone who runs workflows with that key. Connect only an account meant to be shared that way.";

export interface LinkFacts {
	/** Where the link leads, as the browser will resolve it (an internationalised name in punycode). */
	host: string;
	/** Plain http to anywhere but this machine: readable and changeable on the way. */
	insecure: boolean;
}

/** What a person should see about a link before following it; undefined when it is not a link to show. */
export function linkFacts(url: string | undefined): LinkFacts | undefined {
	if (url === undefined || !isHttpUrl(url)) return undefined;
	const parsed = new URL(url);
	return {
		host: parsed.host,
		insecure: parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname),
	};
}

/**
 * A name for a chat message (workflow, node, MCP server): shown as inline code, which Slack,
 * Mattermost and Discord all render literally (no links, no formatting), with its own backticks
 * replaced so it cannot close the code span, angle brackets (Slack's `<!channel>`, `<url|label>`)
 * replaced by look-alike quotes, and mass mentions broken by a zero-width space.
 */
export function chatName(text: string): string {
	const plain = shownText(text, 200)
		.replace(/`/g, "'")
		.replace(/</g, '‹')
		.replace(/>/g, '›')
		.replace(/@(here|channel|everyone|all)\b/gi, '@\u200B$1');
	return `\`${plain}\``;
}

/** Slack's (and Mattermost's) own escaping: `&`, `<` and `>` are its control characters (`<!channel>`, `<url|label>`). */
export function slackEscape(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
