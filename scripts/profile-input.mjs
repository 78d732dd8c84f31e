// Where one input's main-thread time goes: traces an input (or a widget's `run` from
// tests/e2e/drive.mjs) at 1x and splits the main thread's work in the window from the first
// input event to the end of the next paint (for a run: the whole run) by trace event: script
// (FunctionCall, TimerFire, EventDispatch's JS), style (UpdateLayoutTree), layout, pre-paint,
// paint, and the rest. A tool for finding what to cut; it asserts nothing.
// Usage: [REPS=3] [QUIET=1] [THROTTLE=4] node scripts/profile-input.mjs DIST WIDGET [act|run|bit|switch|write|seek|type]
import { serve } from '../tests/e2e/server.mjs';
import { launch } from '../tests/e2e/browser.mjs';
import { WIDGETS, ready, whenLive } from '../tests/e2e/drive.mjs';

const [dist = 'dist', id = 'page-walk', mode = 'act'] = process.argv.slice(2);
const spec = WIDGETS.find((w) => w.id === id);
if (!spec) throw new Error(`no widget ${id}`);
const server = await serve(dist);
const browser = await launch();
const page = await browser.context.newPage();
if (process.env.CSS) await page.addInitScript((css) => { document.addEventListener('DOMContentLoaded', () => { const s = document.createElement('style'); s.textContent = css; document.head.append(s); }); }, process.env.CSS);
if (process.env.THROTTLE) {
  // THROTTLE=4: CPU throttling as a mid-range phone (CDP), for a run's long tasks at 4x.
  const c = await page.context().newCDPSession(page);
  await c.send('Emulation.setCPUThrottlingRate', { rate: +process.env.THROTTLE });
}
await page.goto(`${server.url}/`);
await whenLive(page);
await page.waitForTimeout(500);
const cdp = await page.context().newCDPSession(page);
const w = page.locator(`[data-widget="${id}"]`);
await ready(page, id);
await page.waitForTimeout(300);
const acts = {
  act: spec.act,
  run: spec.run,
  bit: async (x) => x.locator('[data-bit="12"]').first().click(),
  switch: async (x) => x.getByTestId('pe-step-switch').click(),
  write: async (x) => x.getByTestId('fc-page-1-data').click(),
  // preemption: a timer period of 1,000,000, the boot switch, then a search for the next
  // switch longer than its 200,000-step budget (session 8: sliced in time).
  seek: async (x) => {
    await x.getByTestId('pe-period').fill('1000000');
    await x.getByTestId('pe-step-switch').click();
    await x.getByTestId('pe-step-switch').click();
    await x.page().waitForTimeout(500);
  },
  type: async (x) => { await x.getByTestId('fe-source').focus(); await x.page().keyboard.insertText(' '); },
};
const totals = [];
const parts = [];
for (let rep = 0; rep < +(process.env.REPS ?? 3); rep++) {
  const events = [];
  const collect = (e) => events.push(...e.value);
  cdp.on('Tracing.dataCollected', collect);
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  await acts[mode](w);
  await page.waitForTimeout(400);
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.end');
  await done;
  cdp.off('Tracing.dataCollected', collect);
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain'
    && events.some((x) => x.pid === e.pid && x.tid === e.tid && x.name === 'EventDispatch'));
  const mine = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
  const tasks = mine.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask').sort((a, b) => a.ts - b.ts);
  const t0 = tasks.find((t) => mine.some((e) => e.name === 'EventDispatch' && e.ts >= t.ts && e.ts < t.ts + t.dur))?.ts ?? 0;
  const win = tasks.filter((t) => t.ts >= t0 && t.ts < t0 + 100000);
  totals.push(+(win.reduce((a, t) => a + (t.tdur ?? t.dur), 0) / 1000).toFixed(1));
  const inWin = mine.filter((e) => e.ts >= t0 && e.ts < t0 + 100000);
  const sum = (n) => +(inWin.filter((e) => e.name === n).reduce((a, e) => a + e.dur, 0) / 1000).toFixed(1);
  parts.push({ script: sum('EventDispatch') + sum('TimerFire') + sum('FireAnimationFrame'), style: sum('UpdateLayoutTree'), layout: sum('Layout'), prepaint: sum('PrePaint'), paint: sum('Paint'), gc: sum('MinorGC') + sum('MajorGC') });
  if (process.env.QUIET) continue;
  // The biggest tasks, each split into its direct children by name.
  const big = [...tasks].sort((a, b) => b.dur - a.dur).slice(0, 3);
  for (const t of big) {
    const kids = mine.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur);
    const by = {};
    for (const k of ['FunctionCall', 'TimerFire', 'EventDispatch', 'FireAnimationFrame', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'ParseHTML', 'MajorGC', 'MinorGC', 'V8.GC_SCAVENGER', 'HitTest', 'IntersectionObserverController::computeIntersections', 'UpdateLayer', 'Commit']) {
      const xs = kids.filter((e) => e.name === k);
      if (xs.length) by[k] = +(xs.reduce((a, e) => a + e.dur, 0) / 1000).toFixed(1);
    }
    const types = [...new Set(kids.filter((e) => e.name === 'EventDispatch').map((e) => e.args?.data?.type))].join(',');
    console.log(`rep ${rep}: task ${(t.dur / 1000).toFixed(1)} ms wall, ${((t.tdur ?? t.dur) / 1000).toFixed(1)} CPU${types ? ` (events: ${types})` : ''}:`, JSON.stringify(by));
    if (process.env.ALL) {
      // ALL=1: every event in the task by name, in self time (its time less its children's),
      // to find what the named parts above leave out.
      const inside = kids.filter((e) => e.dur > 0).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
      const selfBy = {};
      for (const e of inside) {
        const child = inside.filter((c) => c !== e && c.ts >= e.ts && c.ts + c.dur <= e.ts + e.dur
          && !inside.some((m) => m !== e && m !== c && m.ts >= e.ts && m.ts + m.dur <= e.ts + e.dur && c.ts >= m.ts && c.ts + c.dur <= m.ts + m.dur && m.dur > c.dur));
        const own = e.dur - child.reduce((a, c) => a + c.dur, 0);
        selfBy[e.name] = (selfBy[e.name] ?? 0) + own / 1000;
      }
      const top = inside.filter((e) => !inside.some((m) => m !== e && m.ts <= e.ts && m.ts + m.dur >= e.ts + e.dur && m.dur > e.dur));
      const covered = top.reduce((a, e) => a + e.dur, 0) / 1000;
      console.log(`    uncovered by any event: ${(t.dur / 1000 - covered).toFixed(1)} ms; self time by event:`,
        JSON.stringify(Object.fromEntries(Object.entries(selfBy).filter(([, v]) => v >= 0.2).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +v.toFixed(1)]))));
    }
  }
}
for (const k of Object.keys(parts[0] ?? {})) console.log(`  ${k}: median ${[...parts.map((p) => p[k])].sort((a, b) => a - b)[Math.floor(parts.length / 2)]} ms (wall)`);
console.log('CPU ms in the 100 ms from the first input task, per rep:', totals.join(' '), 'median', [...totals].sort((a, b) => a - b)[Math.floor(totals.length / 2)]);
await browser.close();
await server.close();
