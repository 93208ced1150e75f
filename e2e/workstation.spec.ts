/**
 * The workstation in browser mode, end to end: a custodian creates a case, preserves a model bundle
 * whose checksum list has one wrong line, finds files by kind and by pasted hash, verifies the case,
 * then a stored object is altered on disk and verification names the file. Along the way: the API
 * refuses calls without the per-run token, and the page never talks to any host but the loopback one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import {
  browserMissing,
  expect,
  flipByte,
  makeModelBundle,
  objectPath,
  rendererBuilt,
  screenshotPath,
  sha256,
  test,
} from './fixtures';

test.skip(browserMissing !== null, browserMissing ?? '');

test.beforeAll(() => {
  expect(
    rendererBuilt,
    'the renderer is not built: run `npm run build:web` (vite build --config vite.renderer.config.ts) first',
  ).toBe(true);
});

/** Record every request the page makes, to prove nothing leaves the loopback host. */
function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  return urls;
}

function expectLoopbackOnly(urls: string[], port: number): void {
  expect(urls.length).toBeGreaterThan(0);
  const foreign = urls.filter((u) => {
    try {
      return new URL(u).host !== `127.0.0.1:${port}`;
    } catch {
      return true;
    }
  });
  expect(foreign, 'requests to a host other than the loopback host').toEqual([]);
}

