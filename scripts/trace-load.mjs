// Where a cold load's main-thread time goes before any wasm runs: traces the page's load at
// THROTTLE (default 4x) CPU at a phone's 412 x 823 (WIDTH/HEIGHT to change), and sums the
// main thread's trace events by kind (parse HTML, style, layout, pre-paint, paint, script)
// until `youcpu-live` (or 5 s), with the long tasks (over 50 ms). Median of REPS (3) loads.
// A tool for finding what to cut in the prerendered page; it asserts nothing.
// Usage: [TASKS=1 (each long task)] [REPS=3] [THROTTLE=4] [WIDTH=412] [HEIGHT=823] node scripts/trace-load.mjs DIST [#HASH]
import { serve } from '../tests/e2e/server.mjs';
import { launch } from '../tests/e2e/browser.mjs';

const [dist = 'dist', hash = ''] = process.argv.slice(2);
const reps = +(process.env.REPS ?? 3);
const rate = +(process.env.THROTTLE ?? 4);
const width = +(process.env.WIDTH ?? 412);
const height = +(process.env.HEIGHT ?? 823);
const server = await serve(dist);
const browser = await launch();
const KINDS = {
  ParseHTML: 'parse HTML', UpdateLayoutTree: 'style', Layout: 'layout', PrePaint: 'pre-paint',
  Paint: 'paint', Layerize: 'layerize', FunctionCall: 'script', EvaluateScript: 'script',
  'v8.compile': 'compile', 'v8.wasm.compiledModule': 'wasm compile', TimerFire: 'script',
  ParseAuthorStyleSheet: 'parse CSS', HitTest: 'hit test', 'IntersectionObserverController::computeIntersections': 'intersections',
};
const runs = [];
for (let r = 0; r < reps; r++) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const done = new Promise((res) => cdp.once('Tracing.tracingComplete', res));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8', transferMode: 'ReportEvents' });
  await page.goto(`${server.url}/${hash}`);
  await page.waitForFunction(() => document.documentElement.dataset.live, null, { timeout: 30000 }).catch(() => {});
  await page.waitForTimeout(300);
  await cdp.send('Tracing.end');
  await done;
  const start = events.find((e) => e.name === 'TracingStartedInBrowser' || e.name === 'navigationStart')?.ts ?? 0;
  // the renderer's main thread that parsed the page (the one with the most ParseHTML time)
  const parse = {};
  for (const e of events) if (e.name === 'ParseHTML' && e.dur) parse[`${e.pid}:${e.tid}`] = (parse[`${e.pid}:${e.tid}`] ?? 0) + e.dur;
  const main = Object.entries(parse).sort((a, b) => b[1] - a[1])[0]?.[0];
  const mine = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.dur);
  const sums = {};
  // self time of the outermost event of a known kind (nested kinds counted once, the inner)
  const stack = [];
  mine.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  for (const e of mine) {
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    const kind = KINDS[e.name];
    if (kind) {
      sums[kind] = (sums[kind] ?? 0) + e.dur / 1000;
      const outer = [...stack].reverse().find((s) => KINDS[s.name]);
      if (outer) sums[KINDS[outer.name]] -= e.dur / 1000;
    }
    stack.push(e);
  }
  // each long task with its kinds' time (outermost known kind of each event, as above)
  const tasks = mine.filter((e) => e.name === 'RunTask' && e.dur > 50000).map((t) => {
    const inner = {};
    for (const e of mine) {
      if (e.ts < t.ts || e.ts >= t.ts + t.dur || !KINDS[e.name]) continue;
      inner[KINDS[e.name]] = (inner[KINDS[e.name]] ?? 0) + e.dur / 1000;
    }
    const parts = Object.entries(inner).filter(([, v]) => v >= 5).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ');
    return `${Math.round(t.dur / 1000)}@${Math.round((t.ts - start) / 1000)} (${parts})`;
  });
  const layouts = mine.filter((e) => e.name === 'Layout' && e.dur > 20000).map((e) => `${Math.round(e.dur / 1000)}ms/${e.args?.beginData?.dirtyObjects}of${e.args?.beginData?.totalObjects}@${Math.round((e.ts - start) / 1000)}`);
  const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
  const long = mine.filter((e) => e.name === 'RunTask' && e.dur > 50000).map((e) => e.dur / 1000);
  const tbt = long.reduce((a, d) => a + d - 50, 0);
  const longest = Math.max(0, ...long);
  runs.push({ sums, tasks, layouts, elements, tbt, longest });
  await page.close();
}
const kinds = [...new Set(runs.flatMap((r) => Object.keys(r.sums)))];
const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
console.log(`${dist} ${hash} at ${rate}x, ${width} x ${height}, ${reps} loads; elements ${runs[0].elements}`);
console.log(`  longest task ${Math.round(med(runs.map((r) => r.longest)))} ms, blocking time ${Math.round(med(runs.map((r) => r.tbt)))} ms (medians; each: ${runs.map((r) => `${Math.round(r.longest)}/${Math.round(r.tbt)}`).join(' ')})`);
for (const k of kinds.sort()) console.log(`  ${k.padEnd(14)} ${Math.round(med(runs.map((r) => r.sums[k] ?? 0)))} ms`);
if (process.env.TASKS) for (const r of runs) console.log(`  long tasks: ${r.tasks.join('; ')}\n  layouts over 20 ms: ${r.layouts.join(' ')}`);
await browser.close();
await server.close();
