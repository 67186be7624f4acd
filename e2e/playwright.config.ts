import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in Debian's Chromium against the app the README's start command runs. When nothing
 * is listening yet, Playwright starts it; scripts/test.sh starts it beforehand and reuses it.
 */
export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 20_000 },
  forbidOnly: !!process.env.CI,
  // One retry in CI: Playwright reports a test that passes on retry as flaky, and scripts/test.sh prints
  // the page snapshot of every failed attempt, so the flake stays visible without failing the build.
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [['list'], ['html', { open: 'never', outputFolder: '../e2e-test-report' }]],
  outputDir: '../node_modules/.cache/e2e-test-results',
  webServer: {
    command: 'bash scripts/start.sh --skip-install',
    cwd: '..',
    url: 'http://localhost:3000',
    reuseExistingServer: true,
    timeout: 180_000,
  },
  use: {
    baseURL: 'http://localhost:3000',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
});
