// End-to-end: the pictures' colours keep their contrast in both themes (issue 16). axe does not
// look inside SVG, so this reads what the browser paints: for every text in every widget's picture
// and every figure, its computed fill (through the opacity of its groups) against what lies under
// it (the last filled shape drawn before it that covers its middle, itself blended over the
// widget's or the page's background), at least 4.5:1 (WCAG 1.4.3); and for every lit, faulted or
// "next" part (`d-hl`, `d-err`, `d-next`), its outline or line against what it is drawn on, at
// least 3:1 (WCAG 1.4.11: it is what tells the state apart, beside its label).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { screenshotPath } from './browser.mjs';
import { whenAllLive } from './drive.mjs';
import { useSite } from './site.mjs';

const site = useSite();

/** Runs in the page: every failing text and outline, with its colours and ratio. */
function measure() {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const cx = canvas.getContext('2d', { willReadFrequently: true });
  /** Any CSS colour to [r, g, b, a] (0..255, alpha 0..1), as the canvas paints it. */
  const rgba = (c) => {
    if (!c || c === 'none' || c === 'transparent') return [0, 0, 0, 0];
    cx.clearRect(0, 0, 1, 1);
    cx.fillStyle = '#000';
    cx.fillStyle = c;
    cx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = cx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = ([r, g, b, a], [R, G, B]) => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a), 1];
  const lum = ([r, g, b]) => {
    const f = (v) => { const s = v / 255; return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  /** The opacity an element is painted with: its own and its groups', up to the svg. */
  const opacity = (el) => { let o = 1; for (let e = el; e && e.tagName !== 'svg'; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity); return o; };
  /** The HTML background behind an svg: the nearest ancestor with an opaque background. */
  const pageBg = (svg) => {
    for (let e = svg.parentElement; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0.99) return c;
    }
    return rgba(getComputedStyle(document.body).backgroundColor);
  };
  /** The colour under point (x, y) of `svg`, from the shapes drawn before `el`. */
  const under = (svg, el, x, y, base) => {
    let bg = base;
    for (const s of svg.querySelectorAll('rect, circle, polygon, ellipse')) {
      if (s === el || (el.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING) || s.contains(el)) continue;
      const r = s.getBoundingClientRect();
      if (x < r.left || x > r.right || y < r.top || y > r.bottom || r.width === 0) continue;
      const fill = rgba(getComputedStyle(s).fill);
      const fo = parseFloat(getComputedStyle(s).fillOpacity);
      if (fill[3] * fo === 0) continue;
      bg = over([fill[0], fill[1], fill[2], fill[3] * fo * opacity(s)], bg);
    }
    return bg;
  };
  const fails = [];
  let texts = 0;
  let outlines = 0;
  for (const svg of document.querySelectorAll('main svg')) {
    if (!svg.checkVisibility() || svg.parentElement.closest('svg')) continue;
    const where = svg.dataset.testid ?? svg.closest('[data-widget]')?.dataset.widget ?? svg.getAttribute('class');
    const base = pageBg(svg);
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim() || !t.checkVisibility()) continue;
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      texts += 1;
      const bg = under(svg, t, r.left + r.width / 2, r.top + r.height / 2, base);
      const fill = rgba(getComputedStyle(t).fill);
      const fg = over([fill[0], fill[1], fill[2], fill[3] * opacity(t)], bg);
      const k = ratio(fg, bg);
      if (k < 4.5) fails.push({ where, what: `text "${t.textContent.trim().slice(0, 24)}" (${t.getAttribute('class') ?? ''})`, ratio: Math.round(k * 100) / 100 });
    }
    for (const s of svg.querySelectorAll('.d-hl .d-box, .d-err .d-box, .d-next .d-box, rect.d-hl, rect.d-err, .d-hl .d-line, .d-err .d-line, .d-hl.d-line')) {
      if (!s.checkVisibility()) continue;
      const cs = getComputedStyle(s);
      const stroke = rgba(cs.stroke);
      if (stroke[3] === 0 || parseFloat(cs.strokeWidth) === 0) continue;
      outlines += 1;
      const r = s.getBoundingClientRect();
      // What the part is drawn on: the shapes drawn before it under its middle.
      const bg = under(svg, s, r.left + r.width / 2, r.top + r.height / 2, base);
      const fg = over([stroke[0], stroke[1], stroke[2], stroke[3] * opacity(s)], bg);
      const k = ratio(fg, bg);
      if (k < 3) fails.push({ where, what: `outline of ${s.closest('[data-part]')?.dataset.part ?? s.parentElement.getAttribute('class')} (${s.getAttribute('class')})`, ratio: Math.round(k * 100) / 100 });
    }
  }
  return { fails, texts, outlines };
}

for (const scheme of ['light', 'dark']) {
  test(`pictures keep their contrast (${scheme} theme)`, async () => {
    const page = await site.browser.context.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${site.server.url}/`);
    await whenAllLive(page);
    const results = [];
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      // Transitions (fill, stroke, opacity) settle first.
      await page.waitForTimeout(400);
      const r = await page.evaluate(measure);
      assert.ok(r.texts > 500 && r.outlines > 20, `measured ${r.texts} texts and ${r.outlines} outlines at ${width} px`);
      results.push(...r.fails.map((f) => ({ ...f, width })));
    }
    fs.writeFileSync(screenshotPath(`contrast-${scheme}.json`), JSON.stringify(results, null, 1));
    // One line per picture and kind of failure, the worst ratio.
    const worst = {};
    for (const f of results) {
      const key = `${f.where}: ${f.what.replace(/"[^"]*"/, '…')}`;
      worst[key] = Math.min(worst[key] ?? Infinity, f.ratio);
    }
    assert.deepEqual(worst, {}, `below 4.5:1 (text) or 3:1 (outlines), ${scheme} theme`);
    await page.close();
  });
}
