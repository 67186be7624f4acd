import type { SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import { ClusterRouting } from './ClusterRouting';

const session = (policy: string, run: object = {}, snapshot: object = {}) =>
  ({ policy: { name: policy, snapshot }, runs: [{ id: 'r1', ...run }] }) as unknown as SessionWithRuns;

describe('ClusterRouting', () => {
  const routing = new ClusterRouting({
    defaultCluster: 'east',
    policyClusters: new Map([['batch', 'west']]),
  });

  it("launches on the policy's cluster, else on the default one", () => {
    expect(routing.clusterOf(session('batch'))).toBe('west');
    expect(routing.clusterOf(session('default'))).toBe('east');
    // A policy resolver's snapshot may name the cluster itself.
    expect(routing.launchClusterOf(session('custom', {}, { cluster: 'north' }))).toBe('north');
  });

  it('keeps a launched run on the cluster it recorded, whatever the policy says now', () => {
    expect(routing.clusterOf(session('batch', { podName: 'agents-run-r1', cluster: 'east' }))).toBe('east');
    // Launched before runs recorded their cluster: the default one.
    expect(routing.clusterOf(session('batch', { podName: 'agents-run-r1' }))).toBe('east');
  });
});
