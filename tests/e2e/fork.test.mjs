// End-to-end: fork and copy-on-write on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('fork-cow: fork shares the data frame, a write copies it', async () => {
  // From the bare boot (a link with no operations): pid 1 writes its data page, then forks.
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/?fc-ops=-#widget-fork-cow`);
  const w = page.locator('[data-widget="fork-cow"]');
  await w.waitFor();
  await w.getByTestId('fc-page-1-data').click();
  await w.getByTestId('fc-1-fork').click();
  await w.getByTestId('fc-proc-2').waitFor();
  const shared = await w.getByTestId('fc-shared').textContent();
  assert.match(shared, /pids 1, 2/);
  // The tables are built when opened.
  assert.equal(await w.locator('[data-testid^="fc-frame-1-"]').count(), 0);
  await w.getByTestId('fc-tables').click();
  const frame = (pid) => w.locator(`[data-testid^="fc-frame-${pid}-402000"]`).textContent();
  const parentFrame = await frame(1);
  assert.equal(await frame(2), parentFrame);
  await w.getByTestId('fc-page-2-data').click();
  assert.notEqual(await frame(2), parentFrame);
  assert.match(await w.getByTestId('fc-log').textContent(), /cop/i);
  await page.waitForURL(/fc-ops=/);
  await shoot(w, 'fork-cow.png');
  assert.deepEqual(errors, []);
  await page.close();
});
