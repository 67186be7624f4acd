import { expect, type Page } from '@playwright/test';
import path from 'node:path';

export const ENTITY_PATH = '/catalog/default/component/payments-service';

/**
 * The app's data directory: AGENTS_DATA_DIR when set (scripts/test.sh starts the app with a fresh
 * one), else `.data/` of the repository, the default of scripts/start.sh.
 */
export const DATA_DIR = path.resolve(__dirname, '../..', process.env.AGENTS_DATA_DIR ?? '.data');

/** The harnesses' names in the New session dialog. */
export const HARNESS = {
  opencode: 'OpenCode',
  claudeCode: 'Claude Code',
  codex: 'Codex CLI',
  demo: 'Demo (development stand-in)',
} as const;

export async function openAgentsTab(page: Page, from: 'catalog' | 'url' = 'url') {
  if (from === 'catalog') await page.getByRole('link', { name: 'payments-service' }).click();
  else await page.goto(ENTITY_PATH);
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Agents' })
    .click();
  await expect(page).toHaveURL(new RegExp(`${ENTITY_PATH}/agents$`));
  await expect(page.getByText('Agent sessions').first()).toBeVisible();
}

/** Opens the New session dialog of the Agents tab and waits for the policy it shows. */
export async function openNewSessionDialog(page: Page) {
  await page.getByRole('button', { name: 'New session' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('region', { name: 'Policy' })).toBeVisible();
  return dialog;
}

/**
 * Starts a session from the tab's dialog with the harness chosen explicitly (by its name in the
 * dialog, e.g. HARNESS.demo) and waits for its page; returns the session id.
 */
export async function startSession(page: Page, prompt: string, harness: string): Promise<string> {
  const dialog = await openNewSessionDialog(page);
  await dialog.getByRole('button', { name: /Harness/ }).click();
  // The default harness's option reads "<name> — default".
  await page.getByRole('option', { name: new RegExp(`^${escapeRegExp(harness)}( — default)?$`) }).click();
  await dialog.getByLabel('Prompt').fill(prompt);
  await dialog.getByRole('button', { name: 'Start session' }).click();
  await expect(page).toHaveURL(/\/agents\/sessions\/[0-9a-f-]{36}$/);
  return page.url().split('/').pop()!;
}

export function sessionStatus(page: Page) {
  return page.getByRole('definition').getByTestId('session-status');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
