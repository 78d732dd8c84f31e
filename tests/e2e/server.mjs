// A small static file server for the built site, on loopback only. It sends files as they are
// on disk, as a static host does: when the request accepts brotli (or gzip) and the build wrote
// FILE.br (or FILE.gz) beside FILE (scripts/compress.mjs, run by Trunk's post-build hook), it
// sends that copy with `Content-Encoding`; it never compresses a response itself.
//
// Two ways to set the other headers:
// - the build (dist/): `cache-control: no-cache`, and a Content-Security-Policy when asked
//   (`csp`), so tests can check the page under a strict policy;
// - a published site (scripts/publish.sh, `headers: true`): exactly the headers its `_headers`
//   file lists (the format Netlify and Cloudflare Pages read: a path pattern, `*` matching any
//   characters, then indented `Name: value` lines), and nothing of its own but Content-Type,
//   Content-Length, Content-Encoding and Vary, as a plain static host would.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** The encodings a request accepts, from its Accept-Encoding header (q=0 excluded). */
export function accepted(header) {
  const out = new Set();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) out.add(name);
  }
  return out;
}

/** Parses a `_headers` file into [{ pattern: RegExp, headers: [[name, value]] }]. */
export function parseHeaders(text) {
  const rules = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      const source = line.trim().split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
      rules.push({ pattern: new RegExp(`^${source}$`), headers: [] });
    } else {
      const rule = rules.at(-1);
      const colon = line.indexOf(':');
      if (!rule || colon < 0) throw new Error(`_headers: a header line outside a path or without ':': ${line}`);
      rule.headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
    }
  }
  return rules;
}

/** The headers the rules give `urlPath` (a later rule's value for the same name replaces an earlier one). */
export function headersFor(rules, urlPath) {
  const out = {};
  for (const r of rules) if (r.pattern.test(urlPath)) for (const [k, v] of r.headers) out[k] = v;
  return out;
}

/**
 * Starts a server for `dir`; resolves to { url, close, requests }, where `requests` lists
 * { path, encoding } for every request served.
 * Options: `csp` (a policy to send), `headers` (true: send the `_headers` file's headers),
 * `port` (0: any free one).
 */
export function serve(dir, { csp = null, headers = false, port = 0 } = {}) {
  const root = path.resolve(dir);
  const rules = headers ? parseHeaders(fs.readFileSync(path.join(root, '_headers'), 'utf8')) : null;
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let rel;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root + path.sep) || (rules && path.basename(file) === '_headers')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const ok = accepted(req.headers['accept-encoding']);
    const choices = [['br', '.br'], ['gzip', '.gz']].filter(([enc]) => ok.has(enc));
    let encoding = null;
    let body;
    try {
      body = fs.readFileSync(file);
      for (const [enc, ext] of choices) {
        if (fs.existsSync(file + ext)) {
          body = fs.readFileSync(file + ext);
          encoding = enc;
          break;
        }
      }
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    requests.push({ path: url.pathname, encoding });
    const out = { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' };
    if (rules) {
      Object.assign(out, headersFor(rules, url.pathname));
    } else {
      out['cache-control'] = 'no-cache';
      if (csp) out['content-security-policy'] = csp;
    }
    if (choices.length > 0 || encoding) out.vary = 'Accept-Encoding';
    if (encoding) out['content-encoding'] = encoding;
    out['content-length'] = body.length;
    res.writeHead(200, out).end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      resolve({
        url: `http://127.0.0.1:${p}`,
        requests,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

// `node tests/e2e/server.mjs [dir] [port] [--strict] [--headers]` serves a directory by hand:
// `--strict` sends the Content-Security-Policy the site is published with (scripts/serve.sh
// serves dist/ so), `--headers` the site's `_headers` (a directory from scripts/publish.sh).
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const flag = (name) => {
    const i = args.indexOf(name);
    if (i >= 0) args.splice(i, 1);
    return i >= 0;
  };
  const csp = flag('--strict') ? (await import('../../scripts/publish.mjs')).CSP : null;
  const headers = flag('--headers');
  const dir = args[0] ?? 'dist';
  const port = Number(args[1] ?? 8080);
  serve(dir, { port, csp, headers }).then((s) => console.log(`serving ${dir} at ${s.url}`));
}
