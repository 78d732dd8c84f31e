// Publishing (README, "Publishing"): the site scripts/publish.mjs makes from the release build,
// served by a plain static server that sends the files as they are and only the headers the
// site's `_headers` lists. The page loads with no console error and no CSP violation under that
// policy, every widget goes live, the wasm arrives brotli-encoded with the wasm MIME type and
// immutable caching, and the page itself is revalidated. Also: the build's own server sends the
// precompressed copies by what the request accepts, and publishing refuses a build that carries
// Trunk's live-reload script.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve, parseHeaders, headersFor, accepted } from './server.mjs';
import { launch } from './browser.mjs';
import { whenAllLive } from './drive.mjs';
import { publish, problem, CSP } from '../../scripts/publish.mjs';
import { walk, compressible } from '../../scripts/compress.mjs';

const DIST = process.env.DIST ?? 'dist';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'youcpu-site-'));
const SITE = path.join(tmp, 'site');
let site;
let dist;
let browser;

before(async () => {
  publish(DIST, SITE);
  site = await serve(SITE, { headers: true });
  dist = await serve(DIST);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await dist?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** GET `url` with an Accept-Encoding, without decoding: { status, headers, body }. */
function get(url, encoding) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: encoding === null ? {} : { 'accept-encoding': encoding } }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

const wasmName = () => fs.readdirSync(DIST).find((f) => f.endsWith('.wasm'));

test('the published site under a plain static server: strict CSP, no errors, widgets live, brotli wasm', async () => {
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const errors = [];
  const responses = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => responses.push(r));
  const main = await page.goto(`${site.url}/`);
  await whenAllLive(page);

  // The policy is the documented one and strict: scripts only from the site, wasm compiled
  // from it, nothing inline or eval'd.
  const policy = main.headers()['content-security-policy'];
  assert.equal(policy, CSP);
  const scriptSrc = policy.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
  assert.equal(scriptSrc, "script-src 'self' 'wasm-unsafe-eval'");
  assert.match(policy, /default-src 'self'/);
  assert.doesNotMatch(policy, /'unsafe-inline'|'unsafe-eval'|\*|data:/);
  assert.equal(main.headers()['cache-control'], 'no-cache');
  assert.equal(main.headers()['content-encoding'], 'br');

  // No live-reload client, no inline script, and the page came alive.
  assert.equal(await page.locator('script:not([src])').count(), 0);
  assert.ok((await page.locator('[data-widget]').count()) >= 16);
  const ts = page.locator('[data-widget="timeslice"]');
  await ts.getByTestId('ts-tasks').fill('12');
  await page.waitForFunction(() =>
    document.querySelector('[data-widget="timeslice"] [data-testid="ts-period"]')?.textContent === '9 ms');

  // The wasm: brotli on the wire, the wasm MIME type (which streaming compilation needs), cached
  // for good under its hashed name.
  const wasm = responses.find((r) => r.url().endsWith('.wasm'));
  assert.ok(wasm, 'the wasm was fetched');
  const h = wasm.headers();
  assert.equal(h['content-encoding'], 'br');
  assert.equal(h['content-type'], 'application/wasm');
  assert.equal(h['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(h['content-security-policy'], CSP);
  const served = site.requests.find((r) => r.path.endsWith('.wasm'));
  assert.equal(served.encoding, 'br');
  assert.equal(Number(h['content-length']), fs.statSync(path.join(SITE, `${served.path.slice(1)}.br`)).size);
  for (const r of responses) assert.equal(r.status(), 200, `${r.status()} ${r.url()}`);

  assert.equal(await page.locator('.panic-banner').count(), 0);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the site: every asset has brotli and gzip copies, every file one Cache-Control, _headers not served', async () => {
  const rules = parseHeaders(fs.readFileSync(path.join(SITE, '_headers'), 'utf8'));
  const files = walk(SITE).filter((f) => !/\.(br|gz)$/.test(f) && f !== '_headers');
  assert.ok(files.some((f) => f.endsWith('.wasm')) && files.includes('index.html'));
  assert.ok(files.includes('programs/lib/ld-musl-x86_64.so.1'), 'the example programs are published');
  for (const f of files) {
    const bytes = fs.readFileSync(path.join(SITE, f));
    // Every text, wasm and program file ships compressed, unless compressing would not shrink it.
    for (const [ext, unpack, pack] of [['br', zlib.brotliDecompressSync, zlib.brotliCompressSync], ['gz', zlib.gunzipSync, zlib.gzipSync]]) {
      const copy = path.join(SITE, `${f}.${ext}`);
      if (!compressible(f) || (!fs.existsSync(copy) && pack(bytes).length >= bytes.length)) continue;
      assert.ok(unpack(fs.readFileSync(copy)).equals(bytes), `${f}.${ext}`);
    }
    const hs = headersFor(rules, `/${f}`);
    assert.ok(hs['cache-control'], `no Cache-Control for ${f}`);
    assert.equal(hs['content-security-policy'], CSP);
  }
  assert.equal((await get(`${site.url}/_headers`, null)).status, 404);
});

test('the build server sends the precompressed copy the request accepts, and the file as is otherwise', async () => {
  const name = wasmName();
  const bytes = fs.readFileSync(path.join(DIST, name));
  const br = await get(`${dist.url}/${name}`, 'gzip, deflate, br, zstd');
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers.vary, 'Accept-Encoding');
  assert.ok(zlib.brotliDecompressSync(br.body).equals(bytes));
  assert.ok(br.body.length < bytes.length / 2, `${br.body.length} of ${bytes.length}`);
  const gz = await get(`${dist.url}/${name}`, 'gzip');
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(zlib.gunzipSync(gz.body).equals(bytes));
  const refused = await get(`${dist.url}/${name}`, 'gzip;q=0, br;q=0');
  assert.equal(refused.headers['content-encoding'], undefined);
  assert.ok(refused.body.equals(bytes));
  const plain = await get(`${dist.url}/${name}`, null);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.ok(plain.body.equals(bytes));
  assert.equal((await get(`${dist.url}/no-such-file.js`, 'br')).status, 404);
});

test('Accept-Encoding and _headers parsing', () => {
  assert.deepEqual([...accepted('gzip, deflate, br;q=1.0, zstd')], ['gzip', 'deflate', 'br', 'zstd']);
  assert.deepEqual([...accepted('br;q=0, gzip')], ['gzip']);
  assert.deepEqual([...accepted(undefined)], []);
  const rules = parseHeaders('# c\n/*\n  A: 1\n/x-*.wasm\n  B: 2\n  A: 3\n');
  assert.deepEqual(headersFor(rules, '/x-1.wasm'), { a: '3', b: '2' });
  assert.deepEqual(headersFor(rules, '/y.wasm'), { a: '1' });
  assert.throws(() => parseHeaders('  A: 1\n'));
});

test('publishing refuses a build from trunk serve (live-reload script) or without the prerendered article', () => {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  assert.equal(problem(html), null);
  const served = html.replace('</body>', '<script>(function () { new WebSocket("ws://x/.well-known/trunk/ws"); })()</script></body>');
  assert.match(problem(served), /inline <script>/);
  assert.match(problem(html.replace('data-prerendered', 'data-x')), /prerendered/);
  const bad = path.join(tmp, 'served');
  fs.mkdirSync(bad);
  fs.writeFileSync(path.join(bad, 'index.html'), served);
  assert.throws(() => publish(bad, path.join(tmp, 'out')), /live-reload/);
  // It never deletes a directory it did not make.
  const mine = path.join(tmp, 'mine');
  fs.mkdirSync(mine);
  fs.writeFileSync(path.join(mine, 'keep.txt'), 'x');
  assert.throws(() => publish(DIST, mine), /not a site this script made/);
  assert.ok(fs.existsSync(path.join(mine, 'keep.txt')));
});
