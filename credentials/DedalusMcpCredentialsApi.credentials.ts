import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The secret of one MCP server that takes an API key or token instead of OAuth. It lives here,
 * never in node parameters (stored in plain text with the workflow). The node encrypts it with
 * the Dedalus authorization server's public key before it leaves n8n (README, MCP server credentials).
 */
export class DedalusMcpCredentialsApi implements ICredentialType {
	name = 'dedalusMcpCredentialsApi';

	displayName = 'Dedalus MCP Server Credentials API';

	icon: Icon = { light: 'file:dedalus.svg', dark: 'file:dedalus.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-dedalus/n8n-nodes-dedalus#mcp-server-credentials-dedalus-mcp-server-credentials-api';

	properties: INodeProperties[] = [
		{
			displayName: 'MCP Server',
			name: 'server',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. dedalus-labs/brave-search',
			description:
				'The MCP server this secret is for: its marketplace slug (owner/name) or https:// URL, as written in the MCP Servers field',
		},
		{
			displayName: 'Connection Name',
			name: 'connectionName',
			type: 'string',
			default: '',
			placeholder: 'e.g. dedalus-labs-brave-search',
			description:
				'The connection the server declares. Leave empty for the usual name: the slug with "/" replaced by "-".',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The API key or token the MCP server uses for its service',
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'Authorization',
			description: 'The HTTP header in which the MCP server sends the key to its service',
		},
		{
			displayName: 'Header Format',
			name: 'headerTemplate',
			type: 'string',
			default: 'Bearer {api_key}',
			description: 'The header value; {api_key} stands for the key',
		},
		{
			displayName: 'Provider Base URL',
			name: 'providerBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://github.example.com/api/v3',
			description:
				"Only for a self-hosted or enterprise service: the URL that replaces the provider's own",
		},
	];
}
