import { expect, test } from '@playwright/test';
import path from 'node:path';
import { signInAsGuest } from '../support/guest';

const SCREENSHOT = path.resolve(__dirname, '../../docs/images/api-docs.png');

// examples/agents-api.yaml registers the agents API; the catalog reads its definition from the
// backend's /api/agents/openapi.json, so the API docs show exactly what the backend serves.
test('the API docs show the agents API, read from the backend, with its operations', async ({ page }) => {
  test.setTimeout(240_000);
  await signInAsGuest(page);

  // The API explorer lists it (the catalog may still be processing right after a fresh start).
  await expect(async () => {
    await page.goto('/api-docs');
    await expect(page.getByRole('link', { name: 'Agents API' })).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 180_000, intervals: [2_000, 5_000] });
  await page.getByRole('link', { name: 'Agents API' }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/api\/agents/);
  // Part of the suite's system (examples/agents-api.yaml), which the backend plugin provides it in.
  await expect(page.locator('a[href$="/system/agents-for-backstage"]').first()).toBeVisible();

  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Definition' })
    .click();
  // Swagger UI, with the document's operations (deep-link ids carry their operationIds).
  const createSession = page.locator('[id$="-CreateSession"]');
  await expect(createSession).toBeVisible({ timeout: 30_000 });
  await expect(createSession).toContainText('/sessions');
  await expect(page.locator('[id$="-GetSession"]')).toContainText('/sessions/{id}');
  await expect(page.locator('[id$="-ListSessions"]')).toBeVisible();
  // Expanded, it documents the operation's request and responses.
  await createSession.locator('.opblock-summary').first().click();
  await expect(createSession.getByText('Responses', { exact: true }).first()).toBeVisible();

  await page.setViewportSize({ width: 1440, height: 1100 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: SCREENSHOT });
});
