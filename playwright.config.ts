import fs from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests drive the browser-mode host (`probity serve`, started per test by e2e/fixtures.ts)
 * in Debian's Chromium; Playwright's own browser downloads are never used (the machines are offline).
 * Build the renderer first: `npm run build:web`.
 */
export const CHROMIUM = '/usr/bin/chromium';
if (!fs.existsSync(CHROMIUM)) {
  console.warn(
    `playwright: ${CHROMIUM} not found (apt-get install chromium); the browser tests will be SKIPPED, not passed.`,
  );
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/playwright',
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: 'list',
  use: {
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
