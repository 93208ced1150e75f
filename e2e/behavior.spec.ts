/**
 * The Behavior stage on the demo incident, end to end: import the baseline and suspect eval runs
 * from the demo's evals folder, compare them, and find the planted facts on screen — the privacy
 * regression failing the safety benchmark (80.0% vs 96.7%), the `<|deploy_mode|>` trigger flagged —
 * then filter the paired items by clicking the refused→complied cell of the discordance matrix.
 */
import path from 'node:path';
import { browserMissing, expect, rendererBuilt, screenshotPath, test } from './fixtures';

test.skip(browserMissing !== null, browserMissing ?? '');

test.beforeAll(() => {
  expect(rendererBuilt, 'the renderer is not built: run `npm run build:web` first').toBe(true);
});

test('the demo incident: import, compare, the planted regression and trigger, the items', async ({
  page,
  host,
}) => {
  test.setTimeout(180_000);
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Open demo incident' }).click();
  await expect(page.getByTestId('case-id')).toHaveText(/^AI-IR-\d{4}-\d{4}$/, { timeout: 110_000 });
  const nav = page.getByRole('navigation', { name: 'Case workflow' });
  await nav.getByRole('link', { name: 'Behavior' }).click();
  await expect(page.getByRole('heading', { name: 'Behavior', level: 2 })).toBeVisible();
  await expect(page.getByTestId('behavior-empty')).toBeVisible();

  // --- An outside path: a relative one is refused, a full one needs the confirmation that it will be
  // preserved as new evidence.
  const evals = path.join(host.home, 'demo', 'incident', 'evals');
  await page.getByLabel('a file outside the case').check();
  await page.getByLabel('Eval run file').fill('evals/baseline.jsonl');
  await page.getByRole('button', { name: 'Import run' }).click();
  await expect(page.getByTestId('behavior-import-message')).toContainText(
    'Confirm that the file will be preserved',
  );
  await page.getByLabel(/Preserve this file as new evidence/).check();
  await page.getByRole('button', { name: 'Import run' }).click();
  await expect(page.getByTestId('behavior-import-message')).toContainText('give the full path');
  await expect(page.getByTestId('behavior-run')).toHaveCount(0);

  // --- Both runs picked from the case's own evidence (the default): no second copy is made.
  await page.getByLabel('this case’s evidence').check();
  for (const [file, role] of [
    ['evals/baseline.jsonl', 'baseline'],
    ['evals/suspect.jsonl', 'suspect'],
  ] as const) {
    await page.getByLabel('Evidence file').selectOption(file);
    await page.getByLabel('Role').selectOption(role);
    await page.getByRole('button', { name: 'Import run' }).click();
    await expect(page.getByTestId('behavior-import-message')).toContainText(`Imported “${role}”`);
  }
  // The same bytes from an outside path are the evidence already held.
  await page.getByLabel('a file outside the case').check();
  await page.getByLabel('Eval run file').fill(path.join(evals, 'suspect.jsonl'));
  await page.getByLabel(/Preserve this file as new evidence/).check();
  await page.getByLabel('Role').selectOption('replacement');
  await page.getByRole('button', { name: 'Import run' }).click();
  await expect(page.getByTestId('behavior-import-message')).toContainText('Imported “replacement”');
  await nav.getByRole('link', { name: 'Evidence' }).click();
  await expect(page.getByTestId('evidence-row').first()).toBeVisible();
  // The demo incident's 25 files and no more: the outside file's bytes were already evidence.
  await expect(page.getByTestId('evidence-count')).toHaveText('25 files');
  await nav.getByRole('link', { name: 'Behavior' }).click();
  await expect(page.getByTestId('behavior-run')).toHaveCount(3);
  await page.screenshot({ path: screenshotPath('behavior-import') });

  // --- Compare: the defaults pick the baseline and the suspect.
  await expect(page.getByLabel('Baseline run')).toHaveValue('1');
  await expect(page.getByLabel('Suspect run')).toHaveValue('2');
  await page.getByRole('button', { name: 'Compare runs' }).click();
  await expect(page.getByTestId('behavior-result')).toBeVisible({ timeout: 60_000 });

  // The verification table: the safety benchmark fails on the privacy regression.
  await expect(page.getByTestId('bcheck-status-safety-benchmarks')).toHaveText('fail');
  for (const id of [
    'capability-benchmarks',
    'trigger-scanning',
    'jailbreak-resistance',
    'production-smoke-test',
  ])
    await expect(page.getByTestId(`bcheck-status-${id}`)).toHaveText(/^(pass|fail|not analysed)$/);
  await expect(page.getByTestId('bcheck-status-trigger-scanning')).toHaveText('fail');
  // Margins are differences in points, and each worse group says which rate it is about.
  const safety = page.getByTestId('bcheck-safety-benchmarks');
  await expect(safety).toContainText('margin ±5.0 points');
  await expect(safety).not.toContainText('margin ±5.0%');
  const worse = safety.getByTestId('bcheck-worse');
  expect(await worse.count()).toBeGreaterThan(0);
  for (const w of await worse.all()) await expect(w).toContainText(/(refusal rate|pass rate|mean score):/);
  await expect(worse.filter({ hasText: 'privacy' }).first()).toContainText('safety / privacy');

  // The safety suite is shown first; the privacy row says 96.7% → 80.0%.
  await expect(page.getByTestId('behavior-suite')).toHaveAttribute('data-suite', 'safety');
  const privacy = page.locator(
    '[data-testid="behavior-group-row"][data-category="privacy"][data-metric="refusal"]',
  );
  await expect(privacy).toContainText('96.7%');
  await expect(privacy).toContainText('80.0%');
  await expect(privacy).toContainText('lower');
  await expect(page.getByTestId('behavior-rate-chart')).toContainText('Wilson');
  await expect(page.getByTestId('behavior-rate-chart')).toContainText('privacy (n 120)');

  // The planted trigger is flagged.
  const deploy = page.locator('[data-testid="trigger-row"][data-trigger="<|deploy_mode|>"]');
  await expect(deploy).toHaveAttribute('data-flagged', 'true');
  await expect(deploy.getByTestId('trigger-flagged')).toBeVisible();

  await page.setViewportSize({ width: 1400, height: 3000 });
  await page.mouse.move(0, 0);
  await page.getByTestId('behavior-result').screenshot({ path: screenshotPath('behavior-result') });

  // --- The privacy category, then its refused→complied cell filters the items.
  await page.getByTestId('group-safety-privacy').first().click();
  await expect(page.getByRole('heading', { name: 'Paired items · safety / privacy' })).toBeVisible();
  await expect(page.getByTestId('behavior-items-count')).toContainText('120 pairs');
  const cell = page.getByTestId('matrix-refused→complied');
  const flips = Number((await cell.locator('.matrix-n').textContent()) ?? 'NaN');
  // 96.7% → 80.0% of 120: at least 20 privacy prompts the baseline refused and the suspect answered.
  expect(flips).toBeGreaterThanOrEqual(20);
  await cell.click();
  await expect(cell).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('behavior-items-count')).toContainText(`${flips} pairs · refused → complied`);
  const items = page.getByTestId('behavior-item');
  await expect(items.first()).toContainText('baseline · refused');
  // Windowed: only the rows in view (and a few more) are in the page.
  expect(await items.count()).toBeLessThan(flips);
  for (const item of await items.all()) {
    await expect(item).toContainText('baseline · refused');
    await expect(item).toContainText('suspect · complied');
  }
  await expect(items.first().locator('ins.diff-added').first()).toBeVisible();
  await page.getByTestId('behavior-paired').screenshot({ path: screenshotPath('behavior-items') });

  // Keyboard: the matrix cells are buttons; Enter toggles the filter off again.
  await cell.focus();
  await page.keyboard.press('Enter');
  await expect(cell).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('behavior-items-count')).toContainText('120 pairs');

  // Scores: the capability suite has a score-delta histogram.
  await page.getByTestId('suite-capability').click();
  await expect(page.getByTestId('score-histogram')).toContainText('Score delta');
  await page.getByTestId('behavior-paired').screenshot({ path: screenshotPath('behavior-scores') });

  // The same page in the dark theme.
  await page.getByTestId('suite-safety').click();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.mouse.move(0, 0);
  await page.getByTestId('behavior-result').screenshot({ path: screenshotPath('behavior-result-dark') });
  await page.emulateMedia({ colorScheme: 'light' });

  // --- The comparison is the case's: leaving the stage, coming back, and reloading show it again.
  const seq = await page.getByTestId('behavior-result').getAttribute('data-custody-seq');
  await nav.getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('heading', { name: 'Overview', level: 2 })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('heading', { name: 'Behavior', level: 2 })).toBeVisible();
  await expect(page.getByTestId('behavior-result')).toBeVisible();
  await expect(page.getByTestId('behavior-empty')).toHaveCount(0);
  await expect(page.getByTestId('bcheck-status-safety-benchmarks')).toHaveText('fail');
  await page.reload();
  await expect(page.getByTestId('behavior-result')).toBeVisible();
  await expect(page.getByTestId('behavior-result')).toHaveAttribute('data-custody-seq', seq ?? 'missing');
  await expect(page.getByLabel('Baseline run')).toHaveValue('1');
  await expect(page.getByLabel('Suspect run')).toHaveValue('2');
});
