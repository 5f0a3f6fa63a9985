/**
 * The `ICredentialsHelper` n8n-core asks for credentials, after n8n 2.41.1's real one
 * (`n8n/dist/credentials-helper.js`, class `CredentialsHelper`), with only what a node like Dedalus
 * uses and no database:
 * - credentials are looked up by credential type name in an in-memory map (the node must still
 *   reference them in `node.credentials`: n8n-core checks that before asking);
 * - `getDecrypted` applies the credential type's defaults and resolves `=`-expressions in the data
 *   the same way (`applyDefaultsAndOverwrites`, without overwrites or external secrets);
 * - `authenticate` calls the credential type's `authenticate` function, as n8n does.
 * Credential types that extend others, declarative (`generic`) authentication, pre-authentication,
 * credential tests and OAuth are not reproduced: reaching one throws a `Harness:` error.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentials,
	ICredentialsExpressionResolveValues,
	IExecuteData,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	INodeTypes,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, UserError, Workflow } from 'n8n-workflow';
import { getAdditionalKeys } from 'n8n-core';
import { HarnessError } from './http-fakes';

/** The node n8n resolves credential expressions against when there is no item context. */
const mockNode: INode = {
	id: 'mock',
	name: '',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {},
};

const mockNodeTypes: INodeTypes = {
	getKnownTypes: () => ({}),
	getByName: () => ({ description: { properties: [] } }) as never,
	getByNameAndVersion: (_nodeType, version) =>
		NodeHelpers.getVersionedNodeType({ description: { properties: [] } } as never, version),
};

export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly credentialTypes: Record<string, ICredentialType>,
		/** Stored (not yet defaulted) data per credential type name. */
		private readonly store: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	private getCredentialType(typeName: string): ICredentialType {
		const type = this.credentialTypes[typeName];
		if (!type) throw new HarnessError(`unknown credential type "${typeName}"`);
		if (type.extends)
			throw new HarnessError('credential types that extend others are not implemented');
		return type;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.getCredentialType(typeName);
		if (!authenticate) return requestOptions;
		if (typeof authenticate !== 'function') {
			throw new HarnessError('declarative (generic) credential authentication is not implemented');
		}
		return await authenticate(credentials, requestOptions);
	}

	/** n8n-core asks before every authenticated request; only types with `preAuthentication` need it. */
	async preAuthentication(
		_helpers: unknown,
		_credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<undefined> {
		if (this.getCredentialType(typeName).preAuthentication) {
			throw new HarnessError('credential pre-authentication is not implemented');
		}
		return undefined;
	}

	async runPreAuthentication(): Promise<never> {
		throw new HarnessError('credential pre-authentication is not implemented');
	}

	/** n8n-core checks for OAuth1 parents before every authenticated request. */
	getParentTypes(typeName: string): string[] {
		this.getCredentialType(typeName);
		return [];
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = this.getCredentialType(credentialType);
		return !type.restrictToSupportedNodes || (type.supportedNodes ?? []).includes(nodeType);
	}

	async getCredentials(): Promise<ICredentials> {
		throw new HarnessError('encrypted credentials (getCredentials) are not implemented');
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.store[type];
		if (!stored) {
			throw new UserError(
				`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`,
			);
		}
		if (raw === true) return { ...stored };

		// CredentialsHelper.applyDefaultsAndOverwrites, without overwrites
		const withDefaults = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			stored as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
		if (expressionResolveValues) {
			return expressionResolveValues.workflow.expression.getParameterValue(
				withDefaults as never,
				expressionResolveValues.runExecutionData,
				expressionResolveValues.runIndex,
				expressionResolveValues.itemIndex,
				expressionResolveValues.node.name,
				expressionResolveValues.connectionInputData,
				mode,
				additionalKeys,
				executeData,
				false,
				withDefaults,
			) as ICredentialDataDecryptedObject;
		}
		const workflow = new Workflow({
			nodes: [mockNode],
			connections: {},
			active: false,
			nodeTypes: mockNodeTypes,
		});
		return workflow.expression.getComplexParameterValue(
			mockNode,
			withDefaults as never,
			mode,
			additionalKeys,
			undefined,
			undefined,
			withDefaults,
		) as ICredentialDataDecryptedObject;
	}

	async updateCredentials(): Promise<void> {
		throw new HarnessError('updating credentials is not implemented');
	}

	async updateCredentialsOauthTokenData(): Promise<void> {
		throw new HarnessError('OAuth credentials are not implemented');
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.getCredentialType(type).properties;
	}
}
