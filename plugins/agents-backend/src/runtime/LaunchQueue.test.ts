import { mockServices } from '@backstage/backend-test-utils';
import type { SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import { LaunchQueue } from './LaunchQueue';

/** A pending session as the queue sees it: what its admission depends on. */
const pending = (id: string, entityRef: string, policy = 'default') =>
  ({
    id,
    status: 'pending',
    entityRef,
    entityOwnerRef: 'group:default/team-a',
    policy: { name: policy, snapshot: {} },
    runs: [],
  } as unknown as SessionWithRuns);

describe('LaunchQueue', () => {
  it('offers one held-back session per entity, owner and policy, and every other session, oldest first', async () => {
    const sessions = [
      pending('a1', 'component:default/payments'),
      pending('a2', 'component:default/payments'),
      pending('b1', 'component:default/ledger'),
      pending('a3', 'component:default/payments'),
      pending('c1', 'component:default/payments', 'fanout'),
      pending('b2', 'component:default/ledger'),
    ];
    const offered: string[] = [];
    // payments under the default policy is at its cap; the others start.
    const admitted = new Set(['b1', 'b2', 'c1']);
    const queue = new LaunchQueue({
      sessions: { listActiveSessions: async () => sessions },
      launcher: {
        launch: async session => {
          offered.push(session.id);
          return admitted.has(session.id);
        },
      },
      logger: mockServices.logger.mock(),
    });
    await queue.launchQueued();
    expect(offered).toEqual(['a1', 'b1', 'c1', 'b2']);
  });
});
