// Where one input's script time goes, by function: Chromium's sampling profiler (CDP
// `Profiler`) over REPS inputs, self time summed by function name. Names need a wasm that keeps
// its name section (the release build's wasm-opt strips it): build the app with cargo and
// wasm-bindgen and put it in a copy of the dist under the same file names (docs/performance.md,
// "Session 8"). A tool for finding what to cut; it asserts nothing.
// Usage: [REPS=10] node scripts/profile-cpu.mjs DIST WIDGET [act|bit|switch|write|step]
import { serve } from '../tests/e2e/server.mjs';
import { launch } from '../tests/e2e/browser.mjs';
import { WIDGETS, ready, whenLive } from '../tests/e2e/drive.mjs';

const [dist = 'dist', id = 'page-walk', mode = 'act'] = process.argv.slice(2);
const spec = WIDGETS.find((w) => w.id === id);
if (!spec) throw new Error(`no widget ${id}`);
const server = await serve(dist);
const browser = await launch();
const page = await browser.context.newPage();
await page.goto(`${server.url}/`);
await whenLive(page);
const cdp = await page.context().newCDPSession(page);
const w = page.locator(`[data-widget="${id}"]`);
await ready(page, id);
await page.waitForTimeout(300);
const tap = async (loc) => {
  const box = await loc.boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
};
const acts = {
  act: spec.act,
  bit: async (x) => tap(x.locator('[data-bit="12"]').first()),
  switch: async (x) => tap(x.getByTestId('pe-step-switch')),
  step: async (x) => tap(x.getByTestId('pe-step')),
  write: async (x) => tap(x.getByTestId('fc-page-1-data')),
};
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
await cdp.send('Profiler.start');
for (let i = 0; i < +(process.env.REPS ?? 10); i++) {
  await acts[mode](w);
  await page.waitForTimeout(350);
}
const { profile } = await cdp.send('Profiler.stop');
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
const self = new Map();
let total = 0;
for (const n of profile.nodes) {
  const t = (dt.get(n.id) ?? 0) / 1000;
  const name = n.callFrame.functionName || `(${n.callFrame.url.split("/").pop() || "anonymous"}:${n.callFrame.lineNumber + 1})`;
  if (name === '(idle)' || name === '(program)') continue;
  self.set(name, (self.get(name) ?? 0) + t);
  total += t;
}
console.log(`busy ${total.toFixed(1)} ms sampled over ${process.env.REPS ?? 10} inputs; top self times (ms):`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, +(process.env.TOP ?? 40))) console.log(`${v.toFixed(1).padStart(8)}  ${k.slice(0, 150)}`);
await browser.close();
await server.close();
