// End-to-end: the pictures stay legible on a phone (issue 16). At 360 px every text drawn in
// every widget's picture (the diagrams, the Gantt and fair-share charts) and in every figure
// renders at 11 CSS pixels or more: its computed font size times the scale its SVG is drawn at
// (the screen transform of the text, which includes the viewBox's scaling). A picture that only
// shrinks to fit a phone fails here; it needs a narrow layout (`d-narrow`) or a viewBox that reads
// at both widths. Measured in the default state of every widget and in the prerendered figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openPage, overlappingTexts, screenshotPath, textsOutside } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

/** The smallest legible text, in CSS pixels. */
const MIN_PX = 11;

/**
 * Every visible text in the article's pictures with its rendered size in CSS pixels, grouped
 * by picture (its data-testid, or its widget or figure when it has none).
 */
const textSizes = (page) => page.evaluate(() => {
  const out = [];
  for (const svg of document.querySelectorAll('main svg')) {
    if (!svg.checkVisibility() || svg.getBoundingClientRect().width === 0) continue;
    // The outermost svg only: a nested one's texts are measured with their outer picture.
    if (svg.parentElement.closest('svg')) continue;
    const where = svg.dataset.testid
      ?? svg.closest('[data-widget]')?.dataset.widget
      ?? svg.closest('figure[data-figure]')?.dataset.figure
      ?? svg.getAttribute('class');
    for (const t of svg.querySelectorAll('text')) {
      const s = t.textContent.trim();
      if (!s || !t.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const r = t.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const m = t.getScreenCTM();
      if (!m) continue;
      const scale = Math.hypot(m.a, m.b);
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      out.push({ where, text: s.slice(0, 30), px: Math.round(px * 100) / 100, cls: t.getAttribute('class') ?? '' });
    }
  }
  return out;
});

/** The texts under the minimum, by picture: how many, and the smallest with its class. */
function tooSmall(all) {
  const small = {};
  for (const t of all.filter((t) => t.px < MIN_PX - 0.05)) {
    const s = (small[t.where] ??= { n: 0, min: Infinity, example: '' });
    s.n += 1;
    if (t.px < s.min) { s.min = t.px; s.example = `${t.text} (${t.cls})`; }
  }
  return small;
}

test('at 360 px every text in every picture is at least 11 CSS pixels', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/`, { live: 'all' });
  await page.setViewportSize({ width: 360, height: 800 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const all = await textSizes(page);
  fs.writeFileSync(screenshotPath('legibility-360.json'), JSON.stringify(all, null, 1));
  const pictures = new Set(all.map((t) => t.where));
  // Every widget draws a picture, and the figures are there.
  const widgets = await page.evaluate(() => [...document.querySelectorAll('[data-widget]')].map((w) => w.dataset.widget));
  // ld-so draws its picture from its files, which it fetches when a reader comes near it (never
  // with the page): far from it, in the default state, it has none; the next test measures it
  // after its run, and ld-so.test.mjs the picture its files give before the run. Every other
  // widget must have one.
  const AFTER_A_RUN = new Set(['ld-so']);
  for (const id of widgets.filter((w) => !AFTER_A_RUN.has(w))) {
    assert.ok(await page.evaluate((id) => [...document.querySelectorAll(`[data-widget="${id}"] svg`)].some((s) => s.checkVisibility() && s.querySelector('text')), id),
      `${id}: no picture with text measured`);
  }
  assert.ok(pictures.size >= widgets.length + 10, `only ${pictures.size} pictures measured`);
  const small = tooSmall(all);
  assert.deepEqual(small, {}, `texts under ${MIN_PX} px at 360 px, by picture: ${JSON.stringify(small, null, 1)}`);
  assert.deepEqual(errors, []);
  await page.close();
});

// The pictures that are drawn in full only after a run (issue 19): the signal frame at the
// handler's first instruction, ld-so's address space after ld.so, and your-program's timeline
// with a process tree and an opened moment's memory map and fetch-execute view, each measured in
// its narrow layout.
test('at 360 px the pictures drawn after a run are at least 11 CSS pixels too', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/?yp-ex=fork#widget-your-program`);
  await page.setViewportSize({ width: 360, height: 800 });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  // your-program: the fork example's run (two processes), its last event chosen and opened.
  const yp = page.locator('[data-widget="your-program"]');
  await yp.getByTestId('yp-status').filter({ hasText: /Exited/ }).waitFor({ timeout: 120_000 });
  const tl = yp.getByTestId('yp-timeline');
  await tl.focus();
  await page.keyboard.press('End');
  await yp.getByTestId('yp-open').click();
  await yp.getByTestId('yp-maps-diagram').waitFor();
  // The moment's fetch-execute view (the last event: the process has ended, nothing to step).
  await yp.getByTestId('fe-handed').waitFor();
  // signals: its program comes when the widget is near; the handler's moment has the most text.
  const sg = page.locator('[data-widget="signals"]');
  await sg.scrollIntoViewIfNeeded();
  await sg.getByTestId('sg-moment-2').click({ timeout: 60_000 });
  // ld-so: its run starts when it comes near too.
  const ld = page.locator('[data-widget="ld-so"]');
  await ld.scrollIntoViewIfNeeded();
  await ld.getByTestId('ld-summary').waitFor({ timeout: 120_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const all = (await textSizes(page)).filter((t) => ['yp-diagram', 'yp-maps-diagram', 'yp-fe-diagram-narrow', 'signals-diagram', 'ld-diagram'].includes(t.where));
  fs.writeFileSync(screenshotPath('legibility-360-after-runs.json'), JSON.stringify(all, null, 1));
  const measured = new Set(all.map((t) => t.where));
  for (const id of ['yp-diagram', 'yp-maps-diagram', 'yp-fe-diagram-narrow', 'signals-diagram', 'ld-diagram']) assert.ok(measured.has(id), `${id}: no text measured`);
  assert.ok(all.some((t) => t.where === 'yp-diagram' && /^pid \d+/.test(t.text)), 'the process tree is drawn');
  assert.deepEqual(tooSmall(all), {}, `texts under ${MIN_PX} px at 360 px after a run`);
  // And none drawn over another (ld-so's target label once sat on a band's counts).
  for (const id of ['yp-diagram', 'yp-maps-diagram', 'yp-fe-diagram-narrow', 'signals-diagram', 'ld-diagram']) {
    assert.deepEqual(await overlappingTexts(page.getByTestId(id)), [], `${id}: texts drawn over each other at 360 px`);
    assert.deepEqual(await textsOutside(page.getByTestId(id)), [], `${id}: texts past the picture's edges at 360 px`);
  }
  // Nothing scrolls sideways.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 360);
  assert.deepEqual(errors, []);
  await page.close();
});
