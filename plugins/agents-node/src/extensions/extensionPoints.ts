import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { HarnessProvider } from './HarnessProvider';
import type { BundleStore } from './BundleStore';
import type { PolicyResolver } from './PolicyResolver';

/** Lets modules add harness providers (one per coding agent). */
export interface AgentsHarnessProvidersExtensionPoint {
  addHarnessProvider(provider: HarnessProvider): void;
}

/** @public */
export const agentsHarnessProvidersExtensionPoint =
  createExtensionPoint<AgentsHarnessProvidersExtensionPoint>({
    id: 'agents.harness-providers',
  });

/** Lets one module replace the database bundle store (for example with an S3-compatible one). */
export interface AgentsBundleStoreExtensionPoint {
  setBundleStore(store: BundleStore): void;
}

/** @public */
export const agentsBundleStoreExtensionPoint =
  createExtensionPoint<AgentsBundleStoreExtensionPoint>({
    id: 'agents.bundle-store',
  });

/** Lets one module replace the configuration-based policy resolver. */
export interface AgentsPolicyResolverExtensionPoint {
  setPolicyResolver(resolver: PolicyResolver): void;
}

/** @public */
export const agentsPolicyResolverExtensionPoint =
  createExtensionPoint<AgentsPolicyResolverExtensionPoint>({
    id: 'agents.policy-resolver',
  });
