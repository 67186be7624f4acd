export { AgentsClient, type AgentsClientOptions } from './AgentsClient';
export type * from './types';
