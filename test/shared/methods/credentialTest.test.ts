import type { ICredentialTestFunctions } from 'n8n-workflow';

import { testMcpCredential } from '../../../shared/methods/credentialTest';

const context = {} as ICredentialTestFunctions;
const credential = (data: Record<string, string>) => ({
	id: 'c1',
	name: 'Weather key',
	type: 'dedalusMcpCredentialsApi',
	data,
});

describe('MCP server credential test (the node method named by testedBy)', () => {
	it('passes a usable credential, naming the connection it will use', async () => {
		expect(
			await testMcpCredential.call(
				context,
				credential({ server: 'dedalus-labs/weather', apiKey: 'wx-SECRET-1' }),
			),
		).toEqual({
			status: 'OK',
			message:
				'Ready for dedalus-labs/weather (connection dedalus-labs-weather). The key itself is checked by the MCP server when a completion uses it.',
		});
	});

	it('fails an unusable one with the field to fix, never echoing the secret', async () => {
		const result = await testMcpCredential.call(
			context,
			credential({ server: 'https://mcp.example.com/mcp', apiKey: 'wx-SECRET-2' }),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toContain('needs a Connection Name when the MCP Server is a URL');
		expect(JSON.stringify(result)).not.toContain('SECRET');
	});
});
