/**
 * Text made safe for HTML: the authorization page (nodes/Dedalus/authorization/page.ts) and the chat
 * model's consent error, whose editor view renders HTML (nodes/DedalusChatModel/guard.ts).
 */
export function escapeHtml(value: string): string {
	return value
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}
