import { expect, type APIRequestContext, type Page } from '@playwright/test';

/** The backend the app under test talks to; API calls in the tests go to it directly. */
export const BACKEND = 'http://localhost:7007';

/** A guest's Backstage token, for calling the backend's API as the signed-in user would. */
export async function guestToken(request: APIRequestContext): Promise<string> {
  const res = await request.post(`${BACKEND}/api/auth/guest/refresh`);
  expect(res.ok()).toBeTruthy();
  return (await res.json()).backstageIdentity.token;
}

export async function guestHeaders(request: APIRequestContext): Promise<Record<string, string>> {
  return { Authorization: `Bearer ${await guestToken(request)}` };
}

/**
 * Signs in as the guest and waits for the catalog to show. Navigating straight after the click can
 * abort the sign-in before the app has stored it, and the next page then shows the sign-in page again.
 */
export async function signInAsGuest(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('link', { name: 'payments-service', exact: true })).toBeVisible();
}
