// End-to-end: privilege rings on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('rings: ring 3 hlt is #GP(0) with a stack switch (shown from the start); ring 0 executes at once', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-rings`);
  const w = page.locator('[data-widget="rings"]');
  await w.waitFor();
  assert.match(await w.getByTestId('rg-cs').textContent(), /0x0033.*CPL, 3/);
  assert.match(await w.getByTestId('rg-fault').textContent(), /#GP\(0\)/);
  assert.match(await w.getByTestId('rg-switch').textContent(), /CPL 3 → 0.*RSP0/);
  assert.match(await w.getByTestId('rg-newcpl').textContent(), /CPL is now 0/);
  const frame = await w.getByTestId('rg-frame').textContent();
  for (const slot of ['error code', 'RIP', 'CS', 'RFLAGS', 'RSP', 'SS']) assert.ok(frame.includes(slot), slot);
  assert.ok(frame.includes('0x401000'), 'saved RIP is the faulting instruction');
  await shoot(w, 'rings.png');
  await w.getByTestId('rg-op').selectOption('1');
  await w.getByTestId('rg-ring-0').check();
  assert.match(await w.getByTestId('rg-cs').textContent(), /0x0010.*CPL, 0/);
  assert.match(await w.getByTestId('rg-outcome').textContent(), /Executed.*IF: 1 → 0/s);
  await page.waitForURL(/rg-ring=0/);
  await page.waitForURL(/rg-op=cli/);
  await shoot(w, 'rings-ring0.png');
  await w.getByTestId('rings-reset').click();
  assert.ok(await w.getByTestId('rg-ring-3').isChecked());
  assert.deepEqual(errors, []);
  await page.close();
});
