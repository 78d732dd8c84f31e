// Measures the release build (dist/): file sizes raw and gzip -9, the total transferred on a
// first load served compressed from loopback, first contentful paint, and the time from
// navigation until the widgets are interactive, without and with 4x CPU throttling.
// Usage: node scripts/measure.mjs [dist]   (run scripts/test.sh or trunk build --release first)
// This is a benchmark, not a test: it reports numbers and asserts nothing.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve } from '../tests/e2e/server.mjs';
import { launch } from '../tests/e2e/browser.mjs';

const dist = process.argv[2] ?? 'dist';
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

const files = fs.readdirSync(dist).map((f) => {
  const body = fs.readFileSync(path.join(dist, f));
  return { file: f, raw: body.length, gzip: zlib.gzipSync(body, { level: 9 }).length };
});
console.log('file sizes (raw / gzip -9):');
for (const f of files) console.log(`  ${f.file.padEnd(40)} ${kb(f.raw).padStart(11)} ${kb(f.gzip).padStart(11)}`);
const tot = files.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
console.log(`  ${'total'.padEnd(40)} ${kb(tot.raw).padStart(11)} ${kb(tot.gzip).padStart(11)}`);

const server = await serve(dist);
const browser = await launch();

async function load(throttle, runs = 5) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const page = await browser.context.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
    let transferred = 0;
    cdp.on('Network.loadingFinished', (e) => { transferred += e.encodedDataLength; });
    await page.goto(`${server.url}/`);
    await page.locator('[data-testid="ts-tasks"]').waitFor();
    const t = await page.evaluate(() => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
      return { interactive: performance.now(), fcp };
    });
    // Let late requests finish before reading the byte count.
    await page.waitForLoadState('networkidle');
    out.push({ ...t, transferred });
    await page.close();
  }
  const med = (k) => out.map((o) => o[k]).sort((a, b) => a - b)[Math.floor(out.length / 2)];
  return { interactive: med('interactive'), fcp: med('fcp'), transferred: med('transferred') };
}

for (const throttle of [1, 4]) {
  const r = await load(throttle);
  console.log(`CPU throttling ${throttle}x (median of 5 cold loads): transferred ${kb(r.transferred)}, ` +
    `first contentful paint ${r.fcp?.toFixed(0)} ms, widgets interactive ${r.interactive.toFixed(0)} ms`);
}
await browser.close();
await server.close();
