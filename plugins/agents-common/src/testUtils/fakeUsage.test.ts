import { AgentsClient } from '../client/AgentsClient';
import { FakeAgentsApi } from './FakeAgentsApi';
import { makeRun, makeSession } from './sessionFixtures';

describe('FakeAgentsApi GET /usage', () => {
  const on = (
    day: string,
    n: number,
    status: 'succeeded' | 'failed' | 'running',
    extra = {},
  ) =>
    makeSession(n, {
      status,
      createdAt: `${day}T09:00:00.000Z`,
      startedAt: `${day}T09:00:00.000Z`,
      ...(status === 'running'
        ? { finishedAt: undefined }
        : { finishedAt: `${day}T09:0${n}:00.000Z` }),
      ...extra,
    });

  it('answers statistics of its sessions that the OpenAPI document allows', async () => {
    const fake = new FakeAgentsApi([
      on('2026-02-03', 3, 'running'),
      on('2026-02-02', 2, 'failed', { entityRef: 'component:default/ledger' }),
      on('2026-02-01', 1, 'succeeded', {
        runs: [
          makeRun(1, 1, {
            usage: { inputTokens: 100, outputTokens: 10, costUsd: 0.5 },
          }),
        ],
      }),
    ]);
    const client = new AgentsClient({
      discoveryApi: fake.discoveryApi,
      fetchApi: fake,
    });
    const stats = await client.getUsageStatistics({
      from: '2026-02-01',
      to: '2026-02-04',
    });
    expect(stats).toMatchObject({
      total: 3,
      byStatus: { running: 1, failed: 1, succeeded: 1 },
      successRate: 0.5,
      duration: { count: 2, p50Ms: 60_000, p90Ms: 120_000 },
      usage: {
        inputTokens: 100,
        outputTokens: 10,
        costUsd: 0.5,
        unpricedRuns: 0,
      },
    });
    expect(stats.perDay.map(d => d.sessions)).toEqual([1, 1, 1, 0]);
    expect(stats.topEntities[0]).toMatchObject({ sessions: 2, successRate: 1 });
    const ledger = await client.getUsageStatistics({
      from: '2026-02-01',
      to: '2026-02-04',
      entityRef: 'ledger',
    });
    expect(ledger.total).toBe(1);
    fake.assertNoViolations();
    expect(fake.requestsOf('GetUsageStatistics')[0].query).toEqual({
      from: '2026-02-01',
      to: '2026-02-04',
    });
  });

  it('refuses what the backend refuses', async () => {
    const fake = new FakeAgentsApi();
    const client = new AgentsClient({
      discoveryApi: fake.discoveryApi,
      fetchApi: fake,
    });
    await expect(
      client.getUsageStatistics({ from: '2024-01-01', to: '2026-01-01' }),
    ).rejects.toMatchObject({
      body: {
        error: { message: expect.stringContaining('ask for at most 366') },
      },
    });
    await expect(
      client.getUsageStatistics({ harness: 'gpt' as any }),
    ).rejects.toMatchObject({
      response: { status: 400 },
    });
  });
});
