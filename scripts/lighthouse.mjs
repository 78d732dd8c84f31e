// Runs Lighthouse (npm lighthouse@12.2.3, on Node 20) against the release build served from
// loopback, with Debian's Chromium, and prints the four category scores and every audit that
// did not pass in accessibility, best practices and SEO.
// Usage: node scripts/lighthouse.mjs [dist] [--desktop] [--json FILE] [--at #HASH]
// (--at: the page opened at a link into it, e.g. #widget-page-walk)
// Lighthouse is installed on first use into ~/.cache/youcpu-lighthouse (not a project
// dependency: it is a measuring tool, and the test command does not run it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { serve } from '../tests/e2e/server.mjs';

const VERSION = '12.2.3';
const args = process.argv.slice(2);
const desktop = args.includes('--desktop');
const jsonAt = args.indexOf('--json');
const jsonOut = jsonAt >= 0 ? args[jsonAt + 1] : null;
const atAt = args.indexOf('--at');
const at = atAt >= 0 ? args[atAt + 1] : '';
const dist = args.find((a, i) => !a.startsWith('--') && !['--json', '--at'].includes(args[i - 1])) ?? 'dist';

const cache = path.join(os.homedir(), '.cache', 'youcpu-lighthouse');
const cli = path.join(cache, 'node_modules', 'lighthouse', 'cli', 'index.js');
const installed = () => {
  try {
    return JSON.parse(fs.readFileSync(path.join(cache, 'node_modules', 'lighthouse', 'package.json'))).version === VERSION;
  } catch {
    return false;
  }
};
if (!installed()) {
  fs.mkdirSync(cache, { recursive: true });
  console.error(`installing lighthouse@${VERSION} into ${cache}…`);
  execFileSync('npm', ['i', '--no-save', '--no-audit', '--no-fund', '--prefix', cache, `lighthouse@${VERSION}`], { stdio: 'inherit' });
}

const server = await serve(dist);
const out = path.join(os.tmpdir(), `youcpu-lighthouse-${process.pid}.json`);
try {
  // Asynchronously: the server answers from this process's event loop.
  await new Promise((resolve, reject) => {
    const lh = spawn(process.execPath, [
      cli, `${server.url}/${at}`,
      '--output=json', `--output-path=${out}`, '--quiet',
      '--only-categories=performance,accessibility,best-practices,seo',
      '--chrome-flags=--headless=new --no-sandbox --disable-gpu',
      ...(desktop ? ['--preset=desktop'] : []),
    ], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CHROME_PATH: process.env.CHROMIUM ?? '/usr/bin/chromium' } });
    lh.on('error', reject);
    lh.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lighthouse exited with ${code}`))));
  });
} finally {
  await server.close();
}
const lhr = JSON.parse(fs.readFileSync(out, 'utf8'));
if (process.env.KEEP) fs.copyFileSync(out, process.env.KEEP);
fs.rmSync(out, { force: true });
console.log(`Lighthouse ${lhr.lighthouseVersion}, ${desktop ? 'desktop' : 'mobile (simulated slow 4G, 4x CPU)'}${at ? `, at ${at}` : ''}:`);
const scores = {};
for (const [k, c] of Object.entries(lhr.categories)) {
  scores[k] = Math.round(c.score * 100);
  console.log(`  ${c.title.padEnd(16)} ${scores[k]}`);
}
const m = (id) => lhr.audits[id]?.displayValue ?? '-';
console.log(`  FCP ${m('first-contentful-paint')}, LCP ${m('largest-contentful-paint')}, TBT ${m('total-blocking-time')}, CLS ${m('cumulative-layout-shift')}, SI ${m('speed-index')}`);
// Which element was the largest contentful paint, and where its time went.
const lcpEl = lhr.audits['largest-contentful-paint-element']?.details?.items ?? [];
for (const table of lcpEl) {
  for (const it of table.items ?? []) {
    if (it.node) console.log(`  LCP element: ${it.node.selector} ${JSON.stringify(it.node.snippet).slice(0, 120)}`);
    else if (it.phase) console.log(`  LCP phase: ${it.phase} ${Math.round(it.timing)} ms`);
  }
}
// The longest main-thread tasks (what the blocking time is made of), with the script they ran.
const tasks = lhr.audits['long-tasks']?.details?.items ?? [];
if (tasks.length) {
  console.log(`  long tasks: ${tasks.slice(0, 8).map((t) => `${Math.round(t.duration)} ms at ${Math.round(t.startTime)} (${t.url.split('/').pop() || 'page'})`).join(', ')}`);
}
for (const cat of ['accessibility', 'best-practices', 'seo', 'performance']) {
  for (const ref of lhr.categories[cat].auditRefs) {
    const a = lhr.audits[ref.id];
    if (ref.weight > 0 && a.score !== null && a.score < 1) console.log(`  ${cat}: ${a.id}: ${a.title} (${a.displayValue ?? a.score})`);
  }
}
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ scores, audits: Object.fromEntries(['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'].map((id) => [id, m(id)])) }, null, 2));
