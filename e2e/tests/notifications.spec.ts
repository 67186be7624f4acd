import { expect, test } from '@playwright/test';
import path from 'node:path';
import { HARNESS, openAgentsTab, sessionStatus, startSession } from '../support/agents';
import { signInAsGuest } from '../support/guest';

const SCREENSHOT = path.resolve(__dirname, '../../docs/images/notification.png');

// The default policy notifies a session's creator when it succeeds, fails or times out.
test("a session's creator is notified when it ends, with a link to the session", async ({ page }) => {
  test.setTimeout(240_000);
  await signInAsGuest(page);
  await openAgentsTab(page);
  const prompt = `Add a multiply function (${Date.now()})`;
  const id = await startSession(page, prompt, HARNESS.demo);
  await expect(sessionStatus(page)).toHaveText('succeeded', { timeout: 90_000 });

  await page.goto('/notifications');
  const notification = page.getByRole('link', { name: 'Agent session succeeded on payments-service' }).first();
  await expect(notification).toBeVisible({ timeout: 60_000 });
  await expect(notification).toHaveAttribute('href', new RegExp(`/agents/sessions/${id}$`));
  // The description gives the pull request that the development setup's fake GitHub opened.
  await expect(page.getByText(/Pull request: \S+\/example-org\/payments-service\/pull\/\d+/).first()).toBeVisible();

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: SCREENSHOT });
  await page.setViewportSize({ width: 1280, height: 720 });

  // The link is absolute (<app.baseUrl>/agents/sessions/<id>, as e-mail or chat processors need it), so
  // the notifications page opens it in a new tab.
  const [sessionPage] = await Promise.all([page.context().waitForEvent('page'), notification.click()]);
  await expect(sessionPage).toHaveURL(new RegExp(`/agents/sessions/${id}$`));
  await expect(sessionPage.getByRole('heading', { name: prompt })).toBeVisible({ timeout: 60_000 });
});
