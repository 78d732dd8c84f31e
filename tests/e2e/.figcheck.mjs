// scratch: lines crossing texts in every figure and widget picture of DIR (no JS), 1280/360, both themes
import { serve } from './server.mjs';
import { launch, linesCrossingTexts, textsOutside, overlappingTexts } from './browser.mjs';
import path from 'node:path';
import fs from 'node:fs';
const dir = process.argv[2] ?? '/tmp/figs-page';
const shots = process.env.SHOTS;
const server = await serve(dir);
const b = await launch();
const ctx = await b.context.browser().newContext({ javaScriptEnabled: !!process.env.JS });
const page = await ctx.newPage();
await page.goto(`${server.url}/`);
if (process.env.JS) { const { whenLive } = await import('./drive.mjs'); await whenLive(page); }
let total = 0;
for (const width of [1280, 360]) {
  for (const scheme of ['light', 'dark']) {
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    const svgs = await page.evaluate(() => { document.querySelectorAll("[data-chk]").forEach((e) => e.removeAttribute("data-chk")); return [...document.querySelectorAll('figure.figure svg, [data-widget] svg.diagram')]
      .filter((s) => s.checkVisibility()).map((s, i) => { s.dataset.chk = String(i); return s.closest("figure.figure")?.dataset.figure ?? `${s.closest("[data-widget]")?.dataset.widget}:${s.dataset.testid}`; }); });
    for (const [i, name] of svgs.entries()) {
      const loc = page.locator(`svg[data-chk="${i}"]`);
      const c = await linesCrossingTexts(loc);
      const o = process.env.OVER ? await overlappingTexts(loc) : [];
      const out = process.env.OVER ? await textsOutside(loc) : [];
      if (c.length || o.length || out.length) { total++; console.log(width, scheme, name, JSON.stringify({ cross: c, overlap: o, outside: out })); }
      if (shots && scheme === 'light' && (shots === 'all' || name.includes(shots))) {
        await loc.scrollIntoViewIfNeeded();
        const f = path.join('/tmp/figs-page/shots', `${name.replace(/[:/]/g, '_')}-${width}.png`);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        const clip = await loc.evaluate((s) => { const e = s.closest('figure') ?? s; e.scrollIntoView({ block: 'start', behavior: 'instant' }); const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: Math.min(r.height, 890) }; });
        await page.screenshot({ path: f, clip });
      }
    }
  }
}
console.log('pictures with problems:', total);
await b.close(); await server.close();
