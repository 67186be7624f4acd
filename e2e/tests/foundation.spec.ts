import { expect, test } from '@playwright/test';
import path from 'node:path';
import { ARTIFACTS } from '../support/artifacts';
import { BACKEND, guestToken, signInAsGuest } from '../support/guest';

test('a guest signs in and sees the example components', async ({ page }) => {
  await signInAsGuest(page);
  await page.getByRole('link', { name: 'payments-service', exact: true }).click();
  await expect(page.getByText('Takes payments and issues refunds.').first()).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, 'catalog-entity.png') });
});

test('the agents API creates and lists sessions for a signed-in guest', async ({ request }) => {
  const unauthenticated = await request.get(`${BACKEND}/api/agents/sessions`);
  expect(unauthenticated.status()).toBe(401);

  const headers = { Authorization: `Bearer ${await guestToken(request)}` };
  const before = await request.get(`${BACKEND}/api/agents/sessions`, { headers });
  expect(before.status()).toBe(200);

  const prompt = `Add a subtract function (${Date.now()})`;
  const created = await request.post(`${BACKEND}/api/agents/sessions`, {
    headers,
    data: { entityRef: 'component:default/payments-service', prompt },
  });
  expect(created.status()).toBe(201);
  const session = await created.json();
  expect(session).toMatchObject({ status: 'pending', prompt, baseBranch: 'main' });
  expect(session.repoUrl).toBe('http://localhost:7008/example-org/payments-service');

  const listed = await request.get(`${BACKEND}/api/agents/sessions`, {
    headers,
    params: { entityRef: 'component:default/payments-service' },
  });
  expect((await listed.json()).items[0].id).toBe(session.id);

  const noSource = await request.post(`${BACKEND}/api/agents/sessions`, {
    headers,
    data: { entityRef: 'component:default/legacy-reports', prompt: 'x' },
  });
  expect(noSource.status()).toBe(400);
  expect((await noSource.json()).error.message).toContain('has no Git source');
});

test('a session runs as a pod under the cluster simulator and can be resumed', async ({ request }) => {
  // The default harness of the development config: the real OpenCode against the model simulator.
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };
  const created = await request.post(`${BACKEND}/api/agents/sessions`, {
    headers,
    data: { entityRef: 'component:default/payments-service', prompt: 'Add a subtract function' },
  });
  expect(created.status()).toBe(201);
  const { id, workBranch, harness } = await created.json();
  expect(harness).toBe('opencode');

  const finished = async () => {
    const res = await request.get(`${BACKEND}/api/agents/sessions/${id}`, { headers });
    return (await res.json()).status;
  };
  await expect.poll(finished, { timeout: 90_000 }).toBe('succeeded');

  const logs = await request.get(`${BACKEND}/api/agents/sessions/${id}/logs`, { headers });
  const body = await logs.text();
  expect(body).toContain(`Pushed ${workBranch}`);
  expect(body).toContain('Uploaded the session bundle');
  expect(body).toContain('event: end');

  const resumed = await request.post(`${BACKEND}/api/agents/sessions/${id}/resume`, {
    headers,
    data: { prompt: 'Also add tests' },
  });
  expect(resumed.status()).toBe(200);
  await expect.poll(finished, { timeout: 90_000 }).toBe('succeeded');
  const session = await (await request.get(`${BACKEND}/api/agents/sessions/${id}`, { headers })).json();
  expect(session.runs.map((r: { phase: string }) => r.phase)).toEqual(['succeeded', 'succeeded']);
  const again = await (await request.get(`${BACKEND}/api/agents/sessions/${id}/logs?after=5`, { headers })).text();
  expect(again).toContain(`Continuing work branch ${workBranch}`);
  // The resume continued OpenCode's own session, whose conversation the simulator saw a second prompt in.
  const [first, second] = session.runs;
  expect(second.result.harnessSessionId).toBe(first.result.harnessSessionId);
  expect(second.result.summary).toBe('Done: wrote fake-llm-edit-2.txt.');
  expect(session.bundle.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
});

test('the OpenAPI document is served', async ({ request }) => {
  const res = await request.get(`${BACKEND}/api/agents/openapi.json`);
  expect(res.status()).toBe(200);
  const doc = await res.json();
  expect(doc.openapi).toMatch(/^3\./);
  expect(doc.info.title).toBe('agents');
  expect(Object.keys(doc.paths)).toContain('/api/agents/sessions');
});
