import { expect, test, type APIRequestContext } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR, HARNESS, openAgentsTab, openNewSessionDialog, sessionStatus } from '../support/agents';
import { ARTIFACTS } from '../support/artifacts';
import { BACKEND, guestHeaders, signInAsGuest } from '../support/guest';

/**
 * The real OpenCode CLI (the harness image's pinned version, installed into .tools/agents) in a pod of
 * the cluster simulator, against the model simulator (packages/fake-llm) that scripts/start.sh starts
 * and app-config.yaml points the harnesses at. The simulator's default conversation ([llm:edit])
 * writes `fake-llm-edit-<n>.txt` with the agent's write tool, n being the number of user prompts in
 * the conversation it was sent: a resume that carries the first run's conversation back writes
 * `fake-llm-edit-2.txt`, a fresh conversation would write `fake-llm-edit-1.txt` again.
 */

const GITHUB = `http://localhost:${process.env.AGENTS_GITHUB_PORT ?? 7008}`;
const REPO = 'example-org/payments-service';
/** A reviewer's token on the fake GitHub (its admin API registers it): the repositories are private. */
const REVIEWER_TOKEN = 'e2e-reviewer-token';
/** One line per request: `fake-llm: POST /v1/chat/completions -> 200 (chat-completions, edit)`. */
const SIMULATOR_LOG = path.join(DATA_DIR, 'llm', 'fake-llm.log');

function simulatorRequests(): string[] {
  return fs
    .readFileSync(SIMULATOR_LOG, 'utf8')
    .split('\n')
    .filter(line => /^fake-llm: \S+ \S+ -> /.test(line));
}

/** A file of the work branch on the fake GitHub, as a reviewer of the pull request reads it. */
async function branchFile(request: APIRequestContext, branch: string, file: string) {
  const res = await request.get(`${GITHUB}/api/v3/repos/${REPO}/contents/${file}`, {
    params: { ref: branch },
    headers: { Accept: 'application/vnd.github.raw', Authorization: `token ${REVIEWER_TOKEN}` },
  });
  return res.ok() ? res.text() : `${res.status()} ${await res.text()}`;
}

test.beforeAll(async ({ request }) => {
  const res = await request.post(`${GITHUB}/__fake-github/personal-access-tokens`, {
    data: { token: REVIEWER_TOKEN, login: 'e2e-reviewer' },
  });
  expect(res.status()).toBe(201);
});

