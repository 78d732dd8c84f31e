// End-to-end: the page-table walk on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('page-walk: a walk, a TLB hit, faults, and five levels', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-page-walk`);
  const w = page.locator('[data-widget="page-walk"]');
  await w.waitFor();
  assert.equal(await w.getByTestId('pw-pa').textContent(), '0x3b1b40');
  assert.equal(await w.getByTestId('pw-walk').locator('tbody tr').count(), 4);
  await w.getByTestId('pw-again').click();
  assert.match(await w.getByTestId('pw-result').textContent(), /TLB hit/);
  await shoot(w, 'page-walk.png');

  await w.getByTestId('pw-preset-2').click();
  assert.match(await w.getByTestId('pw-fault').textContent(), /read-only/);
  // PML5 index 0x100 (bits 56..48 of a canonical 57-bit address) has no table.
  await w.getByTestId('pw-va').fill('0xff00000000000000');
  await w.getByTestId('pw-levels').selectOption('5');
  assert.equal(await w.getByTestId('pw-walk').locator('tbody tr').count(), 1);
  await w.getByTestId('pw-va').fill('nonsense');
  assert.match(await w.getByTestId('pw-va-error').textContent(), /not a 64-bit address/);
  assert.deepEqual(errors, []);
  await page.close();
});
