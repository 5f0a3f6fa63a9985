export * as listSearch from './listSearch';
export { testMcpCredential } from './credentialTest';
