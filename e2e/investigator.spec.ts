/**
 * The workstation as an investigator uses it over hours: a failed ingest tried again, a failed
 * verification found again after a reload, and a place in the case that survives back/forward and
 * reload.
 */
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
  test,
  type TestBundle,
} from './fixtures';

test.skip(browserMissing !== null, browserMissing ?? '');

test.beforeAll(() => {
  expect(rendererBuilt, 'the renderer is not built: run `npm run build:web` first').toBe(true);
});

/** A new case holding the test model bundle (one checksum-list line wrong); returns its id. */
async function caseWithBundle(page: Page, title: string, bundle: TestBundle): Promise<string> {
  await page.getByRole('button', { name: 'New case' }).first().click();
  await page.getByRole('dialog', { name: 'New case' }).getByLabel('Title').fill(title);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('case-id')).toHaveText(/AI-IR-/);
  const caseId = (await page.getByTestId('case-id').textContent())!;
  await page.getByRole('button', { name: 'Ingest evidence…' }).first().click();
  const ingest = page.getByTestId('ingest-dialog');
  await ingest.getByLabel('Bundle path').fill(bundle.dir);
  await ingest.getByRole('button', { name: 'Start ingest' }).click();
  await expect(ingest.getByTestId('ingest-result')).toBeVisible({ timeout: 60_000 });
  await ingest.getByRole('button', { name: 'Close dialog' }).click();
  return caseId;
}

function stage(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Case workflow' }).getByRole('link', { name });
}

test('ingest: Try again after a failure shows the retry’s own failure, then its result', async ({
  page,
  host,
  scratch,
}) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'New case' }).click();
  await page.getByRole('dialog', { name: 'New case' }).getByLabel('Title').fill('Retried ingest');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('case-id')).toHaveText(/AI-IR-/);
  await page.getByRole('button', { name: 'Ingest evidence…' }).first().click();
  const ingest = page.getByTestId('ingest-dialog');

  const first = path.join(scratch, 'no-such-bundle');
  await ingest.getByLabel('Bundle path').fill(first);
  await ingest.getByRole('button', { name: 'Start ingest' }).click();
  await expect(ingest.getByTestId('ingest-error')).toContainText(first);

  // The retry fails too: its own error shows, the button is usable again.
  await ingest.getByRole('button', { name: 'Try again…' }).click();
  await expect(ingest.getByLabel('Bundle path')).toHaveValue(first);
  const second = path.join(scratch, 'still-no-bundle');
  await ingest.getByLabel('Bundle path').fill(second);
  await ingest.getByRole('button', { name: 'Start ingest' }).click();
  await expect(ingest.getByTestId('ingest-error')).toContainText(second);
  await expect(ingest.getByLabel('Bundle path')).toBeHidden();

  // The next retry succeeds: the result, mismatch table included, replaces the form.
  const bundle = makeModelBundle(scratch);
  await ingest.getByRole('button', { name: 'Try again…' }).click();
  await ingest.getByLabel('Bundle path').fill(bundle.dir);
  await ingest.getByRole('button', { name: 'Start ingest' }).click();
  await expect(page.getByRole('dialog', { name: 'Ingest finished' })).toBeVisible({ timeout: 60_000 });
  await expect(ingest.getByTestId('ingest-result')).toBeVisible();
  await expect(ingest.getByTestId('ingest-mismatches')).toContainText(bundle.mismatched);
  await expect(ingest.getByRole('button', { name: 'Start ingest' })).toBeHidden();
});

