// Launches Debian's Chromium through playwright-core with the flags this machine needs, and
// collects console errors and page errors for each page.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { whenAllLive, whenLive } from './drive.mjs';

export const ARTIFACTS = path.resolve('tests/e2e/artifacts');

export async function launch() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'youcpu-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a page that records console errors, uncaught exceptions and requested URLs, and waits
 * until the page's load is done: every widget near the viewport (a link's target and its
 * neighbours) is live, the ones further away stay prerendered until a test brings them near
 * (`ready` in drive.mjs). `{ live: 'all' }` brings every widget live, as a reader scrolling
 * through the article; `{ live: false }` skips the wait.
 */
export async function openPage(context, url, { live = true } = {}) {
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  if (live === 'all') await whenAllLive(page);
  else if (live) await whenLive(page);
  return { page, errors, requests };
}

/**
 * A page in a new context of `context`'s browser with a touch screen, 360 px wide and reduced
 * motion, so taps are real touch input; waits until its widgets are live. Close `ctx` after.
 */
export async function openTouchPage(context, url) {
  const browser = context.browser();
  if (!browser) throw new Error('no browser to open a touch context in');
  const ctx = await browser.newContext({ hasTouch: true, isMobile: true, viewport: { width: 360, height: 800 }, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await whenLive(page);
  return { page, ctx, errors };
}

export function screenshotPath(name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

/**
 * A screenshot of one element. Playwright's own element screenshot captures an element taller
 * than the viewport from a surface as tall as the page, which on this 50,000-pixel page never
 * completes; here the viewport grows to fit the element for the moment of the shot instead.
 */
export async function shoot(locator, name) {
  const page = locator.page();
  const vp = page.viewportSize();
  const h = await locator.evaluate((e) => e.getBoundingClientRect().height);
  const grow = h > vp.height;
  if (grow) await page.setViewportSize({ width: vp.width, height: Math.ceil(h) + 2 });
  try {
    const clip = await locator.evaluate((e) => {
      e.scrollIntoView({ block: 'start', behavior: 'instant' });
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
    await page.screenshot({ path: screenshotPath(name), clip });
  } finally {
    if (grow) await page.setViewportSize(vp);
  }
}

/**
 * The pairs of texts in a picture (an `svg` locator) whose boxes cross by more than `slack` CSS
 * pixels each way: a label drawn over another is unreadable at any size. A text's box is its
 * font's line box, which holds a pixel or two of air above the capitals and below the
 * descenders, so two lines set 13 units apart in a box (a label over its sub-line) touch by
 * about 1.7 px without their letters meeting; `slack` allows that. Each pair as "first / second".
 */
export async function overlappingTexts(svg, slack = 2) {
  return svg.evaluate((s, slack) => {
    const boxes = [...s.querySelectorAll('text')]
      .filter((t) => t.textContent.trim() && t.checkVisibility({ opacityProperty: true, visibilityProperty: true }))
      .map((t) => ({ s: t.textContent.trim(), r: t.getBoundingClientRect() }))
      .filter((b) => b.r.width > 0 && b.r.height > 0);
    const out = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i].r, boxes[j].r];
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > slack && y > slack) out.push(`${boxes[i].s} / ${boxes[j].s}`);
      }
    }
    return out;
  }, slack);
}

/**
 * The lines of a picture (an `svg` locator: its `line`, `polyline` and `path` elements with a
 * stroke) that cross one of its texts: each line is sampled every pixel along its length and a
 * sample inside a text's box, shrunk by `slack` CSS pixels each way (the line box's air above
 * the capitals and below the descenders), counts. Each as "text / the line's class". A line
 * meant to run through a text is marked `data-crosses-text` (on it or a group around it), with
 * the reason in a comment where it is drawn, and is not counted.
 */
export async function linesCrossingTexts(svg, slack = 2) {
  return svg.evaluate((s, slack) => {
    const boxes = [...s.querySelectorAll('text')]
      .filter((t) => t.textContent.trim() && t.checkVisibility({ opacityProperty: true, visibilityProperty: true }))
      .map((t) => ({ s: t.textContent.trim(), r: t.getBoundingClientRect() }))
      .filter((b) => b.r.width > 0 && b.r.height > 0);
    const out = new Set();
    for (const l of s.querySelectorAll('line, polyline, path')) {
      if (l.closest('defs, marker, [data-crosses-text]') || getComputedStyle(l).stroke === 'none' || !l.checkVisibility()) continue;
      const m = l.getScreenCTM();
      const n = l.getTotalLength();
      const pt = s.createSVGPoint();
      for (let d = 0; d <= n; d += 1) {
        const p = l.getPointAtLength(d);
        pt.x = p.x; pt.y = p.y;
        const q = pt.matrixTransform(m);
        for (const b of boxes) {
          if (q.x > b.r.left + slack && q.x < b.r.right - slack && q.y > b.r.top + slack && q.y < b.r.bottom - slack) {
            out.add(`${b.s} / ${l.parentElement.getAttribute('class') ?? ''} ${l.getAttribute('class') ?? ''}`.trim());
          }
        }
      }
    }
    return [...out];
  }, slack);
}

/** The texts of a picture (an `svg` locator) drawn past its edges by more than `slack` px. */
export async function textsOutside(svg, slack = 1) {
  return svg.evaluate((s, slack) => {
    const box = s.getBoundingClientRect();
    return [...s.querySelectorAll('text')]
      .filter((t) => t.textContent.trim() && t.checkVisibility({ opacityProperty: true, visibilityProperty: true }))
      .filter((t) => {
        const r = t.getBoundingClientRect();
        return r.width > 0 && (r.left < box.left - slack || r.right > box.right + slack);
      })
      .map((t) => t.textContent.trim());
  }, slack);
}
