// Makes the site to copy to a static host out of a release build (`trunk build --release`):
// every file of the build, brotli and gzip copies beside each text and wasm file
// (scripts/compress.mjs), and a `_headers` file with the headers the site needs. It refuses a
// build that carries Trunk's live-reload client (an inline script that `trunk serve` adds, which
// a strict Content-Security-Policy blocks and which tries to reach the dev server).
//
// Usage: node scripts/publish.mjs BUILD SITE   (scripts/publish.sh runs it)
import fs from 'node:fs';
import path from 'node:path';
import { compressDir, walk } from './compress.mjs';

/** The policy the page is tested under (tests/e2e/csp.test.mjs), plus what a header adds. */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/** Trunk's and the prerenderer's content-hashed names: `name-0123456789abcdef.ext`, `..._bg.wasm`. */
export const HASHED = /-[0-9a-f]{8,16}(_bg)?\.[a-z0-9]+$/;

/** The `_headers` text for the files of a site (relative paths). */
export function headersFile(files) {
  const lines = [
    '# Headers for a static host (Netlify and Cloudflare Pages read this file; for others see',
    '# the README, "Publishing"). Each file gets exactly one Cache-Control.',
    '/*',
    `  Content-Security-Policy: ${CSP}`,
    '  X-Content-Type-Options: nosniff',
    '  Referrer-Policy: no-referrer',
    '',
    '# The page itself: always revalidated, so a new build is seen at once.',
    '/',
    '  Cache-Control: no-cache',
    '/index.html',
    '  Cache-Control: no-cache',
  ];
  const assets = files.filter((f) => f !== 'index.html' && f !== '_headers' && !/\.(br|gz)$/.test(f));
  const hashed = assets.filter((f) => HASHED.test(f));
  const other = assets.filter((f) => !HASHED.test(f));
  if (hashed.length) {
    lines.push('', '# Named by a hash of their contents: a new build gives new names, so cache them for good.');
    for (const f of hashed) {
      lines.push(`/${f}`, '  Cache-Control: public, max-age=31536000, immutable');
      if (f.endsWith('.wasm')) lines.push('  Content-Type: application/wasm');
    }
  }
  if (other.length) {
    lines.push('', '# Not hashed: revalidate.');
    for (const f of other) lines.push(`/${f}`, '  Cache-Control: no-cache');
  }
  return `${lines.join('\n')}\n`;
}

/** Why `html` cannot be published as it is, or null. */
export function problem(html) {
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) {
    return 'index.html has an inline <script> (Trunk\'s live-reload client from `trunk serve`, or a boot script the prerender step did not move out): a strict CSP blocks it. Build with `trunk build --release` (scripts/publish.sh does).';
  }
  if (html.includes('.well-known/trunk')) return 'index.html talks to Trunk\'s dev server';
  if (!html.includes('data-prerendered')) return 'index.html has no prerendered article (the post-build hook did not run)';
  return null;
}

/** Builds SITE from BUILD; returns the list of files written. */
export function publish(build, site) {
  const html = fs.readFileSync(path.join(build, 'index.html'), 'utf8');
  const why = problem(html);
  if (why) throw new Error(`${build}: ${why}`);
  if (fs.existsSync(site)) {
    const old = fs.readdirSync(site);
    if (old.length && !old.includes('_headers')) throw new Error(`${site} exists and is not a site this script made; not touching it`);
    fs.rmSync(site, { recursive: true });
  }
  const files = walk(build).filter((f) => !/\.(br|gz)$/.test(f));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(site, f)), { recursive: true });
    fs.copyFileSync(path.join(build, f), path.join(site, f));
  }
  fs.writeFileSync(path.join(site, '_headers'), headersFile(files));
  compressDir(site);
  return walk(site);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [build, site] = process.argv.slice(2);
  if (!build || !site) {
    console.error('usage: node scripts/publish.mjs BUILD SITE');
    process.exit(2);
  }
  try {
    const files = publish(build, site);
    const bytes = files.reduce((n, f) => n + fs.statSync(path.join(site, f)).size, 0);
    console.log(`publish: ${files.length} files (${(bytes / 1024).toFixed(1)} KiB with the compressed copies) in ${site}`);
  } catch (e) {
    console.error(`publish: ${e.message}`);
    process.exit(1);
  }
}
