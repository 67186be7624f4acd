import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import { sessionPodsOf } from './sessionPods';

const pod = (name: string, labels: Record<string, string>, extra: object = {}) => ({
  metadata: { name, namespace: 'agents', labels, ...extra },
  status: { phase: 'Running', startTime: `2026-12-05T06:0${name.length % 10}:00Z` },
});

describe('sessionPodsOf', () => {
  it('lists the harness pods of every cluster with their sessions, newest first', () => {
    const response = {
      items: [
        {
          cluster: { name: 'east' },
          errors: [],
          podMetrics: [],
          resources: [
            {
              type: 'pods',
              resources: [
                pod(
                  'agents-run-1',
                  { 'app.kubernetes.io/managed-by': 'backstage-agents', 'agents.backstage.io/session': 'aaaa1111' },
                  { annotations: { 'agents.backstage.io/session-url': 'http://localhost:3000/agents/sessions/aaaa1111' } },
                ),
                pod('web-7d9c', { app: 'web' }),
              ],
            },
            { type: 'services', resources: [] },
          ],
        },
        {
          cluster: { name: 'west', title: 'West' },
          errors: [],
          podMetrics: [],
          resources: [
            {
              type: 'pods',
              resources: [
                pod('agents-run-22', {
                  'app.kubernetes.io/managed-by': 'backstage-agents',
                  'agents.backstage.io/session': 'bbbb2222',
                }),
              ],
            },
          ],
        },
      ],
    } as unknown as ObjectsByEntityResponse;

    expect(sessionPodsOf(response)).toEqual([
      {
        cluster: 'West',
        name: 'agents-run-22',
        namespace: 'agents',
        sessionId: 'bbbb2222',
        sessionPath: '/agents/sessions/bbbb2222',
        phase: 'Running',
        startedAt: '2026-12-05T06:03:00Z',
      },
      {
        cluster: 'east',
        name: 'agents-run-1',
        namespace: 'agents',
        sessionId: 'aaaa1111',
        sessionPath: '/agents/sessions/aaaa1111',
        phase: 'Running',
        startedAt: '2026-12-05T06:02:00Z',
      },
    ]);
  });
});
