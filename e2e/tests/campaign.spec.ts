import { expect, test, type APIRequestContext } from '@playwright/test';
import { BACKEND, guestHeaders } from '../support/guest';

type Headers = Record<string, string>;

/** Runs a template through the scaffolder's API and returns the finished task's output and log. */
async function runTemplate(request: APIRequestContext, headers: Headers, templateRef: string, values: object) {
  const created = await request.post(`${BACKEND}/api/scaffolder/v2/tasks`, { headers, data: { templateRef, values } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = await created.json();
  await expect
    .poll(async () => (await (await request.get(`${BACKEND}/api/scaffolder/v2/tasks/${id}`, { headers })).json()).status, {
      timeout: 120_000,
      intervals: [500],
    })
    .toMatch(/^(completed|failed|cancelled)$/);
  const events = await (await request.get(`${BACKEND}/api/scaffolder/v2/tasks/${id}/events`, { headers })).json();
  const log = events.map((e: any) => e.body?.message).filter(Boolean).join('\n');
  const completion = events.find((e: any) => e.type === 'completion');
  expect(completion?.body?.status ?? 'completed', log).not.toBe('failed');
  return { output: completion?.body?.output ?? {}, log };
}

test('the campaign template starts one agent per selected component under one campaign session', async ({ request }) => {
  test.setTimeout(300_000);
  const headers = await guestHeaders(request);
  const change = `Add a CODEOWNERS file (${Date.now()})`;
  const { output, log } = await runTemplate(request, headers, 'template:default/campaign', {
    filter: 'kind=component,spec.owner=guests',
    maxSessions: 5,
    change,
    harness: 'demo',
  });
  // Components without a repository are skipped and said so.
  expect(log).toContain('Skipping component:default/legacy-reports: no repository');

  const fanOutId = output.links.find((l: any) => l.title === 'Campaign session').url.split('/').pop();
  await expect
    .poll(
      async () => (await (await request.get(`${BACKEND}/api/agents/sessions/${fanOutId}`, { headers })).json()).status,
      { timeout: 180_000, intervals: [1000] },
    )
    .toMatch(/^(succeeded|failed|cancelled)$/);
  const fanOut = await (await request.get(`${BACKEND}/api/agents/sessions/${fanOutId}`, { headers })).json();
  expect(fanOut).toMatchObject({
    kind: 'fanout',
    status: 'succeeded',
    entityRef: 'template:default/campaign',
    origin: { kind: 'campaign', templateRef: 'template:default/campaign' },
    children: { total: 2, byStatus: { succeeded: 2 } },
  });
  const children = await (
    await request.get(`${BACKEND}/api/agents/sessions`, { headers, params: { parentSessionId: fanOutId } })
  ).json();
  expect(children.items.map((s: any) => s.entityRef).sort()).toEqual([
    'component:default/payments-service',
    'component:default/web-storefront',
  ]);
  for (const child of children.items) {
    expect(child).toMatchObject({ kind: 'agent', status: 'succeeded', origin: { kind: 'campaign', taskId: child.entityRef } });
    expect(child.repoUrl).toContain(child.entityRef.split('/').pop());
    expect(child.prompt).toContain(change);
  }
});
