/**
 * Types, the session status model and the permissions shared by the Agents for Backstage plugins.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './statusModel';
export * from './permissions';
export * from './limits';
export * from './signals';
export type {
  paths as AgentsApiPaths,
  components as AgentsApiComponents,
  operations as AgentsApiOperations,
} from './generated/openapi';
