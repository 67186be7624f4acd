import { expect, test, type APIRequestContext } from '@playwright/test';
import path from 'node:path';
import { ARTIFACTS } from '../support/artifacts';
import { BACKEND, guestHeaders, signInAsGuest } from '../support/guest';

const COMPONENT = 'component:default/payments-service';

type Headers = Record<string, string>;

/** Runs a template through the scaffolder's API, as its form would, and returns the finished task. */
async function runTemplate(
  request: APIRequestContext,
  headers: Headers,
  templateRef: string,
  values: Record<string, unknown>,
) {
  const created = await request.post(`${BACKEND}/api/scaffolder/v2/tasks`, {
    headers,
    data: { templateRef, values },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = await created.json();
  let task: any;
  await expect
    .poll(
      async () => {
        task = await (await request.get(`${BACKEND}/api/scaffolder/v2/tasks/${id}`, { headers })).json();
        return task.status;
      },
      { timeout: 120_000, intervals: [500] },
    )
    .toMatch(/^(completed|failed|cancelled)$/);
  if (task.status !== 'completed') {
    const events = await (await request.get(`${BACKEND}/api/scaffolder/v2/tasks/${id}/events`, { headers })).json();
    throw new Error(
      `Template task ${id} ended ${task.status}:\n${events.map((e: any) => e.body?.message).filter(Boolean).join('\n')}`,
    );
  }
  const events = await (await request.get(`${BACKEND}/api/scaffolder/v2/tasks/${id}/events`, { headers })).json();
  const completion = events.find((e: any) => e.type === 'completion');
  return { id, output: completion?.body?.output ?? task.output ?? {} };
}

async function getSession(request: APIRequestContext, headers: Headers, id: string) {
  const res = await request.get(`${BACKEND}/api/agents/sessions/${id}`, { headers });
  expect(res.ok()).toBeTruthy();
  return res.json();
}

async function untilFinished(request: APIRequestContext, headers: Headers, id: string) {
  await expect
    .poll(async () => (await getSession(request, headers, id)).status, { timeout: 150_000, intervals: [1000] })
    .toMatch(/^(succeeded|failed|cancelled|timed_out)$/);
  return getSession(request, headers, id);
}

test('the "Fix an issue" template starts an agent that pushes a branch and opens a pull request', async ({
  request,
}) => {
  test.setTimeout(240_000);
  const headers = await guestHeaders(request);
  const issue = `The refund total is off by one cent (${Date.now()})`;
  const { output } = await runTemplate(request, headers, 'template:default/fix-issue', {
    component: COMPONENT,
    issue,
    harness: 'demo',
  });
  const sessionLink = output.links.find((l: any) => l.title === 'Agent session');
  expect(sessionLink.url).toMatch(/\/agents\/sessions\/[0-9a-f-]{36}$/);
  const id = sessionLink.url.split('/').pop();

  const session = await untilFinished(request, headers, id);
  expect(session).toMatchObject({
    kind: 'agent',
    entityRef: COMPONENT,
    status: 'succeeded',
    origin: { kind: 'scaffolder', templateRef: 'template:default/fix-issue' },
  });
  expect(session.prompt).toContain(issue);
  await expect
    .poll(async () => (await getSession(request, headers, id)).prUrl, { timeout: 60_000 })
    .toMatch(/\/example-org\/payments-service\/pull\/\d+$/);
});

test('the "Implement a spec" template fans out one agent per [ASYNC] task, and the fan-out page shows them all', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  const headers = await guestHeaders(request);
  const { output } = await runTemplate(request, headers, 'template:default/implement-spec', {
    component: COMPONENT,
    feature: '001-refunds',
    harness: 'demo',
    maxTasks: 10,
  });
  const fanOutLink = output.links.find((l: any) => l.title === 'All tasks (fan-out session)');
  const fanOutId = fanOutLink.url.split('/').pop();

  // Every open [ASYNC] task of examples/specs/001-refunds/tasks.md runs to completion on its own branch,
  // in waves: T003 depends on T002, and T005's phase comes after theirs.
  const fanOut = await untilFinished(request, headers, fanOutId);
  expect(fanOut).toMatchObject({
    kind: 'fanout',
    status: 'succeeded',
    // The template is bound to this policy in app-config.yaml; the request could not choose it.
    policy: { name: 'spec-fanout', snapshot: { egressProfile: 'github-only', maxConcurrentPerEntity: 4 } },
    origin: { kind: 'speckit', templateRef: 'template:default/implement-spec' },
    children: { total: 3, byStatus: { succeeded: 3 } },
    integrationBranch: 'specs/001-refunds/integration',
  });
  const children = await (
    await request.get(`${BACKEND}/api/agents/sessions`, { headers, params: { parentSessionId: fanOutId } })
  ).json();
  const byTask = Object.fromEntries(children.items.map((s: any) => [s.origin.taskId, s]));
  expect(Object.keys(byTask).sort()).toEqual(['T002', 'T003', 'T005']);
  const waves: Record<string, number> = { T002: 1, T003: 2, T005: 3 };
  for (const [taskId, child] of Object.entries<any>(byTask)) {
    expect(child).toMatchObject({
      status: 'succeeded',
      policy: { name: 'spec-fanout' },
      parentSessionId: fanOutId,
      workBranch: `specs/001-refunds/${taskId}-async`,
      baseBranch: 'specs/001-refunds/integration',
      wave: waves[taskId],
    });
    expect(child.prompt).toContain(`Implement task ${taskId}`);
  }
  // Each wave started after the one before it had finished.
  expect(Date.parse(byTask.T003.startedAt)).toBeGreaterThanOrEqual(Date.parse(byTask.T002.finishedAt));
  expect(Date.parse(byTask.T005.startedAt)).toBeGreaterThanOrEqual(Date.parse(byTask.T003.finishedAt));
  // The last wave is merged right after its task ends.
  await expect
    .poll(async () => (await getSession(request, headers, fanOutId)).currentWave, { timeout: 30_000 })
    .toBe(4);

  // The fan-out's page lists every child with its status and branch.
  await signInAsGuest(page);
  await page.goto(new URL(fanOutLink.url).pathname);
  await expect(page.getByText('Task sessions', { exact: true })).toBeVisible();
  for (const wave of [1, 2, 3]) {
    await expect(page.getByRole('heading', { name: `Wave ${wave} · merged` })).toBeVisible();
  }
  for (const taskId of ['T002', 'T003', 'T005']) {
    const row = page.getByRole('row', { name: new RegExp(`\\b${taskId}\\b`) });
    await expect(row).toBeVisible();
    await expect(row).toContainText(`specs/001-refunds/${taskId}-async`);
    await expect(row).toContainText(/succeeded/i);
  }
  // The page scrolls inside the app's content area: a taller window shows the progress and every task.
  await page.setViewportSize({ width: 1280, height: 1150 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'fan-out.png') });
});
