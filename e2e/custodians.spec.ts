/**
 * Key management in the app: a custodian made (a mistyped second passphrase refused before
 * anything is sent), shown with the fingerprint of its key; a checkpoint of a case's custody log
 * signed from the custody log screen, refused with a wrong passphrase by the custodian's name, and
 * then verified; the key rotated (history keeps the retired one) and revoked for good.
 */
import { expect, browserMissing, rendererBuilt, screenshotPath, test } from './fixtures';

test.skip(browserMissing !== null, browserMissing ?? '');

test.beforeAll(() => {
  expect(rendererBuilt, 'the renderer is not built: run `npm run build:web` first').toBe(true);
});

test('custodians: add, sign a checkpoint, rotate, revoke', async ({ page, host }) => {
  test.setTimeout(120_000);
  await page.goto(host.url);
  await page.getByRole('link', { name: 'Custodians & keys' }).click();
  await expect(page.getByRole('heading', { name: 'Custodians', level: 1 })).toBeVisible();
  await expect(page.getByTestId('custodians-empty')).toBeVisible();

  await page.getByLabel('Name', { exact: true }).fill('dana');
  await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
  await page.getByLabel('Passphrase again').fill('correct horse batery');
  await page.getByRole('button', { name: 'Make the key' }).click();
  await expect(page.getByTestId('custodian-add-error')).toHaveText('The two passphrases differ.');
  await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
  await page.getByLabel('Passphrase again').fill('correct horse battery');
  await page.getByRole('button', { name: 'Make the key' }).click();
  const card = page.locator('[data-testid="custodian"][data-name="dana"]');
  await expect(card).toBeVisible();
  const fingerprint = (await card.locator('[data-hash]').first().getAttribute('data-hash'))!;
  expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  await expect(page.getByTestId('custodian-message')).toContainText(fingerprint);
  await page.screenshot({ path: screenshotPath('custodians'), fullPage: true });

  // --- A case, and a checkpoint of its custody log.
  await page.getByRole('link', { name: 'Cases' }).click();
  await page.getByRole('button', { name: 'New case' }).click();
  const dialog = page.getByRole('dialog', { name: 'New case' });
  await dialog.getByLabel('Title').fill('Checkpoint from the app');
  await dialog.getByRole('button', { name: 'Create case' }).click();
  await expect(page.getByTestId('case-id')).toHaveText(/^AI-IR-\d{4}-\d{4}$/);
  await page
    .getByRole('navigation', { name: 'Case workflow' })
    .getByRole('link', { name: 'Custody log' })
    .click();
  await page.getByRole('button', { name: 'Sign checkpoint…' }).click();
  const cp = page.getByTestId('checkpoint-dialog');
  await cp.getByLabel('Passphrase').fill('not the passphrase');
  await cp.getByRole('button', { name: 'Sign' }).click();
  await expect(cp.getByTestId('checkpoint-error')).toContainText('custodian dana');
  await cp.getByLabel('Passphrase').fill('correct horse battery');
  await cp.getByRole('button', { name: 'Sign' }).click();
  await expect(cp.getByTestId('checkpoint-signed')).toContainText('Signed by dana');
  await expect(cp.getByTestId('checkpoint-signed')).toContainText(fingerprint);
  await cp.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Verify now' }).click();
  await expect(page.getByTestId('custody-chain-status')).toContainText(/verified|intact/i, {
    timeout: 30_000,
  });

  // --- Rotate, then revoke.
  await page.getByRole('link', { name: 'Custodians & keys' }).click();
  await card.getByRole('button', { name: 'Rotate key…' }).click();
  const rotate = page.getByRole('dialog', { name: 'Rotate the key of dana' });
  await rotate.getByLabel('Current passphrase').fill('correct horse battery');
  await rotate.getByLabel('New passphrase', { exact: true }).fill('battery staple horse');
  await rotate.getByLabel('New passphrase again').fill('battery staple horse');
  await rotate.getByRole('button', { name: 'Rotate' }).click();
  await expect(page.getByTestId('custodian-message')).toContainText(`key ${fingerprint} retired`);
  await expect(card.locator('.custodian-keys tbody tr')).toHaveCount(2);
  await expect(card.locator('.custodian-keys')).toContainText('retired');

  await card.getByRole('button', { name: 'Revoke…' }).click();
  const revoke = page.getByRole('dialog', { name: 'Revoke dana' });
  await revoke.getByLabel('Reason').fill('laptop lost');
  await revoke.getByRole('button', { name: 'Revoke' }).click();
  await expect(revoke.getByRole('alert')).toHaveText('Type dana to confirm.');
  await revoke.getByLabel('Type dana to confirm').fill('dana');
  await revoke.getByRole('button', { name: 'Revoke' }).click();
  await expect(card.locator('.badge').first()).toHaveText('revoked');
  await expect(card.getByRole('button', { name: 'Rotate key…' })).toHaveCount(0);
});
