import { expect, test, type APIRequestContext } from '@playwright/test';
import path from 'node:path';
import { ENTITY_PATH } from '../support/agents';
import { BACKEND, guestHeaders, signInAsGuest } from '../support/guest';

const ENTITY_REF = 'component:default/payments-service';
const IMAGES = path.resolve(__dirname, '../../docs/images');

/** Starts a demo session over the API and waits for it to finish; returns its id. */
async function runDemoSession(
  request: APIRequestContext,
  headers: Record<string, string>,
  prompt: string,
) {
  const created = await request.post(`${BACKEND}/api/agents/sessions`, {
    headers,
    data: { entityRef: ENTITY_REF, prompt, harness: 'demo' },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = await created.json();
  await expect
    .poll(
      async () =>
        (
          await (
            await request.get(`${BACKEND}/api/agents/sessions/${id}`, {
              headers,
            })
          ).json()
        ).status,
      { timeout: 120_000, intervals: [1_000] },
    )
    .toMatch(/^(succeeded|failed)$/);
  return id as string;
}

test('the overview card and the usage page show the sessions of the demo agent', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  const headers = await guestHeaders(request);
  const succeeded = await runDemoSession(
    request,
    headers,
    `Add a subtract function (${Date.now()})`,
  );
  const failed = await runDemoSession(
    request,
    headers,
    `Break the build [stub:fail] (${Date.now()})`,
  );

  await signInAsGuest(page);
  await page.setViewportSize({ width: 1440, height: 1000 });

  // Other specs' sessions may be there too: the figures are checked against the API's, and the page is
  // reloaded until both agree (a session of an earlier spec may finish meanwhile).
  const usage = async (query = '') =>
    (await (await request.get(`${BACKEND}/api/agents/usage${query}`, { headers })).json()) as {
      total: number;
      successRate?: number;
      perDay: Array<{ date: string; sessions: number }>;
    };
  const rate = (r?: number) => (r === undefined ? '—' : `${Math.round(r * 100)}%`);

  // The component's overview: its card lists the newest sessions first, linking to their pages, and
  // the entity's success rate.
  await page.goto(ENTITY_PATH);
  const card = page.getByTestId('agents-overview-card');
  await expect(card).toBeVisible({ timeout: 60_000 });
  const recent = card.getByRole('list', { name: 'Recent sessions' });
  await expect(recent.getByRole('link').first()).toHaveAttribute(
    'href',
    new RegExp(`/agents/sessions/${failed}$`),
  );
  await expect(recent.getByRole('link').nth(1)).toHaveAttribute(
    'href',
    new RegExp(`/agents/sessions/${succeeded}$`),
  );
  expect(await recent.getByRole('link').count()).toBeLessThanOrEqual(5);
  await expect(card.getByLabel('running now')).toHaveText(/^\d+$/);
  await expect(async () => {
    const entity = await usage(`?entityRef=${ENTITY_REF}`);
    await page.reload();
    await expect(card.getByText(rate(entity.successRate), { exact: true })).toBeVisible({ timeout: 10_000 });
  }).toPass({ timeout: 60_000 });
  await expect(card.getByRole('button', { name: 'New session' })).toBeVisible();
  await page.mouse.move(0, 0);
  await card.screenshot({ path: path.join(IMAGES, 'overview-card.png') });

  // The usage page: the figures and today's bar in the sessions-per-day chart.
  await page.goto('/agents/usage');
  await expect(page.getByRole('heading', { name: 'Agent usage' })).toBeVisible();
  const chart = page.getByTestId('sessions-per-day-chart');
  const today = new Date().toISOString().slice(0, 10);
  await expect(async () => {
    const all = await usage();
    await page.reload();
    await expect(chart).toBeVisible({ timeout: 30_000 });
    await expect(page.getByLabel('Sessions', { exact: true })).toHaveText(String(all.total), { timeout: 5_000 });
    await expect(page.getByLabel('Success rate', { exact: true })).toHaveText(rate(all.successRate), {
      timeout: 5_000,
    });
    const todays = all.perDay.find(d => d.date === today)?.sessions ?? 0;
    expect(todays).toBeGreaterThanOrEqual(2);
    await expect(chart.locator(`[data-date="${today}"]`)).toHaveAttribute('data-sessions', String(todays), {
      timeout: 5_000,
    });
  }).toPass({ timeout: 90_000 });
  await expect(page.getByRole('table')).toContainText('payments-service');
  await page.mouse.move(0, 0);
  // The page scrolls inside its content area: a taller window shows all of it.
  await page.setViewportSize({ width: 1440, height: 1250 });
  await page.screenshot({ path: path.join(IMAGES, 'usage.png') });

  // The API counts the entity's sessions alike, and refuses a range too long.
  const entityStats = await request.get(
    `${BACKEND}/api/agents/usage?entityRef=${ENTITY_REF}`,
    { headers },
  );
  expect((await entityStats.json()).total).toBeGreaterThanOrEqual(2);
  const tooLong = await request.get(
    `${BACKEND}/api/agents/usage?from=2024-01-01&to=2026-01-01`,
    { headers },
  );
  expect(tooLong.status()).toBe(400);
});
