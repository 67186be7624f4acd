import type { AgentsPolicy, SessionWithRuns } from '@backstage-agents/plugin-agents-common';

/**
 * Which cluster a session's latest run belongs to: the one it was launched on (recorded on the
 * run), else the one its policy names, else the default cluster. A run stays with its cluster
 * after a configuration change, so the reconciler of that cluster keeps adopting it.
 */
export class ClusterRouting {
  constructor(
    private readonly options: {
      defaultCluster: string;
      /** The cluster of each policy that names one, by policy name (`agents.policies.<name>.cluster`). */
      policyClusters?: Map<string, string>;
    },
  ) {}

  get defaultCluster(): string {
    return this.options.defaultCluster;
  }

  /** Where the session's latest run runs, or will be launched. */
  clusterOf(session: SessionWithRuns): string {
    const run = session.runs[session.runs.length - 1];
    if (run?.cluster) return run.cluster;
    // A launched run without a cluster predates named clusters: it runs on the default one.
    if (run?.podName) return this.options.defaultCluster;
    return this.launchClusterOf(session);
  }

  /** Where a run of the session is launched now. */
  launchClusterOf(session: SessionWithRuns): string {
    const snapshot = session.policy.snapshot as Partial<AgentsPolicy> & { cluster?: unknown };
    if (typeof snapshot?.cluster === 'string' && snapshot.cluster) return snapshot.cluster;
    return this.options.policyClusters?.get(session.policy.name) ?? this.options.defaultCluster;
  }
}