test('a failed verification stays findable after a reload: Overview, Evidence row, case list', async ({
  page,
  host,
  scratch,
}) => {
  test.setTimeout(180_000);
  const bundle = makeModelBundle(scratch);
  await page.goto(host.url);
  const caseId = await caseWithBundle(page, 'Tampered shard', bundle);

  // A case never verified says so in the case list; a passing verification is not a failure.
  await stage(page, 'Custody log').click();
  await page.getByRole('button', { name: 'Verify now' }).click();
  await expect(page.getByTestId('verify-result')).toHaveAttribute('data-ok', 'true', { timeout: 60_000 });
  await stage(page, 'Overview').click();
  await expect(page.getByTestId('verification-problems')).toHaveCount(0);
  await stage(page, 'Evidence').click();
  await expect(page.getByTestId('evidence-row').first()).toBeVisible();
  await expect(page.getByTestId('verification-flag')).toHaveCount(0);

  const victim = 'model-00001-of-00002.safetensors';
  flipByte(objectPath(host.home, caseId, bundle.files[victim]!.sha256));
  await stage(page, 'Custody log').click();
  await page.getByRole('button', { name: 'Verify now' }).click();
  await expect(page.getByTestId('verify-result')).toHaveAttribute('data-ok', 'false', { timeout: 60_000 });

  await page.reload();
  await stage(page, 'Overview').click();
  const problems = page.getByTestId('verification-problems');
  await expect(problems).toContainText('Verification FAILED: 1 problem');
  const problem = problems.getByTestId('verification-problem');
  await expect(problem).toHaveCount(1);
  await expect(problem).toHaveAttribute('data-kind', 'object-modified');
  await expect(problem).toContainText(victim);
  await page.screenshot({ path: screenshotPath('overview-verification-failed') });
  await problem.getByRole('link', { name: `Show ${victim} in Evidence` }).click();
  await expect(page.getByRole('heading', { name: 'Evidence', level: 2 })).toBeVisible();
  const row = page.locator(`[data-testid="evidence-row"][data-path="${victim}"]`);
  await expect(row).toHaveAttribute('data-verification', 'object-modified');
  await expect(row.getByTestId('verification-flag')).toHaveText('modified');
  // Only the altered file is flagged.
  await expect(page.getByLabel('Filter', { exact: true })).toHaveValue(victim);
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await expect(page.getByTestId('verification-flag')).toHaveCount(1);
  await row.click();
  await expect(page.getByTestId('evidence-verification')).toContainText('object modified');

  // The case list tells the tampered case from a clean one.
  const clean = makeModelBundle(path.join(scratch, 'clean'));
  await page.getByRole('link', { name: 'Cases' }).first().click();
  const cleanId = await caseWithBundle(page, 'Clean copy', clean);
  await page.getByRole('link', { name: 'Cases' }).first().click();
  const tampered = page.getByTestId('case-row').filter({ hasText: caseId });
  await expect(tampered.getByTestId('case-verification')).toContainText('FAILED · 1 problem');
  await expect(tampered.getByTestId('case-mismatches')).toHaveText('1');
  await expect(tampered.getByTestId('case-status')).toContainText('open');
  const other = page.getByTestId('case-row').filter({ hasText: cleanId });
  await expect(other.getByTestId('case-verification')).toHaveText('never run');
  await page.screenshot({ path: screenshotPath('case-list-status') });
});

test('the selected evidence file is in the address: reload and back/forward land on it', async ({
  page,
  host,
  scratch,
}) => {
  const bundle = makeModelBundle(scratch);
  await page.goto(host.url);
  const caseId = await caseWithBundle(page, 'Addressable selection', bundle);
  await stage(page, 'Evidence').click();
  const row = page.locator('[data-testid="evidence-row"][data-path="config.json"]');
  await row.click();
  await expect(page.getByTestId('evidence-details')).toContainText('config.json');
  await expect(page).toHaveURL(new RegExp(`#/case/${caseId}/evidence/config\\.json$`));
  await page.reload();
  await expect(page.getByTestId('evidence-details')).toContainText('config.json');
  await expect(row).toHaveAttribute('aria-selected', 'true');
  await stage(page, 'Overview').click();
  await expect(page.getByRole('heading', { name: 'Overview', level: 2 })).toBeVisible();
  await page.goBack();
  await expect(page.getByTestId('evidence-details')).toContainText('config.json');
});
