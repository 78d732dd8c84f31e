// End-to-end: demand paging on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('demand-paging: first touches fault, second touches do not, strangers get SIGSEGV', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-demand-paging`);
  const w = page.locator('[data-widget="demand-paging"]');
  await w.waitFor();
  const outcome = w.getByTestId('dp-outcome');
  // The named addresses and the text forms sit in details under the picture.
  for (const s of await w.locator('details.dp-details > summary').all()) await s.click();
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
  assert.equal(await w2.locator('[data-testid="demand-paging-diagram"] [data-block="notes.txt"]').count(), 2);
  assert.deepEqual(errors, []);
  assert.deepEqual(again.errors, []);
  await again.page.close();
  await page.close();
});

/** The wide diagram: present pages, lit cells, frames by kind, description. */
const read = (w, id = 'demand-paging-diagram') => w.evaluate((el, id) => {
  const svg = el.querySelector(`[data-testid="${id}"]`);
  return {
    blocks: [...svg.querySelectorAll('.dp-block')].map((b) => b.getAttribute('data-block')),
    present: svg.querySelectorAll('.dp-cell[data-present="true"]').length,
    lit: [...svg.querySelectorAll('.dp-cell.d-hl')].map((c) => c.getAttribute('data-page')),
    frames: [...svg.querySelectorAll('.dp-frame')].map((f) => f.getAttribute('class')),
    desc: svg.querySelector('desc').textContent,
  };
}, id);

test('demand-paging diagram: click a page, a gap, the kernel; by mouse, keyboard and touch', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-demand-paging`);
  const w = page.locator('[data-widget="demand-paging"]');
  await w.waitFor();
  const d = w.getByTestId('demand-paging-diagram');
  const outcome = w.getByTestId('dp-outcome');
  // Boot: the regions, the stack, the kernel at the end; no page present, no frame.
  let s = await read(w);
  assert.ok(s.blocks.includes('[stack]') && s.blocks.at(-1) === 'kernel', s.blocks.join());
  assert.equal(s.present, 0);
  assert.equal(s.frames.length, 0);
  // Mouse: read the top page of the stack: the zero page, lit with its frame.
  const top = d.locator('[data-block="[stack]"] .dp-cell').last();
  await top.click();
  assert.equal(await outcome.textContent(), 'fault: zero page');
  s = await read(w);
  assert.equal(s.present, 1);
  assert.equal(s.lit.length, 1);
  assert.match(s.frames.join(), /dp-zero.*d-hl/);
  // Writes: a private frame replaces the zero page.
  await w.getByTestId('dp-click').selectOption('write');
  await top.click();
  assert.equal(await outcome.textContent(), 'fault: new zeroed frame');
  assert.match((await read(w)).frames.join(), /dp-anon.*d-hl/);
  await shoot(d, 'demand-paging-diagram-1280.png');
  // Keyboard: the gap below the stack, then Enter: the stack grows down to meet the touch.
  const gaps = d.locator('[data-block="gap"]');
  await gaps.last().focus();
  await page.keyboard.press('Enter');
  assert.equal(await outcome.textContent(), 'fault: stack growth');
  // The kernel's end of the bar: SIGSEGV.
  await d.locator('[data-block="kernel"]').focus();
  await page.keyboard.press(' ');
  assert.equal(await outcome.textContent(), 'SIGSEGV');
  assert.match((await read(w)).desc, /Last touch at 0xffffffff81000000: SIGSEGV/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('demand-paging at 360 px: the narrow diagram fits, a tap touches a page', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  const ctx = await browser.newContext({ hasTouch: true, viewport: { width: 360, height: 800 } });
  const { page, errors } = await openPage(ctx, `${site.server.url}/#widget-demand-paging`);
  const w = page.locator('[data-widget="demand-paging"]');
  await w.waitFor();
  const n = w.getByTestId('demand-paging-diagram-narrow');
  assert.ok(await n.isVisible());
  assert.ok(!(await w.getByTestId('demand-paging-diagram').isVisible()));
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth));
  const wb = await w.boundingBox();
  assert.ok(wb.x >= 0 && wb.x + wb.width <= 360.5, JSON.stringify(wb));
  const cell = n.locator('[data-block="[stack]"] .dp-cell').last();
  await cell.scrollIntoViewIfNeeded();
  const b = await cell.boundingBox();
  await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
  await page.waitForFunction(() => document.querySelector('[data-testid="dp-outcome"]')?.textContent === 'fault: zero page');
  assert.equal((await read(w, 'demand-paging-diagram-narrow')).present, 1);
  await shoot(w, 'demand-paging-360.png');
  await shoot(n, 'demand-paging-diagram-360.png');
  assert.deepEqual(errors, []);
  await page.close();
  await browser.close();
});
