import { expect, test } from '@playwright/test';
import path from 'node:path';
import { ARTIFACTS } from '../support/artifacts';
import { BACKEND, guestToken, signInAsGuest } from '../support/guest';

/** A word no other session or entity contains: letters only, so the search engine keeps it whole. */
function distinctiveWord(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let word = 'zephyr';
  for (let i = 0; i < 8; i++) word += letters[Math.floor(Math.random() * letters.length)];
  return word;
}

/**
 * A finished session is found on the search page once the next collation has run. This needs a short
 * collation schedule (`search.collators.agentSessions.schedule`, see docs/search.md): with the default
 * (every 10 minutes) the session would only appear after up to 10 minutes.
 */
test('a finished session is found on the search page and opens its session page', async ({
  page,
  request,
}) => {
  test.setTimeout(150_000);
  const word = distinctiveWord();
  const prompt = `Document the ${word} retry helper`;
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };
  const created = await request.post(`${BACKEND}/api/agents/sessions`, {
    headers,
    data: { entityRef: 'component:default/payments-service', prompt, harness: 'demo' },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  await expect
    .poll(
      async () =>
        (await (await request.get(`${BACKEND}/api/agents/sessions/${id}`, { headers })).json())
          .status,
      { timeout: 60_000 },
    )
    .toBe('succeeded');

  await signInAsGuest(page);

  // Search until a collation has indexed the session.
  const result = page
    .getByTestId('agent-session-search-result')
    .filter({ hasText: word });
  await expect(async () => {
    await page.goto(`/search?query=${word}`);
    await expect(result).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 90_000, intervals: [2_000] });

  await expect(result.getByTestId('session-status')).toHaveAttribute('data-status', 'succeeded');
  await expect(result.getByRole('link', { name: 'payments-service' })).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, 'search-agent-session.png') });

  await result.getByRole('link', { name: prompt }).click();
  await expect(page).toHaveURL(new RegExp(`/agents/sessions/${id}$`));
  await expect(page.getByText(prompt).first()).toBeVisible();
});
