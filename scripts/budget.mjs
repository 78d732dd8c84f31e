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

/** Whether a file is fetched after the first view: the app (src/main.rs: its glue, the parts'
 * loader, its main module, and one part per widget family, src/split.rs), which the boot script
 * fetches as the reader approaches a widget (each part when the first of its widgets is
 * mounted); the first view has the shell (src/shell.rs, the table of contents). */
// Trunk names files by a 64-bit hash printed without leading zeros, so it can be shorter than 16 digits.
export const LATER = (f) => /^youcpu-(web|split)-[0-9a-f]{8,16}(_bg\.wasm|\.js)$/.test(f) || PART(f) || PROGRAM(f);

/** One widget family's part of the app (tools/youcpu-split), by family name. */
export const PART = (f, family = '[a-z]+') => new RegExp(`^youcpu-part-${family}-[0-9a-f]{16}\\.wasm$`).test(f);

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
  // 9 (was 8), session 9: the loader of the family parts (0.8 KiB) beside the glue.
  'app js': [(f) => f.endsWith('.js'), 9 * KiB],
  // Session 9: the app's wasm split by widget family (issue #18, tools/youcpu-split). The parts
  // first, each with its own budget; the main module (Yew, the simulator core and every piece of
  // code more than one family uses) after. Measured when the split landed: cpu 57.5, sched
  // 100.7, exec 110.8, paging 91.8, programs 55.5 KiB, main 424.5 KiB; 5 to 8% headroom. The app
  // in one module was 749.7 KiB of 755 before (ac278e0).
  'cpu part': [(f) => PART(f, 'cpu'), 62 * KiB],
  'sched part': [(f) => PART(f, 'sched'), 108 * KiB],
  'exec part': [(f) => PART(f, 'exec'), 118 * KiB],
  'paging part': [(f) => PART(f, 'paging'), 98 * KiB],
  'programs part': [(f) => PART(f, 'programs'), 60 * KiB],
  // History of the app's single module: 745 (was 660): the three widgets of issue #19
  // (your-program with the kernel's narration, ld-so with linux::ldso's ELF reading, signals
  // with linux::sigwatch), the nice drag and narrow layouts of issue #16, the time-budgeted
  // slices of issue #18, and the kernel's page cache, file calls and queued signals (issue #17);
  // 755 (was 745), session 8: your-program's opened moment, the x87 pointer images, the
  // kernel's fault-in, madvise and in-memory links; 747.2 KiB measured.
  // A part without a budget of its own falls to 'other' and fails: give it one above.
  'app main wasm': [(f) => /^youcpu-web-[0-9a-f]{8,16}_bg\.wasm$/.test(f), 450 * KiB],
  other: [() => true, 2 * KiB],
};

// 112 (was 105): the HTML above (the bound for the first view is 250 KiB); 107.0 KiB
// measured.
export const FIRST_VIEW = 112 * KiB;
// 860 (was 770): as 'html' and 'app wasm' above; 841.6 KiB measured. 870 (was 860), session 8:
// as 'app wasm' above; 862.4 KiB measured. 1000 (was 870), session 9: the split by family
// costs 91 KiB over the single module (each part calls the main module's functions through
// stubs and the function table, the main module exports what the parts use, and wasm-opt no
// longer optimises across the boundary); 956.9 KiB measured (864.7 before, ac278e0). A reader
// pays it only by reading every part; the first widget now needs the main module and one part
// (482 KiB for the CPU family) instead of 750 KiB.
export const SITE = 1000 * KiB;

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
    console.log(`budget: ${name.padEnd(13)} ${fmt(br)} brotli (gzip ${fmt(gz).trim()}) of ${(budget / KiB).toFixed(0)} KiB ${ok ? 'ok' : 'OVER BUDGET'}`);
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
