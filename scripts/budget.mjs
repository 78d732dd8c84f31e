// Holds the release build (dist/) to its size budgets: gzip -9 sizes, which are deterministic
// for a given build (timings are not, so they are measured by scripts/measure.mjs and never
// tested). The budgets leave about 10% headroom over the sizes measured when they were set
// (docs/performance.md); a build over budget fails the test command with what grew.
// Usage: node scripts/budget.mjs [dist]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const KiB = 1024;
// kind: [file-name test, gzip budget in bytes]
const BUDGETS = {
  wasm: [(f) => f.endsWith('.wasm'), 750 * KiB],
  js: [(f) => f.endsWith('.js'), 10 * KiB],
  css: [(f) => f.endsWith('.css'), 10 * KiB],
  html: [(f) => f.endsWith('.html'), 60 * KiB],
};
const TOTAL = 825 * KiB;

const dist = process.argv[2] ?? 'dist';
const files = fs.readdirSync(dist).filter((f) => fs.statSync(path.join(dist, f)).isFile());
let total = 0;
let failed = false;
for (const [kind, [test, budget]] of Object.entries(BUDGETS)) {
  const mine = files.filter(test);
  if (mine.length === 0) {
    console.error(`budget: no ${kind} file in ${dist}`);
    failed = true;
    continue;
  }
  const gz = mine.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length, 0);
  total += gz;
  const ok = gz <= budget;
  failed ||= !ok;
  console.log(`budget: ${kind.padEnd(4)} ${(gz / KiB).toFixed(1).padStart(7)} KiB gzip of ${(budget / KiB).toFixed(0)} KiB ${ok ? 'ok' : 'OVER BUDGET'}`);
}
const ok = total <= TOTAL;
failed ||= !ok;
console.log(`budget: all  ${(total / KiB).toFixed(1).padStart(7)} KiB gzip of ${(TOTAL / KiB).toFixed(0)} KiB ${ok ? 'ok' : 'OVER BUDGET'}`);
if (failed) {
  console.error('budget: the first load grew past its budget (see docs/performance.md for what to cut)');
  process.exit(1);
}
