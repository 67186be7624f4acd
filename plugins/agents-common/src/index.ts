/**
 * Types, the session status model, the permissions and the API client shared by the Agents for
 * Backstage plugins.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './statusModel';
export * from './permissions';
export * from './limits';
export * from './signals';
export * from './client';
export * from './entityRepository';
export * from './speckit';
export { normalizeEntityRef } from './normalizeEntityRef';
export type {
  paths as AgentsApiPaths,
  components as AgentsApiComponents,
  operations as AgentsApiOperations,
} from './generated/openapi';