test('custodian workflow: case, ingest with a checksum mismatch, find, verify, tamper, verify again', async ({
  page,
  host,
  scratch,
  request,
  context,
}) => {
  const requests = recordRequests(page);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: host.origin });

  // --- The token is taken from the address and removed from it.
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Cases', level: 1 })).toBeVisible();
  expect(new URL(page.url()).searchParams.has('token')).toBe(false);

  // --- Empty list: the demo action sits beside "New case".
  await expect(page.getByTestId('cases-empty')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open demo incident' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'New case' })).toBeVisible();
  await page.screenshot({ path: screenshotPath('01-case-list-empty') });

  // --- New case: the title is required; Escape closes the dialog.
  await page.getByRole('button', { name: 'New case' }).click();
  let dialog = page.getByRole('dialog', { name: 'New case' });
  await expect(dialog.getByLabel('Title')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'New case' }).click();
  dialog = page.getByRole('dialog', { name: 'New case' });
  await dialog.getByRole('button', { name: 'Create case' }).click();
  await expect(dialog.getByText('Give the case a title.')).toBeVisible();
  await dialog.getByLabel('Title').fill('Support assistant returns attacker URLs after the r7 rollout');
  await dialog.getByLabel('Examiner').fill('R. Okafor');
  await dialog.getByRole('button', { name: 'Create case' }).click();
  await expect(dialog).toBeHidden();

  const caseId = ((await page.getByTestId('case-id').textContent()) ?? '').trim();
  expect(caseId).toMatch(/^AI-IR-\d{4}-\d{4}$/);
  await expect(
    page.getByRole('heading', { name: 'Support assistant returns attacker URLs after the r7 rollout' }),
  ).toBeVisible();
  await expect(page.getByTestId('chain-status')).toHaveText(/never verified/i);
  await expect(page.getByRole('navigation', { name: 'Case workflow' }).getByRole('link')).toHaveText([
    'Overview',
    'Evidence',
    'Integrity',
    'Behavior',
    'Audit',
    'Post-mortem',
    'Custody log',
  ]);

  // --- Ingest a bundle whose checksum list has one wrong line.
  const bundle = makeModelBundle(scratch);
  await page.getByRole('button', { name: 'Ingest evidence…' }).first().click();
  const ingest = page.getByTestId('ingest-dialog');
  await expect(ingest).toBeVisible();
  await expect(ingest).toContainText('on the workstation running probity serve');
  await ingest.getByLabel('Bundle path').fill(bundle.dir);
  await ingest.getByRole('button', { name: 'Start ingest' }).click();
  await expect(ingest.getByTestId('ingest-progress')).toBeVisible();
  await expect(ingest.getByTestId('ingest-result')).toBeVisible({ timeout: 60_000 });
  await expect(ingest.getByTestId('ingest-progress')).toHaveAttribute('data-state', 'done');
  await expect(ingest.getByTestId('ingest-files')).toHaveText(String(Object.keys(bundle.files).length));
  await expect(ingest.getByTestId('ingest-manifest')).toContainText('1 mismatched');
  await expect(ingest.getByTestId('ingest-mismatches')).toContainText(bundle.mismatched);
  await page.screenshot({ path: screenshotPath('03-ingest-finished') });
  await ingest.getByRole('button', { name: 'Close dialog' }).click();
  await expect(ingest).toBeHidden();

  // --- Overview: counts, checksum results with the mismatch highlighted, the last ingest.
  await expect(page.getByTestId('manifest-mismatched')).toHaveText('1');
  await expect(page.getByTestId('manifest-matched')).toHaveText('4');
  await expect(page.getByRole('table', { name: 'Last ingests' })).toContainText(bundle.dir);
  await expect(page.getByRole('list', { name: 'Evidence counts by kind' })).toContainText('Weights');
  await page.screenshot({ path: screenshotPath('02-case-overview') });

  // --- Evidence: every file, then by kind, then by a pasted hash.
  await page
    .getByRole('navigation', { name: 'Case workflow' })
    .getByRole('link', { name: 'Evidence' })
    .click();
  const rows = page.getByTestId('evidence-row');
  await expect(rows).toHaveCount(Object.keys(bundle.files).length);
  const tokenizerRow = rows.filter({ has: page.getByText('tokenizer.json', { exact: true }) });
  await expect(tokenizerRow).toContainText('mismatched');
  await expect(tokenizerRow.locator('[data-hash]')).toHaveAttribute(
    'title',
    bundle.files['tokenizer.json']!.sha256,
  );
  await page.screenshot({ path: screenshotPath('04-evidence-table') });

  const kinds = page.getByRole('group', { name: 'Filter by kind' });
  await kinds.getByRole('button', { name: /^Weights/ }).click();
  await expect(kinds.getByRole('button', { name: /^Weights/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(rows).toHaveCount(3);
  for (const p of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-path') ?? '')))
    expect(p).toMatch(/\.safetensors(\.index\.json)?$/);
  await kinds.getByRole('button', { name: /^All/ }).click();
  await expect(rows).toHaveCount(Object.keys(bundle.files).length);

  // Copy a row's hash with its button, paste it into the filter.
  const configRow = rows.filter({ has: page.getByText('config.json', { exact: true }) });
  await configRow.getByRole('button', { name: /Copy SHA-256/ }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(bundle.files['config.json']!.sha256);
  const filter = page.getByLabel('Filter', { exact: true });
  await filter.focus();
  await page.keyboard.press('ControlOrMeta+V');
  await expect(filter).toHaveValue(bundle.files['config.json']!.sha256);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-path', 'config.json');
  // A `sha256sum` line pasted whole finds the file too.
  const shard = 'model-00002-of-00002.safetensors';
  await filter.fill(`${bundle.files[shard]!.sha256}  ${shard}`);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-path', shard);
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await expect(rows).toHaveCount(Object.keys(bundle.files).length);

  // Rows are keyboard focusable; arrows move between them; Enter opens the details.
  await rows.first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(rows.nth(1)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('evidence-details')).toBeVisible();

  // --- Verify: everything matches.
  await page
    .getByRole('navigation', { name: 'Case workflow' })
    .getByRole('link', { name: 'Custody log' })
    .click();
  await expect(page.getByTestId('custody-row').first()).toBeVisible();
  await page
    .getByTestId('custody-row')
    .first()
    .getByRole('button', { name: /Show details of event/ })
    .click();
  await expect(page.getByTestId('custody-details')).toBeVisible();
  await page.getByRole('button', { name: 'Verify now' }).click();
  const result = page.getByTestId('verify-result');
  await expect(result).toHaveAttribute('data-ok', 'true', { timeout: 60_000 });
  await expect(result).toContainText(/All \d+ objects match; chain verified through seq \d+/);
  await expect(page.getByTestId('chain-status')).toHaveText(/verified/i);
  await expect(page.getByTestId('custody-chain-status')).toContainText('Verified through seq');

  // --- Tamper with a stored object on disk, verify again: the failure names the file.
  const victim = 'model-00001-of-00002.safetensors';
  const stored = objectPath(host.home, caseId, bundle.files[victim]!.sha256);
  expect(fs.existsSync(stored), `object of ${victim} at ${stored}`).toBe(true);
  expect(fs.statSync(stored).mode & 0o222, 'objects are stored read-only').toBe(0);
  flipByte(stored);
  expect(sha256(fs.readFileSync(stored))).not.toBe(bundle.files[victim]!.sha256);
  await page.getByRole('button', { name: 'Verify now' }).click();
  await expect(result).toHaveAttribute('data-ok', 'false', { timeout: 60_000 });
  await expect(result).toContainText('Verification FAILED');
  await expect(result).toContainText(victim);
  await expect(page.getByTestId('chain-status')).toHaveText(/FAILED/);
  await expect(page.getByTestId('custody-chain-status')).toContainText('Verification FAILED');
  await page.screenshot({ path: screenshotPath('05-custody-verify-failed') });

  // --- Dark theme, persisted across a reload (the session token survives the reload too).
  await page
    .getByRole('navigation', { name: 'Case workflow' })
    .getByRole('link', { name: 'Evidence' })
    .click();
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await rows.nth(3).click();
  await expect(page.getByTestId('evidence-details')).toBeVisible();
  await page.screenshot({ path: screenshotPath('06-evidence-table-dark') });
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(rows).toHaveCount(Object.keys(bundle.files).length);
  await page.getByLabel('Theme').selectOption('system');

  // --- The API refuses calls without the token (this request context has no cookie either).
  const anonymous = await request.post(`${host.origin}/api/cases:list`, { data: {} });
  expect(anonymous.status()).toBe(401);
  const wrong = await request.post(`${host.origin}/api/cases:list`, {
    data: {},
    headers: { 'x-probity-token': 'not-the-token' },
  });
  expect(wrong.status()).toBe(401);
  const events = await request.get(`${host.origin}/api/events`);
  expect(events.status()).toBe(401);
  const allowed = await request.post(`${host.origin}/api/cases:list`, {
    data: {},
    headers: { 'x-probity-token': host.token },
  });
  expect(allowed.status()).toBe(200);
  expect(((await allowed.json()) as { ok: boolean }).ok).toBe(true);

  // --- Nothing but the loopback host, ever.
  expectLoopbackOnly(requests, host.port);
});

test('an ingest error names the file and the reason', async ({ page, host, scratch }) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'New case' }).click();
  await page.getByRole('dialog', { name: 'New case' }).getByLabel('Title').fill('Missing bundle');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('case-id')).toHaveText(/AI-IR-/);
  await page.getByRole('button', { name: 'Ingest evidence…' }).first().click();
  const missing = path.join(scratch, 'no-such-bundle');
  const ingest = page.getByTestId('ingest-dialog');
  await ingest.getByLabel('Bundle path').fill(missing);
  await ingest.getByRole('button', { name: 'Start ingest' }).click();
  await expect(ingest.getByTestId('ingest-error')).toContainText(missing);
  await page.keyboard.press('Escape');
  await expect(ingest).toBeHidden();
});

