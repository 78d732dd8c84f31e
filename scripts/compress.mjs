// Writes FILE.br (brotli, quality 11) and FILE.gz (gzip -9) beside every text or wasm asset of a
// built site, so a server can send them as they are (Content-Encoding: br or gzip) instead of
// compressing each response, and so a static host that serves precompressed files
// (nginx `brotli_static`/`gzip_static`, Caddy `file_server { precompressed br gzip }`) ships
// the smallest bytes. A compressed copy that would not be smaller than the file is not written.
// Stale copies (FILE.br whose FILE is gone) are removed. Deterministic: the same input gives the
// same bytes.
//
// Usage: node scripts/compress.mjs DIR
// Trunk runs it on release builds (the post-build hook in Trunk.toml); scripts/publish.sh too.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** File name endings worth compressing: text and wasm (images such as PNG are compressed already). */
export const COMPRESSIBLE = ['.html', '.js', '.mjs', '.css', '.wasm', '.svg', '.json', '.txt', '.xml', '.map'];

/** Whether a built file gets compressed copies: text and wasm by extension, and everything under
 * `programs/` (the example programs and their sources, fetched when a reader picks one). */
export const compressible = (f) => COMPRESSIBLE.includes(path.extname(f)) || f.startsWith('programs/');

const TEXT = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.txt', '.xml', '.map']);

/** Brotli at its best quality, told the input size and kind (as `brotli -q 11` does). */
export function brotli(bytes, ext = '') {
  return zlib.brotliCompressSync(bytes, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_LGWIN]: zlib.constants.BROTLI_MAX_WINDOW_BITS,
      [zlib.constants.BROTLI_PARAM_MODE]: TEXT.has(ext) ? zlib.constants.BROTLI_MODE_TEXT : zlib.constants.BROTLI_MODE_GENERIC,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

/** gzip -9. */
export function gzip(bytes) {
  return zlib.gzipSync(bytes, { level: 9 });
}

/**
 * The files under `dir` (relative paths, sorted), recursively, leaving out hidden directories
 * (Trunk's `.stage`, left behind when a build is interrupted, is not part of the site).
 */
export function walk(dir, rel = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.')) out.push(...walk(dir, r));
    }
    else if (e.isFile()) out.push(r);
  }
  return out.sort();
}

/** Compresses every asset under `dir`; returns [{ file, raw, br, gz }] (sizes in bytes, null if not written). */
export function compressDir(dir) {
  const files = walk(dir);
  const present = new Set(files);
  const report = [];
  for (const f of files) {
    for (const enc of ['.br', '.gz']) {
      if (f.endsWith(enc) && !present.has(f.slice(0, -enc.length))) fs.rmSync(path.join(dir, f));
    }
  }
  for (const f of files) {
    const ext = path.extname(f);
    if (!compressible(f)) continue;
    const bytes = fs.readFileSync(path.join(dir, f));
    const row = { file: f, raw: bytes.length, br: null, gz: null };
    for (const [enc, pack] of [['br', (b) => brotli(b, ext)], ['gz', gzip]]) {
      const out = path.join(dir, `${f}.${enc}`);
      const packed = pack(bytes);
      if (packed.length < bytes.length) {
        fs.writeFileSync(out, packed);
        row[enc] = packed.length;
      } else {
        fs.rmSync(out, { force: true });
      }
    }
    report.push(row);
  }
  return report;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir || !fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    console.error('usage: node scripts/compress.mjs DIR');
    process.exit(2);
  }
  const report = compressDir(dir);
  const KiB = (n) => (n === null ? '-' : `${(n / 1024).toFixed(1)} KiB`);
  for (const r of report) console.error(`compress: ${r.file}: ${KiB(r.raw)} -> br ${KiB(r.br)}, gz ${KiB(r.gz)}`);
}
