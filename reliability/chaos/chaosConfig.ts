import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { PG_CONNECTION } from './database';

export interface ChaosConfigOptions {
  dir: string;
  port: number;
  databaseName: string;
  kubeconfigPath: string;
  /** The agents API as harness pods reach it: the load balancer in front of both replicas. */
  backendUrl: string;
  token: string;
  maxConcurrent: number;
  finishedPodTtlSeconds: number;
  leaseSeconds: number;
  resyncSeconds: number;
}

/**
 * The configuration a replica gets on top of app-config.yaml: its port, the one shared PostgreSQL
 * database (a schema per plugin), the simulator's kubeconfig, short clean-up intervals, a static
 * token for the load, and a demo-only policy with a global cap. Returns the file's path.
 */
export function writeReplicaConfig(name: string, options: ChaosConfigOptions): string {
  const baseUrl = `http://localhost:${options.port}`;
  const config = {
    backend: {
      baseUrl,
      listen: { port: options.port, host: '127.0.0.1' },
      reading: { allow: [{ host: `localhost:${options.port}` }] },
      database: {
        client: 'pg',
        pluginDivisionMode: 'schema',
        connection: { ...PG_CONNECTION, database: options.databaseName },
      },
      auth: {
        externalAccess: [{ type: 'static', options: { token: options.token, subject: 'chaos-load' } }],
      },
      // The replicas log who takes the reconciler lease: the run reads it to know whom to kill.
      logger: { overrides: [{ matchers: { plugin: 'agents' }, level: 'debug' }] },
    },
    // Nothing here searches: the collator would only take CPU from the sessions.
    search: {
      collators: {
        agentSessions: { schedule: { frequency: { hours: 1 }, timeout: { minutes: 2 }, initialDelay: { hours: 1 } } },
      },
    },
    agents: {
      kubernetes: {
        kubeconfig: options.kubeconfigPath,
        namespace: 'agents',
        defaultImage: 'ghcr.io/backstage-agents/harness:dev',
        // ISO 8601 strings: an object would be merged with app-config.yaml's ({ minutes: 5 } + …).
        finishedPodTtl: `PT${options.finishedPodTtlSeconds}S`,
        resyncInterval: `PT${options.resyncSeconds}S`,
        reconcilerLease: `PT${options.leaseSeconds}S`,
        backendUrl: options.backendUrl,
      },
      policies: {
        default: {
          allowedHarnesses: ['demo'],
          defaultHarness: 'demo',
          // One cap for the run: app-config.yaml's per-entity (4) and per-owner (8) caps would
          // otherwise hold two components of one owner to 8 pods, far below the load.
          maxConcurrentGlobal: options.maxConcurrent,
          maxConcurrentPerEntity: options.maxConcurrent,
          maxConcurrentPerOwner: options.maxConcurrent,
          draftPullRequest: true,
        },
      },
    },
  };
  const file = path.join(options.dir, `${name}.app-config.yaml`);
  fs.writeFileSync(file, stringify(config));
  return file;
}
