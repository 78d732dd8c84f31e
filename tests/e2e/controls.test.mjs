// End-to-end: the controls added for more than one CPU and for memory pressure (issue 15): the
// scheduler's CPU count and the demand-paging widget's memory limit, driven as a reader would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('scheduler: two CPUs run the convoy side by side', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-scheduler`);
  const root = page.locator('[data-widget="scheduler"]');
  const fifo = root.getByTestId('sch-metrics-fifo');
  // One CPU: the convoy (12, 2, 2 arriving at 0, 1, 2) waits behind the long job: 13.0.
  assert.match(await fifo.textContent(), /avg turnaround 13\.0/);
  await root.getByTestId('sch-cpus').fill('2');
  // Two CPUs: A on one (0-12), B on the other (1-3), then C (3-5): (12 + 2 + 3) / 3 = 5.7.
  // (While a policy computes, its metrics line is replaced by "computing…": wait for it back.)
  await page.waitForFunction(() => /avg turnaround 5\.7/.test(document.querySelector('[data-testid="sch-metrics-fifo"]')?.textContent ?? ''));
  assert.match(await root.locator('.widget-sub').textContent(), /2 CPUs/);
  const titles = await root.getByTestId('sch-gantt-fifo').locator('title').allTextContents();
  assert.ok(titles.some((t) => /on CPU 2/.test(t)), `a run on CPU 2: ${titles.join(' | ')}`);
  await root.getByTestId('sch-cpus').fill('99');
  assert.equal(await root.getByTestId('sch-cpus').getAttribute('aria-invalid'), 'true');
  assert.match(await fifo.textContent(), /avg turnaround 5\.7/, 'keeps the last good run');
  assert.deepEqual(errors, []);
  await page.close();
});

test('demand paging: under a memory limit pages go to swap and come back with a major fault', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-demand-paging`);
  const root = page.locator('[data-widget="demand-paging"]');
  const pressure = root.getByTestId('dp-pressure');
  assert.match(await pressure.textContent(), /No memory limit/);
  await root.getByTestId('dp-limit').selectOption('2');
  assert.match(await pressure.textContent(), /Limit 2 frames/);
  await root.getByTestId('dp-brk').click();
  // The named addresses sit in a <details> under the widget's picture.
  await root.locator('details.dp-details > summary').first().click();
  for (const t of ['heap-start', 'heap-end', 'stack-top']) await root.getByTestId(`dp-write-${t}`).click();
  const swapped = Number((await pressure.textContent()).match(/swap (\d+) of/)[1]);
  assert.ok(swapped >= 1, `three dirty pages in two frames: ${await pressure.textContent()}`);
  const major = async () => Number((await pressure.textContent()).match(/(\d+) major/)[1]);
  const before = await major();
  await root.getByTestId('dp-read-heap-start').click();
  assert.ok(await major() > before, `the swapped-out page comes back: ${await pressure.textContent()}`);
  await root.getByTestId('dp-limit').selectOption('0');
  assert.match(await pressure.textContent(), /No memory limit/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('copy link: a link copied right after a change carries it (the query is written 250 ms later)', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-preemption`);
  // Record what the page hands the clipboard (a headless browser has no clipboard to read).
  await page.evaluate(() => {
    window.__copied = [];
    navigator.clipboard.writeText = async (t) => { window.__copied.push(t); };
  });
  const root = page.locator('[data-widget="preemption"]');
  await root.getByTestId('pe-step').click();
  await root.getByTestId('pe-step').click();
  await root.getByTestId('preemption-copy-link').click();
  const copied = await page.evaluate(() => window.__copied.at(-1));
  assert.ok(copied, 'Copy link gave the clipboard a link');
  await page.waitForTimeout(600);
  const settled = await page.evaluate(() => location.search);
  const keys = (search) => [...new URLSearchParams(search)].filter(([k]) => k.startsWith('pe-')).map(([k, v]) => `${k}=${v}`).sort();
  assert.ok(keys(settled).length > 0, `the steps are in the query: ${settled}`);
  assert.deepEqual(keys(new URL(copied).search), keys(settled));
  assert.equal(new URL(copied).hash, '#widget-preemption');
  assert.deepEqual(errors, []);
  await page.close();
});
