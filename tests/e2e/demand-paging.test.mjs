// End-to-end: demand paging on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('demand-paging: first touches fault, second touches do not, strangers get SIGSEGV', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-demand-paging`);
  const w = page.locator('[data-widget="demand-paging"]');
  await w.waitFor();
  const outcome = w.getByTestId('dp-outcome');
  await w.getByTestId('dp-read-heap-start').click();
  assert.match(await w.getByTestId('dp-log').textContent(), /heap is empty/);
  await w.getByTestId('dp-brk').click();
  assert.match(await w.getByTestId('dp-maps').textContent(), /\[heap\]/);
  await w.getByTestId('dp-read-heap-start').click();
  assert.equal(await outcome.textContent(), 'fault: zero page');
  await w.getByTestId('dp-read-heap-start').click();
  assert.equal(await outcome.textContent(), 'TLB hit');
  await w.getByTestId('dp-write-heap-start').click();
  assert.match(await outcome.textContent(), /fault/);
  await w.getByTestId('dp-write-below-stack').click();
  assert.equal(await outcome.textContent(), 'fault: stack growth');
  await w.getByTestId('dp-mmap').click();
  await w.getByTestId('dp-read-file').click();
  assert.equal(await outcome.textContent(), 'fault: read from the file');
  await w.getByTestId('dp-mmap').click();
  await w.getByTestId('dp-read-file').click();
  assert.equal(await outcome.textContent(), 'fault: page-cache hit');
  assert.match(await w.getByTestId('dp-pages').textContent(), /page cache/);
  await w.getByTestId('dp-read-unowned').click();
  assert.equal(await outcome.textContent(), 'SIGSEGV');
  await page.waitForURL(/dp-ops=/);
  await shoot(w, 'demand-paging.png');
  const before = page.url();
  await w.getByTestId('dp-undo').click();
  assert.equal(await outcome.textContent(), 'fault: page-cache hit');
  // A link replays the operations (the URL is written in a timer task after the render).
  await page.waitForFunction((u) => location.href !== u, before);
  const url = page.url();
  const again = await openPage(site.browser.context, url);
  const w2 = again.page.locator('[data-widget="demand-paging"]');
  await w2.waitFor();
  assert.match(await w2.getByTestId('dp-maps').textContent(), /notes\.txt/);
  assert.deepEqual(errors, []);
  assert.deepEqual(again.errors, []);
  await again.page.close();
  await page.close();
});
