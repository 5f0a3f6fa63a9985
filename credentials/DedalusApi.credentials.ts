import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

export class DedalusApi implements ICredentialType {
	name = 'dedalusApi';

	displayName = 'Dedalus API';

	icon: Icon = { light: 'file:dedalus.svg', dark: 'file:dedalus.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-dedalus/n8n-nodes-dedalus#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'dsk-...',
			description: 'Your Dedalus API key, from the Dedalus dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.dedaluslabs.ai',
			description: 'The Dedalus API, without /v1',
		},
		{
			displayName: 'Authorization Server URL',
			name: 'authServerUrl',
			type: 'string',
			default: 'https://as.dedaluslabs.ai',
			description:
				'The Dedalus authorization server (DAuth). Change it only for a self-hosted or test setup.',
		},
		{
			displayName: 'Provider',
			name: 'provider',
			type: 'string',
			default: '',
			placeholder: 'e.g. openai',
			description:
				'Bring your own key: the provider whose key is sent below (X-Provider). Leave empty to use Dedalus billing.',
		},
		{
			displayName: 'Provider API Key',
			name: 'providerApiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Bring your own key: the provider API key (X-Provider-Key)',
		},
	];

	// A function rather than generic headers: the bring-your-own-key headers must be absent, not empty, when unset.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const headers: Record<string, string> = {
			...(requestOptions.headers as Record<string, string> | undefined),
			Authorization: `Bearer ${String(credentials.apiKey ?? '')}`,
		};
		if (credentials.provider) headers['X-Provider'] = String(credentials.provider);
		if (credentials.providerApiKey) headers['X-Provider-Key'] = String(credentials.providerApiKey);
		return { ...requestOptions, headers };
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://api.dedaluslabs.ai").replace(/\\/+$/, "") }}',
			url: '/v1/models',
			method: 'GET',
			// A redirect would carry the API key to wherever it points (docs/security.md).
			disableFollowRedirect: true,
		},
		rules: [
			...[301, 302, 303, 307, 308].map((value) => ({
				type: 'responseCode' as const,
				properties: {
					value,
					message: `Dedalus answered with a redirect (${value}), which was not followed so that the API key stays home. The Base URL must be the API address itself, not one that redirects.`,
				},
			})),
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'The API key was rejected by Dedalus (401). Check the key and the Base URL.',
				},
			},
			{
				type: 'responseCode',
				properties: { value: 403, message: 'The API key is not allowed to list models (403).' },
			},
		],
	};
}
