// End-to-end: the release build served on loopback, driven in headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshotPath, shoot } from './browser.mjs';
import { TimeslicePage } from './pages.mjs';
import { useSite } from './site.mjs';
import { whenLive } from './drive.mjs';

const ANCHORS = ['basics', 'timeslicing', 'exec', 'elf', 'paging', 'fork', 'your-program', 'epilogue'];
const site = useSite();

test('every part has its anchor and a contents entry', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/`);
  await page.locator('[data-widget="timeslice"]').waitFor();
  for (const id of ANCHORS) {
    assert.equal(await page.locator(`section#${id} h2`).count(), 1, `#${id}`);
    assert.equal(await page.getByTestId('toc').locator(`a[href="#${id}"]`).count(), 1, `toc #${id}`);
  }
  assert.equal(await page.title(), 'You in CPU: what really happens when a computer runs a program');
  assert.deepEqual(errors, []);
  await page.close();
});

test('timeslice: changing the task count changes the period and the slices', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#timeslicing`);
  const ts = await new TimeslicePage(page).ready();
  assert.equal(await ts.period(), '6 ms');
  assert.equal(await ts.sliceCount(), 3);
  assert.equal(await ts.slice(0), '1.999999');

  await ts.set('ts-tasks', '12');
  assert.equal(await ts.period(), '9 ms');
  assert.equal(await ts.sliceCount(), 12);
  assert.equal(await ts.slice(11), '0.75');
  assert.equal(await ts.field('ts-regime').getAttribute('data-regime'), 'min-granularity');
  // The state is in the URL.
  await page.waitForURL(/[?&]ts-tasks=12\b/);

  await ts.set('ts-tasks', 'lots');
  assert.match(await ts.text('ts-tasks-error'), /not a number/);
  assert.equal(await ts.period(), '9 ms', 'keeps the last good chart');

  await ts.field('ts-regime').scrollIntoViewIfNeeded();
  await shoot(page.locator('[data-widget="timeslice"]'), 'timeslice.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('timeslice: a link restores the state and scrolls to the widget', async () => {
  const url = `${site.server.url}/?ts-tasks=4&ts-cpus=4&ts-nice=0,0,5,-3#widget-timeslice`;
  const { page, errors } = await openPage(site.browser.context, url);
  const ts = await new TimeslicePage(page).ready();
  assert.equal(await ts.field('ts-tasks').inputValue(), '4');
  assert.equal(await ts.field('ts-nice-3').inputValue(), '-3');
  assert.equal(await ts.text('ts-scaled-latency'), '18 ms');
  assert.equal(await ts.text('ts-eevdf'), '2.25 ms', 'EEVDF base slice 0.75 ms x 3');
  assert.equal(await ts.sliceCount(), 4);
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-widget="timeslice"]').getBoundingClientRect();
    return r.top < window.innerHeight && r.bottom > 0;
  });
  assert.deepEqual(errors, []);
  await page.close();
});

test('phone width: no horizontal scrolling', async () => {
  const page = await site.browser.context.newPage();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`${site.server.url}/#timeslicing`);
  await whenLive(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than a 360px screen`);
  await page.screenshot({ path: screenshotPath('phone.png') });
  await page.close();
});

test('without JavaScript the prerendered article is all there', async () => {
  const ctx = await site.browser.context.browser()?.newContext({ javaScriptEnabled: false });
  // A persistent context has no parent browser: fall back to a page with scripts blocked by CSP.
  const page = ctx ? await ctx.newPage() : await site.browser.context.newPage();
  if (!ctx) await page.route('**/*.js', (r) => r.abort());
  await page.goto(`${site.server.url}/`);
  for (const id of ANCHORS) {
    assert.equal(await page.locator(`section#${id} h2`).count(), 1, `#${id}`);
  }
  const text = await page.locator('main').textContent();
  assert.match(text, /fetch/i);
  assert.match(text, /05 00 02 00 00/);
  assert.ok(text.length > 20000, `only ${text.length} characters of text`);
  // Widgets are present in their default state, so nothing jumps when the wasm takes over.
  assert.equal(await page.locator('[data-widget="timeslice"] [data-testid="ts-period"]').textContent(), '6 ms');
  await page.close();
  await ctx?.close();
});
