// The interpreter bench in the browser: the integer loop of crates/youcpu-core/benches/cpu.rs
// (7 guest instructions per iteration: ALU, a store and a load through the MMU, a shift, a
// counted branch), built for wasm32 at opt-level 3 as the bench builds it for Node, run in
// headless Chromium three ways, and reported in M guest instructions per second:
//  - main thread, one task: the whole workload in one call (what a page must never do);
//  - main thread, sliced: slices of SLICE_MS milliseconds (crates/youcpu-web/src/ui/run.rs),
//    each in its own timer task, as the widgets run their long simulations;
//  - a Web Worker: the same module in a worker, one call, off the main thread.
// The page is served with a strict CSP (`worker-src 'self'`), as the article is.
// Usage: node scripts/bench-browser.mjs [--throttle N]   (needs rustup's wasm32 target, Chromium)
// A benchmark: it reports, asserts nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { launch } from '../tests/e2e/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const throttleAt = args.indexOf('--throttle');
const throttle = throttleAt >= 0 ? Number(args[throttleAt + 1]) : 1;
const SLICE_MS = 8;
const ITERATIONS = 2_000_000; // 14 M guest instructions

// Build: the core for wasm32 (release), then the bench file against it, as benches/cpu.rs does.
const target = path.join(os.tmpdir(), `youcpu-bench-browser-${path.basename(root)}`);
execFileSync('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'youcpu-core', '--lib',
  '--manifest-path', path.join(root, 'Cargo.toml')], { stdio: 'inherit', env: { ...process.env, CARGO_TARGET_DIR: target } });
const deps = path.join(target, 'wasm32-unknown-unknown/release/deps');
const rlib = fs.readdirSync(deps).filter((f) => f.startsWith('libyoucpu_core-') && f.endsWith('.rlib'))
  .map((f) => path.join(deps, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
const wasmPath = path.join(target, 'cpu_bench_browser.wasm');
execFileSync('rustc', ['--edition', '2021', '-C', 'opt-level=3', '--target', 'wasm32-unknown-unknown',
  path.join(root, 'crates/youcpu-core/benches/cpu.rs'), '-L', deps, '-L', path.join(target, 'release/deps'),
  '--extern', `youcpu_core=${rlib}`, '-o', wasmPath], { stdio: 'inherit' });
const wasm = fs.readFileSync(wasmPath);

const page = `<!doctype html><meta charset="utf-8"><title>bench</title><script src="/main.js"></script>`;
// Shared by the page and the worker: instantiate, then run the loop whole or in timed slices.
const common = `
async function load() {
  const { instance } = await WebAssembly.instantiate(await (await fetch('/bench.wasm')).arrayBuffer(), {});
  return instance.exports;
}
function whole(x, iterations) {
  x.bench_start(iterations);
  const t = performance.now();
  while (x.bench_slice(0xffffffff) >= 0) {}
  return { ms: performance.now() - t, instructions: iterations * 7 + 3 };
}
`;
const main = `${common}
const yieldTask = () => new Promise((r) => setTimeout(r, 0));
async function sliced(x, iterations, sliceMs) {
  x.bench_start(iterations);
  const t = performance.now();
  let slices = 0, longest = 0, busy = 0;
  for (;;) {
    const s = performance.now();
    let done = false;
    // Check the clock every 20,000 guest instructions (about a quarter of a millisecond).
    while (performance.now() - s < sliceMs) { if (x.bench_slice(20000) < 0) { done = true; break; } }
    const d = performance.now() - s;
    slices++; busy += d; longest = Math.max(longest, d);
    if (done) break;
    await yieldTask();
  }
  return { ms: performance.now() - t, busy, slices, longest, instructions: iterations * 7 + 3 };
}
window.bench = async (iterations, sliceMs) => {
  const x = await load();
  whole(x, 100000); // warm up the JIT tiers
  const one = whole(x, iterations);
  const sl = await sliced(x, iterations, sliceMs);
  const worker = await new Promise((resolve, reject) => {
    const w = new Worker('/worker.js');
    w.onmessage = (e) => resolve(e.data);
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage(iterations);
  });
  return { one, sliced: sl, worker };
};
`;
const worker = `${common}
onmessage = async (e) => {
  const x = await load();
  whole(x, 100000);
  postMessage(whole(x, e.data));
};
`;
const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'";
const server = http.createServer((req, res) => {
  const send = (type, body) => { res.writeHead(200, { 'content-type': type, 'content-security-policy': csp }); res.end(body); };
  if (req.url === '/') send('text/html', page);
  else if (req.url === '/main.js') send('text/javascript', main);
  else if (req.url === '/worker.js') send('text/javascript', worker);
  else if (req.url === '/bench.wasm') send('application/wasm', wasm);
  else { res.writeHead(404); res.end(); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await launch();
const p = await browser.context.newPage();
const errors = [];
p.on('pageerror', (e) => errors.push(e.message));
if (throttle !== 1) await (await p.context().newCDPSession(p)).send('Emulation.setCPUThrottlingRate', { rate: throttle });
await p.goto(`http://127.0.0.1:${server.address().port}/`);
const rate = (r) => (r.instructions / r.ms / 1000).toFixed(1);
for (let run = 0; run < 3; run++) {
  const r = await p.evaluate(([n, ms]) => window.bench(n, ms), [ITERATIONS, SLICE_MS]);
  console.log(`run ${run + 1} (CPU ${throttle}x, ${(r.one.instructions / 1e6).toFixed(0)} M guest instructions): `
    + `main thread one task ${rate(r.one)} M/s (${r.one.ms.toFixed(0)} ms task); `
    + `main thread in ${SLICE_MS} ms slices ${rate(r.sliced)} M/s wall (${r.sliced.slices} slices, longest ${r.sliced.longest.toFixed(1)} ms, `
    + `${(r.sliced.instructions / r.sliced.busy / 1000).toFixed(1)} M/s while computing); worker ${rate(r.worker)} M/s`);
}
if (errors.length) console.log('page errors:', errors);
await browser.close();
server.close();