test('OpenCode, started from the Agents tab, works through the model simulator to a pull request, and a resume continues its conversation', async ({
  page,
  request,
}) => {
  test.setTimeout(360_000);
  const headers = await guestHeaders(request);
  const getSession = async (id: string) =>
    (await request.get(`${BACKEND}/api/agents/sessions/${id}`, { headers })).json();
  await signInAsGuest(page);
  await openAgentsTab(page);

  // The dialog offers the three agents, OpenCode as the default, and the demo stand-in.
  const dialog = await openNewSessionDialog(page);
  const harness = dialog.getByRole('button', { name: /Harness/ });
  await expect(harness).toHaveText(`${HARNESS.opencode} — default`);
  await harness.click();
  await expect(page.getByRole('option')).toHaveText([
    `${HARNESS.opencode} — default`,
    HARNESS.claudeCode,
    HARNESS.codex,
    HARNESS.demo,
  ]);
  await page.getByRole('option', { name: `${HARNESS.opencode} — default` }).click();
  const prompt = `Write down the refund rounding rule (${Date.now()})`;
  await dialog.getByLabel('Prompt').fill(prompt);
  const requestsBefore = simulatorRequests().length;
  await dialog.getByRole('button', { name: 'Start session' }).click();
  await expect(page).toHaveURL(/\/agents\/sessions\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop()!;
  await expect(page.getByRole('heading', { name: prompt })).toBeVisible();

  // The first run: OpenCode writes the file the simulator asks for; its summary is OpenCode's last
  // answer. The page follows it live, then shows the pull request of the pushed branch.
  const runs = page.getByTestId('run');
  await expect(sessionStatus(page)).toHaveText('succeeded', { timeout: 150_000 });
  await expect(runs).toHaveCount(1);
  await expect(runs.first()).toContainText('succeeded');
  await expect(runs.first()).toContainText('Done: wrote fake-llm-edit-1.txt.');
  const prLink = page.getByRole('link', { name: /#\d+|pull/ }).first();
  await expect(prLink).toHaveAttribute('href', /\/example-org\/payments-service\/pull\/\d+$/, {
    timeout: 60_000,
  });
  const first = await getSession(id);
  expect(first).toMatchObject({ harness: 'opencode', status: 'succeeded', prState: 'open' });
  // OpenCode's own session id, which the resume continues.
  const opencodeSession = first.runs[0].result.harnessSessionId;
  expect(opencodeSession).toMatch(/^ses_/);
  expect(await branchFile(request, first.workBranch, 'fake-llm-edit-1.txt')).toBe(
    `Edited by fake-llm for prompt 1: ${prompt}\n`,
  );
  // OpenCode spoke only the chat-completions API, and every request was answered.
  const firstRun = simulatorRequests().slice(requestsBefore);
  expect(firstRun.length).toBeGreaterThanOrEqual(2);
  for (const line of firstRun) {
    expect(line).toMatch(/^fake-llm: POST \/v1\/chat\/completions -> 200 \(chat-completions, edit\)$/);
  }

  // Resume with a follow-up: the second run restores the bundle, resumes OpenCode's own session and
  // sends the whole conversation again, so the simulator sees a second prompt.
  const resumedAt = simulatorRequests().length;
  await page.getByRole('button', { name: 'Resume' }).click();
  const resume = page.getByRole('dialog');
  await resume.getByLabel('Follow-up prompt').fill('Also note the rule in a second file');
  await resume.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(runs).toHaveCount(2);
  await expect(runs.nth(1)).toContainText('Also note the rule in a second file');
  await expect(sessionStatus(page)).toHaveText('succeeded', { timeout: 150_000 });
  await expect(runs.nth(1)).toContainText('succeeded');
  await expect(runs.nth(1)).toContainText('Done: wrote fake-llm-edit-2.txt.');

  const second = await getSession(id);
  expect(second.runs).toHaveLength(2);
  expect(second.runs[1]).toMatchObject({ kind: 'resume', result: { harnessSessionId: opencodeSession } });
  expect(second.prUrl).toBe(first.prUrl);
  expect(await branchFile(request, second.workBranch, 'fake-llm-edit-1.txt')).toBe(
    `Edited by fake-llm for prompt 1: ${prompt}\n`,
  );
  expect(await branchFile(request, second.workBranch, 'fake-llm-edit-2.txt')).toBe(
    'Edited by fake-llm for prompt 2: Also note the rule in a second file\n',
  );
  const resumedRun = simulatorRequests().slice(resumedAt);
  expect(resumedRun.length).toBeGreaterThanOrEqual(2);
  for (const line of resumedRun) {
    expect(line).toMatch(/^fake-llm: POST \/v1\/chat\/completions -> 200 \(chat-completions, edit\)$/);
  }

  // The whole log, as the page downloads it: both runs' tool calls.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download logs' }).click();
  const log = fs.readFileSync((await (await downloading).path())!, 'utf8');
  expect(log).toMatch(/\[tool\] write \S*fake-llm-edit-1\.txt/);
  expect(log).toMatch(/\[tool\] write \S*fake-llm-edit-2\.txt/);

  await page.setViewportSize({ width: 1440, height: 1500 });
  await page.getByRole('heading', { name: prompt }).scrollIntoViewIfNeeded();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(ARTIFACTS, 'opencode-session.png') });
});
