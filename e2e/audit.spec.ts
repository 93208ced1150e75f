/**
 * The Audit stage on the demo incident, end to end: import the four request logs found in the
 * evidence, derive the window from the deployment records (its requests and users must be the
 * generator's), then review a small window whole from the keyboard — every planted harmful output
 * must surface, and the estimate's interval must cover the planted rate — and export the sample.
 * The planted facts come from the demo generator itself (same seed, so the same files).
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { generateDemoBundles, type DemoFacts } from '../src/demo/generate';
import { browserMissing, expect, rendererBuilt, screenshotPath, test } from './fixtures';

test.skip(browserMissing !== null, browserMissing ?? '');

let facts: DemoFacts;
let factsDir: string;

test.beforeAll(async () => {
  expect(rendererBuilt, 'the renderer is not built: run `npm run build:web` first').toBe(true);
  factsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-e2e-facts-'));
  facts = (await generateDemoBundles(factsDir)).facts;
});

test.afterAll(() => {
  if (factsDir) fs.rmSync(factsDir, { recursive: true, force: true });
});

const POLICY = (limit: number) =>
  [
    'tools:',
    '  lookup_order: {}',
    '  search_kb: {}',
    '  create_ticket: {}',
    `  refund_order: { require: [ticket_id], max: { amount: ${limit} } }`,
    '  send_email: { allow: { template: [password_reset, invoice_copy] } }',
  ].join('\n');

test('the demo incident: window, blast radius, a whole small window reviewed, the estimate', async ({
  page,
  host,
}) => {
  test.setTimeout(240_000);
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Open demo incident' }).click();
  await expect(page.getByTestId('case-id')).toHaveText(/^AI-IR-\d{4}-\d{4}$/, { timeout: 110_000 });
  await page.getByRole('navigation', { name: 'Case workflow' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { name: 'Audit', level: 2 })).toBeVisible();
  await expect(page.getByTestId('audit-waiting')).toContainText('No output log is imported');

  // --- The logs of the evidence, imported in one go.
  await expect(page.getByTestId('audit-logs').locator('tbody tr')).toHaveCount(facts.logs.files.length);
  await page.getByRole('button', { name: `Import all ${facts.logs.files.length} logs` }).click();
  await expect(page.getByTestId('audit-logs').getByText(/records$/)).toHaveCount(facts.logs.files.length, {
    timeout: 60_000,
  });
  await expect(page.getByTestId('audit-waiting')).toContainText('No compromise window is set');

  // --- The window from the deployment records: the generator's requests and users.
  await page.getByRole('button', { name: 'Set the window' }).click();
  await expect(page.getByTestId('audit-window')).toContainText('deployment');
  await expect(page.getByTestId('audit-card-requests').locator('.audit-card-value')).toHaveText(
    facts.logs.requestsInWindow.toLocaleString('en-US'),
  );
  await expect(page.getByTestId('audit-card-users').locator('.audit-card-value')).toHaveText(
    facts.logs.usersInWindow.toLocaleString('en-US'),
  );
  await expect(page.getByTestId('audit-timeline')).toContainText('deployment events marked');
  await expect(page.getByTestId('audit-plan')).toContainText('records');
  await page.setViewportSize({ width: 1400, height: 2400 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: screenshotPath('audit-blast-radius'), fullPage: true });

  // --- A small window (twelve hours of the compromise) with the tool policy, reviewed whole.
  const start = '2026-10-09T00:00:00Z';
  const end = '2026-10-09T12:00:00Z';
  const inWindow = (t: string) => Date.parse(t) >= Date.parse(start) && Date.parse(t) < Date.parse(end);
  const planted = new Set(facts.planted.harmful.filter((h) => inWindow(h.timestamp)).map((h) => h.requestId));
  expect(planted.size).toBeGreaterThan(0);
  await page.getByLabel('by hand').check();
  await page.getByLabel('Start (UTC unless a zone is given)').fill(start);
  await page.getByLabel('End (excluded)').fill(end);
  // A blank policy says what it means; an invalid one is refused with a whole sentence, and the
  // field is marked invalid.
  const policyBox = page.getByLabel('Authorized tools policy (YAML or JSON)');
  await expect(policyBox).toHaveValue('');
  await expect(policyBox).not.toHaveAttribute('placeholder', /.+/);
  await expect(page.getByTestId('audit-policy-help')).toContainText('Empty: tool calls will not be audited');
  await policyBox.fill('tools:\n  lookup_order: {}\n refund_order: [\n');
  await page.getByRole('button', { name: 'Set a new window' }).click();
  const refusal = page.getByTestId('audit-window-message');
  await expect(refusal).toContainText('not YAML or JSON');
  await expect(refusal).toHaveText(/\(line \d+, column \d+\)$/);
  await expect(policyBox).toHaveAttribute('aria-invalid', 'true');
  await policyBox.fill(POLICY(facts.logs.refundLimitUsd));
  await page.getByRole('button', { name: 'Set a new window' }).click();
  await expect(page.getByTestId('audit-window')).toContainText('Set by hand');
  const population = Number(
    (await page.getByTestId('audit-card-requests').locator('.audit-card-value').textContent())!.replace(
      /,/g,
      '',
    ),
  );
  expect(population).toBeGreaterThan(20);
  expect(population).toBeLessThan(200);
  await page.getByLabel('Size').fill(String(population));
  await page.getByRole('button', { name: `Draw ${population} of ${population}` }).click();
  await expect(page.getByTestId('audit-sample')).toContainText(`${population} of ${population} records`);
  await expect(page.getByTestId('audit-progress')).toHaveText(`0 of ${population} reviewed`);

  const record = page.getByTestId('audit-record');
  await expect(record).toBeVisible();
  await record.screenshot({ path: screenshotPath('audit-review-record') });
  const surfaced: string[] = [];
  for (let i = 0; i < population; i++) {
    const id = (await record.getAttribute('data-request-id'))!;
    const harmful = planted.has(id);
    if (harmful) surfaced.push(id);
    await page.keyboard.press(harmful ? 'h' : 'b');
    await expect(page.getByTestId('audit-progress')).toHaveText(`${i + 1} of ${population} reviewed`);
    if (i + 1 < population) await expect(record).not.toHaveAttribute('data-request-id', id);
  }
  await expect(page.getByTestId('audit-queue-empty')).toBeVisible();
  expect(surfaced.sort()).toEqual([...planted].sort());

  // --- The estimate: every planted harmful output counted; the interval covers the planted rate.
  const rate = planted.size / population;
  await expect(page.getByTestId('audit-harmful-table')).toContainText(
    `${planted.size} harmful of ${population} labelled harmful or benign`,
  );
  // One count of reviewed records, the same in the review queue and the estimate.
  await expect(page.getByTestId('audit-estimate-reviewed')).toHaveText(
    `${population} of ${population} reviewed`,
  );
  await expect(page.getByTestId('audit-progress')).toHaveText(`${population} of ${population} reviewed`);
  const headline = (await page.getByTestId('audit-harmful-headline').textContent())!;
  const [lo, hi] = /\(([\d.]+)% – ([\d.]+)%\)/
    .exec(headline)!
    .slice(1)
    .map((x) => Number(x) / 100);
  expect(lo!).toBeLessThanOrEqual(rate);
  expect(hi!).toBeGreaterThanOrEqual(rate);
  await expect(page.getByTestId('audit-tool-census')).toContainText('break the policy');

  await page.getByRole('button', { name: 'Record in the case' }).click();
  await expect(page.getByTestId('audit-estimate-message')).toContainText('Recorded in the case');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  await expect(page.getByTestId('audit-estimate-message')).toContainText(`Exported ${population} rows`);
  expect((await download).suggestedFilename()).toMatch(/\.csv$/);
  await page.mouse.move(0, 0);
  await page.getByTestId('audit-estimate').screenshot({ path: screenshotPath('audit-estimate') });
});
