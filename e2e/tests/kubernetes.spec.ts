import { expect, test } from '@playwright/test';
import path from 'node:path';
import { ENTITY_PATH, HARNESS, openAgentsTab, sessionStatus, startSession } from '../support/agents';
import { signInAsGuest } from '../support/guest';

const SCREENSHOT = path.resolve(__dirname, '../../docs/images/kubernetes-tab.png');

// Backstage's Kubernetes plugin, pointed at the development cluster simulator (app-config.yaml's
// kubernetes section): a running session's harness pod carries the component's
// backstage.io/kubernetes-id, so the component's Kubernetes tab lists it with a link to its session.
test("a running session's pod shows in the component's Kubernetes tab", async ({ page }) => {
  test.setTimeout(240_000);
  await signInAsGuest(page);
  await openAgentsTab(page);
  // [stub:slow] keeps the demo agent working until it is cancelled.
  const id = await startSession(page, `Tidy the refunds module [stub:slow] (${Date.now()})`, HARNESS.demo);
  await expect(sessionStatus(page)).toHaveText('running', { timeout: 60_000 });

  await page.goto(ENTITY_PATH);
  await page.getByRole('navigation', { name: 'Content navigation' }).getByRole('link', { name: 'Kubernetes' }).click();
  await expect(page).toHaveURL(new RegExp(`${ENTITY_PATH}/kubernetes$`));

  // The tab refreshes every 10 s; the session's row names its pod, cluster and phase.
  const row = page.getByRole('row').filter({ hasText: `agents-run-` }).filter({ hasText: id.slice(0, 8) });
  await expect(row).toBeVisible({ timeout: 60_000 });
  await expect(row).toContainText('Running');
  await expect(row).toContainText('dev');
  await expect(row).toContainText('agents');
  // The plugin's own cluster view counts it too, with no errors reported.
  await expect(page.getByText('Your Clusters')).toBeVisible();
  await expect(page.getByText(/^[1-9]\d* pods?$/).first()).toBeVisible();
  await expect(page.getByText('No pods with errors')).toBeVisible();
  // Every list call the plugin made was answered (the simulator speaks each kind it asks for).
  await expect(page.getByText('There was a problem retrieving Kubernetes objects')).toHaveCount(0);

  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: SCREENSHOT });
  await page.setViewportSize({ width: 1280, height: 720 });

  // Its link leads to the session's page; cancelling it there ends the run.
  await row.getByRole('link', { name: id.slice(0, 8) }).click();
  await expect(page).toHaveURL(new RegExp(`/agents/sessions/${id}$`));
  await page.getByRole('button', { name: 'Cancel session' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel session' }).click();
  await expect(sessionStatus(page)).toHaveText('cancelled', { timeout: 60_000 });
});
