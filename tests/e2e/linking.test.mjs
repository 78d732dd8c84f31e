// End-to-end: static and dynamic programs side by side, and what processes share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('linking: the dynamic file needs libc and maps it; more processes add only private pages', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-linking`);
  const w = page.locator('[data-widget="linking"]');
  await w.waitFor();
  assert.match(await w.getByTestId('ln-file-static').textContent(), /PT_INTERPnone/);
  assert.match(await w.getByTestId('ln-file-dynamic').textContent(), /libc\.so\.6/);
  assert.match(await w.getByTestId('ln-file-dynamic').textContent(), /ld-linux-x86-64/);
  const dyn = await w.getByTestId('ln-map-dynamic').textContent();
  assert.match(dyn, /libc\.so\.6 segment/);
  assert.doesNotMatch(await w.getByTestId('ln-map-static').textContent(), /libc/);
  const shared = (t) => Number(t.match(/(\d+) shared pages/)[1]);
  const t2 = await w.getByTestId('ln-totals').textContent();
  await w.getByTestId('ln-procs').selectOption('4');
  const t4 = await w.getByTestId('ln-totals').textContent();
  assert.equal(shared(t2), shared(t4));
  assert.match(t4, /^4 processes/);
  await page.waitForURL(/ln-procs=4/);
  await shoot(w, 'linking.png');
  assert.deepEqual(errors, []);
  await page.close();
});