test('ten thousand evidence rows: virtualized, sortable, filterable', async ({ page, host, scratch }) => {
  test.slow();
  const dir = path.join(scratch, 'output-logs');
  for (let d = 0; d < 10; d++) {
    const sub = path.join(dir, `shard-${String(d).padStart(2, '0')}`);
    fs.mkdirSync(sub, { recursive: true });
    for (let i = 0; i < 1000; i++)
      fs.writeFileSync(
        path.join(sub, `req-${String(d * 1000 + i).padStart(5, '0')}.json`),
        `{"request_id":"r${d * 1000 + i}","response":"ok"}\n`,
      );
  }
  await page.goto(host.url);
  await page.getByRole('button', { name: 'New case' }).click();
  await page.getByRole('dialog', { name: 'New case' }).getByLabel('Title').fill('Production output logs');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('case-id')).toHaveText(/AI-IR-/);
  await page.getByRole('button', { name: 'Ingest evidence…' }).first().click();
  const ingest = page.getByTestId('ingest-dialog');
  await ingest.getByLabel('Bundle path').fill(dir);
  await ingest.getByRole('button', { name: 'Start ingest' }).click();
  await expect(ingest.getByTestId('ingest-progress')).toBeVisible();
  // Ten thousand files take long enough to catch the dialog mid-progress (not asserted: a fast
  // machine may finish first).
  const midway = await ingest
    .locator(
      '[data-testid="ingest-progress"][data-state="hashing"] [role="progressbar"]:not([aria-valuenow="0"])',
    )
    .first()
    .waitFor({ timeout: 20_000 })
    .then(
      () => true,
      () => false,
    );
  if (midway) await page.screenshot({ path: screenshotPath('03b-ingest-in-progress') });
  await expect(ingest.getByTestId('ingest-result')).toBeVisible({ timeout: 110_000 });
  await expect(ingest.getByTestId('ingest-files')).toHaveText('10,000');
  await ingest.getByRole('button', { name: 'Show evidence' }).click();

  await expect(page.getByTestId('evidence-count')).toHaveText('10,000 files');
  const rows = page.getByTestId('evidence-row');
  await expect(rows.first()).toBeVisible();
  // Only the rows in view (plus a small overscan) are in the document.
  expect(await rows.count()).toBeLessThan(80);
  const body = page.locator('.vtable-body').first();
  await body.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(
    page.locator('[data-testid="evidence-row"][data-path="shard-09/req-09999.json"]'),
  ).toBeVisible();
  expect(await rows.count()).toBeLessThan(80);
  // Sort by path descending: the last file comes first.
  await page.getByRole('columnheader', { name: 'Path' }).getByRole('button').click();
  await expect(page.getByRole('columnheader', { name: 'Path' })).toHaveAttribute('aria-sort', 'descending');
  await body.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(rows.first()).toHaveAttribute('data-path', 'shard-09/req-09999.json');
  await page.getByLabel('Filter', { exact: true }).fill('req-0424');
  await expect(page.getByTestId('evidence-count')).toHaveText('10 of 10,000 files');
});

test('an empty workstation opens the demo incident', async ({ page, host }) => {
  const requests = recordRequests(page);
  await page.goto(host.url);
  await expect(page.getByTestId('cases-empty')).toBeVisible();
  await page.getByRole('button', { name: 'Open demo incident' }).click();
  await expect(page.getByTestId('case-id')).toHaveText(/^AI-IR-\d{4}-\d{4}$/, { timeout: 110_000 });
  await expect(page.getByTestId('chain-status')).toBeVisible();
  await expect(page.getByTestId('overview-manifest')).toBeVisible();
  await page.screenshot({ path: screenshotPath('07-demo-overview') });
  await page
    .getByRole('navigation', { name: 'Case workflow' })
    .getByRole('link', { name: 'Evidence' })
    .click();
  await expect(page.getByTestId('evidence-row').first()).toBeVisible();
  expect(await page.getByTestId('evidence-row').count()).toBeGreaterThan(3);
  await page.screenshot({ path: screenshotPath('08-demo-evidence') });
  expectLoopbackOnly(requests, host.port);
});
