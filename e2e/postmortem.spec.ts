/**
 * The Post-mortem stage on the demo incident, end to end: a custodian made with the CLI, then in
 * the app the header, the incident commander, a trigger, the isolation with its strategy, "Retrain"
 * refused by the retraining gate with the missing considerations named, the six considerations
 * filled and "Retrain" accepted, a manual checklist note, the live preview showing the record, and
 * an export signed as that custodian — then the bundle checked with the real tools, without
 * Probity: `sha256sum -c` and `openssl pkeyutl -verify`, and report.pdf rendered to an image.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CONSIDERATION_KEYS } from '../src/shared/incident';
import { browserMissing, expect, rendererBuilt, SCREENSHOTS, screenshotPath, test } from './fixtures';

test.skip(browserMissing !== null, browserMissing ?? '');

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PASSPHRASE = 'correct horse battery staple';

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

test.beforeAll(() => {
  expect(rendererBuilt, 'the renderer is not built: run `npm run build:web` first').toBe(true);
});

test('the demo incident: record, retraining gate, preview, signed export checked with sha256sum and openssl', async ({
  page,
  host,
}) => {
  test.setTimeout(300_000);

  // --- A custodian key made on the workstation with the CLI, before the page loads.
  const added = execFileSync(
    process.execPath,
    [
      'bin/probity.js',
      'custodian',
      'add',
      '--name',
      'dana',
      '--role',
      'evidence custodian',
      '--home',
      host.home,
    ],
    { cwd: ROOT, env: { ...process.env, PROBITY_PASSPHRASE: PASSPHRASE, NO_COLOR: '1' }, encoding: 'utf8' },
  );
  expect(added).toContain('dana');

  await page.goto(host.url);
  await page.getByRole('button', { name: 'Open demo incident' }).click();
  await expect(page.getByTestId('case-id')).toHaveText(/^AI-IR-\d{4}-\d{4}$/, { timeout: 110_000 });
  const caseId = (await page.getByTestId('case-id').textContent())!;
  await page
    .getByRole('navigation', { name: 'Case workflow' })
    .getByRole('link', { name: 'Post-mortem' })
    .click();
  await expect(page.getByRole('heading', { name: 'Post-mortem', level: 2 })).toBeVisible();
  await expect(page.getByTestId('pm-incident-id')).toHaveText(caseId);

  // --- Header.
  await page.getByLabel('Detected (UTC unless a zone is given)').fill('2026-10-20T08:00:00Z');
  await page.getByLabel('Status', { exact: true }).selectOption('isolated');
  await page.getByLabel('Severity', { exact: true }).selectOption('critical');
  await page.getByRole('button', { name: 'Save header' }).click();
  await expect(page.getByTestId('pm-header-message')).toHaveText('Header recorded.');
  await expect(page.getByTestId('pm-status')).toHaveText('isolated');
  await expect(page.getByTestId('pm-severity')).toHaveText('critical');
  await expect(page.getByTestId('pm-detected')).toHaveText('2026-10-20 08:00:00 UTC');

  // --- The incident commander, tied to dana's key.
  const ic = 'Incident Commander (IC)';
  await page.getByLabel(`Name for ${ic}`).fill('Dana Reyes');
  await page.getByLabel(`Custodian key for ${ic}`).selectOption('dana');
  await page.getByRole('button', { name: `Assign ${ic}` }).click();
  await expect(page.getByTestId('pm-role-incident-commander-name')).toHaveText('Dana Reyes');
  await expect(page.getByTestId('pm-role-incident-commander')).toContainText('custodian dana');

  // --- A trigger criterion.
  const trigger = page.getByTestId('pm-trigger-file-integrity');
  await trigger.getByRole('checkbox').check();
  await trigger.getByRole('textbox').fill('tokenizer.json does not match the vendor checksum');
  await trigger.getByRole('button', { name: 'Record' }).click();
  await expect(trigger.getByText('applies', { exact: true })).toBeVisible();

  // --- Isolation with a strategy and the framework's situation.
  const isolate = page.getByTestId('pm-action-isolate');
  await isolate.getByRole('radio', { name: /Roll back to previous version/ }).check();
  await isolate.getByRole('radio', { name: /backdoor that has not yet been triggered/ }).check();
  await isolate.getByLabel('When (UTC; blank for now)').fill('2026-10-20T09:30:00Z');
  await isolate.getByLabel('Reason / note').fill('r6 is known-good and cached');
  await isolate.getByRole('button', { name: 'Record' }).click();
  await expect(page.getByTestId('pm-action-isolate-done')).toContainText('2026-10-20 09:30:00 UTC');
  await expect(isolate).toContainText('Swap with urgency but plan the transition');

  // --- Retrain while the gate is closed: the core's refusal, naming what is missing.
  await expect(page.getByTestId('pm-gate-status')).toContainText('Retrain cannot be approved yet');
  await page.getByRole('radio', { name: /^Retrain/ }).check();
  await page.getByLabel('Reason', { exact: true }).fill('custom capabilities are needed');
  await page.getByRole('button', { name: 'Record decision' }).click();
  const refusal = page.getByTestId('pm-decision-message');
  await expect(refusal).toContainText('Retrain was not recorded: the retraining gate is closed');
  // Named by their titles, not by internal keys (the keys stay in the host's message, folded away).
  const missingList = page.getByTestId('pm-decision-missing');
  await expect(missingList.getByRole('listitem')).toHaveCount(CONSIDERATION_KEYS.length);
  await expect(missingList).toContainText('Training data audit');
  await expect(missingList).not.toContainText('training-data-audit');
  await expect(refusal).toContainText('retrain refused');
  await expect(page.getByTestId('pm-decision')).toContainText('No decision recorded yet');

  // --- The six considerations, then Retrain accepted.
  for (const key of CONSIDERATION_KEYS) {
    const item = page.getByTestId(`pm-gate-${key}`);
    await item.getByRole('textbox').fill(`${key}: planned and owned by the AI investigator`);
    if (key === 'training-data-audit') await item.getByRole('listbox').selectOption({ index: 0 });
    await item.getByRole('button', { name: /^Record/ }).click();
    await expect(page.getByTestId(`pm-gate-${key}-state`)).toHaveText('satisfied');
  }
  await expect(page.getByTestId('pm-gate-status')).toContainText('Retrain can be approved');
  await page.getByRole('button', { name: 'Record decision' }).click();
  await expect(page.getByTestId('pm-decision-message')).toHaveText('Decision recorded: Retrain.');
  await expect(page.getByTestId('pm-decision')).toContainText('custom capabilities are needed');

  // --- A manual checklist item.
  await page.getByLabel('Status of item 7').selectOption('in-progress');
  await page.getByLabel('Note on item 7').fill('Pinned tokenizer checksums in the registry');
  await page.getByRole('button', { name: 'Record item 7' }).click();
  await expect(page.getByTestId('pm-checklist-7')).toContainText(
    'Pinned tokenizer checksums in the registry',
  );

  // --- The preview: the record as the report will print it, styled (the CSP lets its stylesheet in).
  const preview = page.frameLocator('[data-testid="pm-preview"]');
  await expect(preview.getByText('Dana Reyes').first()).toBeVisible({ timeout: 30_000 });
  await expect(preview.getByText('Pinned tokenizer checksums in the registry').first()).toBeVisible();
  await expect(preview.locator('html')).toHaveCSS('color', 'rgb(31, 35, 40)');

  // --- Export html + pdf + json signed as dana.
  await expect(page.getByLabel('Sign as')).toHaveValue('dana');
  const passphrase = page.getByLabel('Passphrase of dana’s key');
  await expect(passphrase).toHaveAttribute('type', 'password');
  await passphrase.fill(PASSPHRASE);
  // Events were recorded since the last verification: exporting asks for a confirmation first.
  await expect(page.getByTestId('pm-export-unverified')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Export signed as dana' })).toBeDisabled();
  await page.getByRole('checkbox', { name: /Export anyway/ }).check();
  await page.getByRole('button', { name: 'Export signed as dana' }).click();
  await expect(page.getByTestId('pm-export-verification')).toContainText('Verification ok', {
    timeout: 180_000,
  });
  await expect(passphrase).toHaveValue('');
  await expect(page.getByTestId('pm-export-signer')).toContainText('dana');
  const out = (await page.getByTestId('pm-export-out').textContent())!.trim();
  const files = fs.readdirSync(out);
  for (const f of ['report.html', 'report.pdf', 'report.json', 'MANIFEST.sha256', 'MANIFEST.sha256.sig'])
    expect(files).toContain(f);

  // The workspace scrolls inside the window: make the window as tall as the stage to shoot it whole,
  // then again in parts that can be read at full size.
  const tall = await page.locator('.screen-postmortem').evaluate((e) => e.scrollHeight + 100);
  const height = Math.min(tall + 80, 16_000);
  await page.setViewportSize({ width: 1400, height });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: screenshotPath('postmortem-stage'), fullPage: true });
  for (let y = 0, i = 1; y < height; y += 1600, i++)
    await page.screenshot({
      path: screenshotPath(`postmortem-stage-part${i}`),
      clip: { x: 0, y, width: 1400, height: Math.min(1600, height - y) },
    });
  await page.getByTestId('pm-export-result').screenshot({ path: screenshotPath('postmortem-export') });

  // --- The bundle checked by the real tools, as a reader without Probity would.
  const sums = spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: out, encoding: 'utf8' });
  expect(sums.status, `${sums.stdout}${sums.stderr}`).toBe(0);
  const sig = spawnSync(
    'openssl',
    [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      'signer.pub.pem',
      '-rawin',
      '-in',
      'MANIFEST.sha256',
      '-sigfile',
      'MANIFEST.sha256.sig',
    ],
    { cwd: out, encoding: 'utf8' },
  );
  expect(sig.status, `${sig.stdout}${sig.stderr}`).toBe(0);

  // --- report.pdf page 1 as an image, to be looked at.
  if (!has('pdftoppm')) {
    console.warn('e2e: pdftoppm not found (poppler-utils): report.pdf was not rendered to an image');
  } else {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const prefix = path.join(SCREENSHOTS, 'postmortem-report-pdf');
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '60',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      path.join(out, 'report.pdf'),
      prefix,
    ]);
    expect(fs.statSync(`${prefix}.png`).size).toBeGreaterThan(5_000);
  }
});
