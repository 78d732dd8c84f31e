// Holds the release build (dist/, or a site from scripts/publish.sh) to its size budgets, in
// brotli (quality 11) bytes, what a browser is sent (the servers send the .br copies the build
// writes). Sizes are deterministic for a given build (timings are not, so they are measured by
// scripts/measure.mjs and never tested); a build over budget fails the test command with what
// grew. It also checks that every text and wasm asset ships compressed: FILE.br and FILE.gz
// beside it (scripts/compress.mjs), each decompressing to FILE's bytes.
//
// Two totals: the first view (what a reader who opens the page at its top downloads before the
// widgets in view are live: the page, its style and scripts, and the wasm those widgets need)
// and the whole site (every asset). Each is stated with its history in docs/performance.md; a
// budget changes only with a reason in the commit.
// Usage: node scripts/budget.mjs [dist]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { brotli, gzip, walk, compressible } from './compress.mjs';

const KiB = 1024;

/** Whether a file is fetched after the first view: the app (src/main.rs, the simulator and every
 * widget), which the boot script fetches as the reader approaches a widget; the first view has
 * the shell (src/shell.rs, the table of contents). */
// Trunk names files by a 64-bit hash printed without leading zeros, so it can be shorter than 16 digits.
export const LATER = (f) => /^youcpu-web-[0-9a-f]{8,16}(_bg\.wasm|\.js)$/.test(f) || PROGRAM(f);

/** The example programs (web/programs): fetched only when a reader picks one in a widget. */
export const PROGRAM = (f) => f.startsWith('programs/');

// kind: [which files, brotli budget in bytes]. Every asset is of the first kind that takes it.
export const KINDS = {
  // musl's dynamic loader (libc.so: 687 KiB raw, 349 KiB brotli) is most of it; each example is
  // 2-16 KiB brotli. 450 (was 420): the small shell (bin/sh, issue #19) that starts hello-dyn in
  // the run the epilogue tells (tests/it/run_facts.rs runs it; the page does not fetch it yet),
  // and the signals widget's program (sigframe, 14 KiB), fetched only by that widget. 468 (was
  // 450): the share example (16 KiB), two processes the timer switches between in your-program.
  programs: [PROGRAM, 468 * KiB],
  // 88 (was 80): the article's new part 7 (Your program), Part 4's "Before main" and Part 6's
  // signals (issue #19), and the exec widgets' pictures in the prerendered page (issue #16);
  // 83.0 KiB measured when they landed together.
  html: [(f) => f.endsWith('.html'), 88 * KiB],
  // 12 (was 10): the styles of the three widgets of issue #19 (your-program, ld-so, signals).
  css: [(f) => f.endsWith('.css'), 12 * KiB],
  'first js': [(f) => f.endsWith('.js') && !LATER(f), 5 * KiB],
  'first wasm': [(f) => f.endsWith('.wasm') && !LATER(f), 11 * KiB],
  'app js': [(f) => f.endsWith('.js'), 8 * KiB],
  // 745 (was 660): the three widgets of issue #19 (your-program with the kernel's narration,
  // ld-so with linux::ldso's ELF reading, signals with linux::sigwatch), the nice drag and
  // narrow layouts of issue #16, the time-budgeted slices of issue #18, and the kernel's page
  // cache, file calls and queued signals (issue #17); 727.8 KiB measured when they landed
  // together (docs/performance.md). 755 (was 745), session 8: your-program's opened moment
  // embeds fetch-execute's stepper (issue #19, +3.8 KiB), the x87 pointer images and their
  // 16-bit forms and the unmasked-SSE rules (issue #21), the kernel's fault-in of file pages,
  // madvise and the in-memory symbolic links (issue #17); 747.2 KiB measured when they landed
  // together. The next growth calls for a split of the wasm by widget family (issue #18).
  'app wasm': [(f) => f.endsWith('.wasm'), 755 * KiB],
  other: [() => true, 2 * KiB],
};

// 112 (was 105): the HTML above (the bound for the first view is 250 KiB); 107.0 KiB
// measured.
export const FIRST_VIEW = 112 * KiB;
// 860 (was 770): as 'html' and 'app wasm' above; 841.6 KiB measured. 870 (was 860), session 8:
// as 'app wasm' above; 862.4 KiB measured.
export const SITE = 870 * KiB;

/** The assets of a build: every file but the compressed copies and the `_headers` list. */
export function assets(dir) {
  return walk(dir).filter((f) => !/\.(br|gz)$/.test(f) && path.basename(f) !== '_headers');
}

/** Measures `dir`: per asset raw, gzip -9 and brotli 11 bytes, and what is wrong with its compressed copies. */
export function measure(dir) {
  return assets(dir).map((f) => {
    const bytes = fs.readFileSync(path.join(dir, f));
    const row = { file: f, raw: bytes.length, gz: gzip(bytes).length, br: brotli(bytes, path.extname(f)).length, problems: [] };
    if (compressible(f)) {
      for (const [ext, unpack, packed] of [['.br', zlib.brotliDecompressSync, row.br], ['.gz', zlib.gunzipSync, row.gz]]) {
        const copy = path.join(dir, f + ext);
        if (!fs.existsSync(copy)) {
          // compress.mjs writes no copy that would be larger than the file itself.
          if (packed >= bytes.length) continue;
          row.problems.push(`no ${f}${ext} beside it`);
        } else if (!unpack(fs.readFileSync(copy)).equals(bytes)) {
          row.problems.push(`${f}${ext} is not ${f} compressed (stale?)`);
        }
      }
    }
    return row;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'dist';
  const rows = measure(dir);
  let failed = false;
  const fmt = (n) => `${(n / KiB).toFixed(1).padStart(7)} KiB`;
  const line = (name, list, budget) => {
    const br = list.reduce((n, r) => n + r.br, 0);
    const gz = list.reduce((n, r) => n + r.gz, 0);
    const ok = br <= budget;
    failed ||= !ok;
    console.log(`budget: ${name.padEnd(11)} ${fmt(br)} brotli (gzip ${fmt(gz).trim()}) of ${(budget / KiB).toFixed(0)} KiB ${ok ? 'ok' : 'OVER BUDGET'}`);
  };
  const claimed = new Set();
  for (const [kind, [test, budget]] of Object.entries(KINDS)) {
    const mine = rows.filter((r) => !claimed.has(r.file) && test(r.file));
    mine.forEach((r) => claimed.add(r.file));
    if (mine.length === 0) {
      if (kind !== 'other') {
        console.error(`budget: no ${kind} file in ${dir}`);
        failed = true;
      }
      continue;
    }
    line(kind, mine, budget);
  }
  line('first view', rows.filter((r) => !LATER(r.file)), FIRST_VIEW);
  // The whole site is the page and its code; the example programs have their own budget above.
  line('whole site', rows.filter((r) => !PROGRAM(r.file)), SITE);
  for (const r of rows) {
    for (const p of r.problems) {
      console.error(`budget: not shipped compressed: ${p}`);
      failed = true;
    }
  }
  if (failed) {
    console.error('budget: the build grew past its budget or does not ship compressed (docs/performance.md says what to cut)');
    process.exit(1);
  }
}
