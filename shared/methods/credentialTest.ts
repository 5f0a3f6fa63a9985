import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { readMcpCredential } from '../mcp/credentials';

/**
 * The MCP server credential has no endpoint of its own to ask: only the MCP server can tell
 * whether the key works, and it sees it only inside a completion. So the test checks what can be
 * checked without sending the secret anywhere: every field is usable.
 */
export async function testMcpCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const node = {
		id: '',
		name: 'Dedalus',
		type: 'dedalus',
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: {},
	};
	try {
		const checked = readMcpCredential(node, credential.data ?? {}, 0);
		return {
			status: 'OK',
			message: `Ready for ${checked.server} (connection ${checked.connectionName}). The key itself is checked by the MCP server when a completion uses it.`,
		};
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}
