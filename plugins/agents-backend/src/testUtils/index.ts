/**
 * The backend's parts, for this suite's benchmarks (`bench/`) and deployment tests (`deploy/`) that
 * assemble them without a whole backend. Not a stable API: it follows the internals it exposes.
 *
 * @packageDocumentation
 */

export { BundleService } from '../bundles/BundleService';
export { DatabaseBundleStore } from '../bundles/DatabaseBundleStore';
export { hashRunToken } from '../bundles/runTokens';
export { AgentsDatabase } from '../database/AgentsDatabase';
export { decodeCursor, encodeCursor } from '../database/cursor';
export type { NewSession } from '../database/SessionStore';
export { SessionEventHub } from '../events/SessionEventHub';
export { SessionLogs } from '../logs/SessionLogs';
export { SessionAuthorizer } from '../permissions/SessionAuthorizer';
export { ConfigPolicyResolver } from '../policy/ConfigPolicyResolver';
export { createBundleRouter } from '../router/bundleRouter';
export { createRouter } from '../router/createRouter';
export { streamSessionLog } from '../router/logStream';
export { AgentsRuntime } from '../runtime/AgentsRuntime';
export { SoleLease } from '../runtime/ReconcilerLease';
export { RunLogFollower } from '../runtime/RunLogFollower';
export { buildRunManifests } from '../runtime/runManifests';
export { SessionService } from '../service/SessionService';
export { applyAgentsNamespace } from '../testUtils/agentsNamespace';
export { newSessionInput } from './newSessionInput';
