// End-to-end: with prefers-reduced-motion: reduce, nothing on the page moves by itself. Smooth
// scrolling is off, no element has a CSS transition or animation, and after each widget's input
// the widget reaches its new state at once and then stays put (no timer keeps animating it).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WIDGETS, ready, whenLive } from './drive.mjs';
import { useSite } from './site.mjs';

const site = useSite();
let page;
before(async () => {
  await site.ready;
  page = await site.browser.context.newPage();
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(`${site.server.url}/`);
  await whenLive(page);
});

// Every element whose computed style would move it over time.
const moving = () => page.evaluate(() => {
  const secs = (v) => v.split(',').map((x) => parseFloat(x) || 0);
  const out = [];
  for (const el of document.querySelectorAll('*')) {
    for (const pseudo of [null, '::before', '::after']) {
      const s = getComputedStyle(el, pseudo);
      const t = secs(s.transitionDuration).some((d) => d > 0) && s.transitionProperty !== 'none';
      const a = s.animationName !== 'none' && secs(s.animationDuration).some((d) => d > 0);
      if (t || a) out.push(`${el.tagName.toLowerCase()}.${el.className}${pseudo ?? ''}`);
    }
  }
  return out;
});

test('reduced motion: the media query matches, scrolling jumps, nothing transitions', async () => {
  assert.equal(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches), true);
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior), 'auto');
  assert.deepEqual(await moving(), []);
});

for (const spec of WIDGETS) {
  test(`${spec.id}: under reduced motion one input is one discrete step`, async () => {
    const w = page.locator(`[data-widget="${spec.id}"]`);
    await ready(page, spec.id);
    await spec.act(w);
    // Settle: the next frame shows the new state...
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const a = await w.innerHTML();
    // ...and nothing changes afterwards without another input.
    await page.waitForTimeout(400);
    assert.equal(await w.innerHTML(), a, `${spec.id} kept changing after the input`);
    assert.deepEqual(await moving(), []);
  });
}
