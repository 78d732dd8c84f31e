// End-to-end: fork and copy-on-write on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('fork-cow: fork shares the data frame, a write copies it', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-fork-cow`);
  const w = page.locator('[data-widget="fork-cow"]');
  await w.waitFor();
  await w.getByTestId('fc-1-wd').click();
  await w.getByTestId('fc-1-fork').click();
  await w.getByTestId('fc-proc-2').waitFor();
  const shared = await w.getByTestId('fc-shared').textContent();
  assert.match(shared, /pids 1, 2/);
  const parentFrame = await w.getByTestId('fc-proc-1').locator('[data-testid^="fc-frame-1-402000"]').textContent();
  assert.equal(await w.getByTestId('fc-proc-2').locator('[data-testid^="fc-frame-2-402000"]').textContent(), parentFrame);
  await w.getByTestId('fc-2-wd').click();
  assert.notEqual(await w.getByTestId('fc-proc-2').locator('[data-testid^="fc-frame-2-402000"]').textContent(), parentFrame);
  assert.match(await w.getByTestId('fc-log').textContent(), /cop/i);
  await page.waitForURL(/fc-ops=/);
  await shoot(w, 'fork-cow.png');
  assert.deepEqual(errors, []);
  await page.close();
});
