/**
 * The desktop app: the same renderer over IPC. Runs only where Electron's binary is installed (CI
 * sets ELECTRON_SKIP_BINARY_DOWNLOAD, so it is usually skipped there, with the reason printed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { removeTree } from './fixtures';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const binaryDir = path.join(ROOT, 'node_modules', 'electron', 'dist');
const mainEntry = path.join(ROOT, 'out', 'main', 'index.js');

const skipReason = !fs.existsSync(binaryDir)
  ? `Electron binary not installed: ${path.relative(ROOT, binaryDir)} is missing (installed with ELECTRON_SKIP_BINARY_DOWNLOAD, or offline)`
  : !fs.existsSync(mainEntry)
    ? `Desktop app not built: ${path.relative(ROOT, mainEntry)} is missing (run \`npm run build\`)`
    : null;
if (skipReason) console.warn(`e2e: SKIPPING the Electron test: ${skipReason}`);
test.skip(skipReason !== null, skipReason ?? '');

test('the desktop app opens the case list over IPC', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-e2e-electron-'));
  const app = await electron.launch({
    args: [mainEntry],
    cwd: ROOT,
    env: { ...process.env, PROBITY_HOME: home },
  });
  try {
    const window = await app.firstWindow();
    const requests: string[] = [];
    window.on('request', (r) => requests.push(r.url()));
    await expect(window.getByRole('heading', { name: 'Cases', level: 1 })).toBeVisible();
    // The bridge is the typed preload object, nothing else.
    expect(
      await window.evaluate(
        () => typeof (window as unknown as { probity?: { listCases?: unknown } }).probity?.listCases,
      ),
    ).toBe('function');
    await expect(window.getByRole('button', { name: 'Open demo incident' })).toBeVisible();
    await window.getByRole('button', { name: 'New case' }).click();
    await window.getByRole('dialog', { name: 'New case' }).getByLabel('Title').fill('Desktop smoke test');
    await window.keyboard.press('Enter');
    await expect(window.getByTestId('case-id')).toHaveText(/^AI-IR-\d{4}-\d{4}$/);
    // Desktop mode offers the native pickers in the ingest dialog.
    await window.getByRole('button', { name: 'Ingest evidence…' }).first().click();
    await expect(window.getByRole('button', { name: 'Browse folder…' })).toBeVisible();
    for (const u of requests)
      expect(
        ['file:', 'devtools:', 'data:'].includes(new URL(u).protocol) ||
          new URL(u).hostname === '127.0.0.1' ||
          new URL(u).hostname === 'localhost',
        u,
      ).toBe(true);
  } finally {
    await app.close();
    removeTree(home);
  }
});
