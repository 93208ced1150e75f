/**
 * Accessibility of every stage, checked by axe-core inside the browser tests: the case list, the
 * custodians screen and each stage of the demo incident, in the light and the dark theme, at the
 * narrow window size (1024×700) where clipping shows first. No serious or critical violation is
 * allowed; each stage is also screenshotted for the clipping review. The skip link reaches the main
 * content in one Tab, and navigating to a stage moves the focus to its heading.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { browserMissing, expect, rendererBuilt, screenshotPath, test } from './fixtures';

test.skip(browserMissing !== null, browserMissing ?? '');

test.beforeAll(() => {
  expect(rendererBuilt, 'the renderer is not built: run `npm run build:web` first').toBe(true);
});

const STAGES = [
  ['Overview', 'overview'],
  ['Evidence', 'evidence'],
  ['Integrity', 'integrity'],
  ['Behavior', 'behavior'],
  ['Audit', 'audit'],
  ['Post-mortem', 'postmortem'],
  ['Custody log', 'custody'],
] as const;

/** axe's serious and critical violations on the page as it stands, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}, ${v.nodes.length}): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.getByLabel('Theme').selectOption(theme);
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

test('every stage of the demo incident: no serious axe violation, light and dark, at 1024×700', async ({
  page,
  host,
}) => {
  test.setTimeout(600_000);
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Cases', level: 1 })).toBeVisible();

  // The skip link is the first stop of the keyboard and lands in the main content.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main')).toBeFocused();

  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    found.push(...(await seriousViolations(page)).map((v) => `cases/${theme}: ${v}`));
  }
  await page.getByRole('button', { name: 'Open demo incident' }).click();
  await expect(page.getByTestId('case-id')).toHaveText(/^AI-IR-\d{4}-\d{4}$/, { timeout: 110_000 });
  const nav = page.getByRole('navigation', { name: 'Case workflow' });
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    for (const [label, id] of STAGES) {
      await nav.getByRole('link', { name: label }).click();
      const heading = page.getByRole('heading', { name: label, level: 2 });
      await expect(heading).toBeVisible();
      // Navigating moves the focus to the stage's heading, not left on the sidebar.
      await expect(heading).toBeFocused();
      // The stage has finished loading when no spinner is left.
      await expect(page.locator('.spinner')).toHaveCount(0, { timeout: 60_000 });
      await page.screenshot({ path: screenshotPath(`a11y-${id}-${theme}-1024`), fullPage: true });
      found.push(...(await seriousViolations(page)).map((v) => `${id}/${theme}: ${v}`));
    }
  }
  await page.getByRole('link', { name: 'Custodians & keys' }).click();
  await expect(page.getByRole('heading', { name: /Custodians/, level: 1 })).toBeVisible();
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    await page.screenshot({ path: screenshotPath(`a11y-custodians-${theme}-1024`), fullPage: true });
    found.push(...(await seriousViolations(page)).map((v) => `custodians/${theme}: ${v}`));
  }
  expect(found, 'axe-core serious or critical violations').toEqual([]);
});
