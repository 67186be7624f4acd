import { expect, test } from '@playwright/test';
import fs from 'node:fs/promises';
import path from 'node:path';
import { HARNESS, openAgentsTab, sessionStatus, startSession } from '../support/agents';
import { ARTIFACTS } from '../support/artifacts';
import { BACKEND, guestToken, signInAsGuest } from '../support/guest';

// The demo harness, chosen explicitly: it runs in a second and can stretch its output on request
// ([stub:lines=N], [stub:slow]), which the live-log and cancel checks below need. The real agents
// against the model simulator: opencode.spec.ts.
test('a developer runs, resumes and cancels agent sessions from the Agents tab', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };
  await signInAsGuest(page);
  await openAgentsTab(page, 'catalog');

  // Start a session and watch it on its page.
  const prompt = `Add a subtract function (${Date.now()})`;
  const id = await startSession(page, prompt, HARNESS.demo);
  await expect(page.getByRole('heading', { name: prompt })).toBeVisible();
  // Marks this document: if the page reloaded, the mark would be gone.
  await page.evaluate(() => ((window as any).__agentsSessionPage = true));

  const log = page.getByTestId('log-connection');
  await expect(log).toHaveText(/· [1-9]\d* lines?$/, { timeout: 60_000 });
  await expect(page.getByTestId('session-log')).toBeVisible();
  await expect(sessionStatus(page)).toHaveText('succeeded', {
    timeout: 90_000,
  });
  await expect(log).toHaveText(/^Complete · [1-9]\d* lines?$/);
  const runs = page.getByTestId('run');
  await expect(runs).toHaveCount(1);
  await expect(runs.first()).toContainText('succeeded');

  // The development setup's fake GitHub gets a pull request for the pushed work branch; the page
  // shows its link without a reload.
  await expect(
    page.getByRole('link', { name: /#\d+|pull/ }).first(),
  ).toHaveAttribute('href', /\/example-org\/payments-service\/pull\/\d+$/, { timeout: 60_000 });
  const session = await (
    await request.get(`${BACKEND}/api/agents/sessions/${id}`, { headers })
  ).json();
  expect(session.prState).toBe('open');

  // Resume with a follow-up prompt: a second run on the same page, live.
  const linesBefore = Number(
    (await log.textContent())?.match(/(\d+) lines?/)?.[1],
  );
  await page.getByRole('button', { name: 'Resume' }).click();
  const resume = page.getByRole('dialog');
  await resume.getByLabel('Follow-up prompt').fill('Also add tests for it');
  await resume.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(runs).toHaveCount(2);
  await expect(runs.nth(1)).toContainText('Also add tests for it');
  await expect(sessionStatus(page)).toHaveText('succeeded', {
    timeout: 90_000,
  });
  await expect(runs.nth(1)).toContainText('succeeded');
  await expect
    .poll(
      async () => Number((await log.textContent())?.match(/(\d+) lines?/)?.[1]),
      {
        timeout: 30_000,
      },
    )
    .toBeGreaterThan(linesBefore);
  expect(await page.evaluate(() => (window as any).__agentsSessionPage)).toBe(
    true,
  );
  await page.setViewportSize({ width: 1440, height: 1500 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(ARTIFACTS, 'agents-session.png') });
  await page.setViewportSize({ width: 1280, height: 720 });

  // A session that trickles its output, one line every 60 ms (one stored chunk per line, as with real
  // agents): its page, live and then complete, shows every line, as does a replay of the whole log.
  await openAgentsTab(page);
  const trickled = 150;
  const trickleId = await startSession(
    page,
    `Report progress line by line [stub:lines=${trickled}] (${Date.now()})`,
    HARNESS.demo,
  );
  await expect(sessionStatus(page)).toHaveText('succeeded', { timeout: 90_000 });
  // The pull request, opened after the run, is the log's last line: once its link shows, the log is whole.
  await expect(page.getByRole('link', { name: /#\d+|pull/ }).first()).toBeVisible({ timeout: 60_000 });
  const replay = await (
    await request.get(`${BACKEND}/api/agents/sessions/${trickleId}/logs?after=0`, { headers })
  ).text();
  const logLines = replay.match(/^event: log$/gm)?.length ?? 0;
  expect(replay).toContain(`event: end\ndata: {"status":"succeeded","lastSeq":${logLines}}`);
  await expect(log).toHaveText(`Complete · ${logLines} lines`, { timeout: 30_000 });
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download logs' }).click();
  const downloaded = (await fs.readFile((await (await downloading).path())!, 'utf8')).split('\n');
  expect(downloaded).toHaveLength(logLines);
  for (let i = 1; i <= trickled; i++) {
    expect(downloaded.filter(l => l.includes(`Progress line ${i} of ${trickled}`))).toHaveLength(1);
  }
  expect(downloaded.at(-1)).toMatch(/pull request #\d+/);

  // A slow session, cancelled while it runs.
  await openAgentsTab(page);
  await startSession(
    page,
    `Refactor the ledger slowly [stub:slow] (${Date.now()})`,
    HARNESS.demo,
  );
  await expect(sessionStatus(page)).toHaveText('running', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel session' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Cancel session' })
    .click();
  await expect(sessionStatus(page)).toHaveText('cancelled', {
    timeout: 60_000,
  });
  await expect(page.getByRole('button', { name: 'Resume' })).toBeVisible();

  // Back on the tab, both sessions are listed, newest first.
  await openAgentsTab(page);
  // The sessions table's rows (the sidebar's unread-notifications badge is a grid row too).
  const rows = page.getByRole('table').filter({ hasText: 'Started by' }).getByRole('row');
  await expect(rows.nth(1)).toContainText('cancelled');
  await expect(rows.nth(1)).toContainText('[stub:slow]');
  await expect(page.getByRole('link', { name: prompt })).toBeVisible();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(ARTIFACTS, 'agents-tab.png') });
});
