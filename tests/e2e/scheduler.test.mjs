// End-to-end: the scheduler comparison on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { SchedulerPage } from './pages.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('scheduler: the convoy preset, then STCF switched on, then a bad pattern', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-scheduler`);
  const s = await new SchedulerPage(page).ready();
  // Convoy (12, 2, 2 arriving at 0, 1, 2): FIFO turnaround (12 + 13 + 14) / 3 = 13.
  assert.match(await s.el('sch-metrics-fifo').textContent(), /avg turnaround 13\.0/);
  await s.el('sch-toggle-stcf').click();
  // STCF: B at 1-3, C at 3-5, A finishes at 16: (16 + 2 + 3) / 3 = 7.
  assert.match(await s.el('sch-metrics-stcf').textContent(), /avg turnaround 7\.0/);
  assert.equal(await s.el('sch-gantt-stcf').locator('rect').count() >= 4, true);

  await s.el('sch-pattern-0').fill('io3');
  assert.match(await s.el('sch-pattern-0-error').textContent(), /start|alternate/);
  assert.match(await s.el('sch-metrics-fifo').textContent(), /avg turnaround 13\.0/, 'keeps the last good run');
  await s.el('sch-pattern-0').fill('12');

  await s.el('sch-preset').selectOption({ label: 'Nice values' });
  await shoot(s.root, 'scheduler.png');
  assert.deepEqual(errors, []);
  await page.close();
});
