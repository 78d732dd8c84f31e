// End-to-end: every widget can be driven with the keyboard alone (issue 8, item 6). From the
// frame's Reset button, Tab moves into the widget; Tab reaches the control the widget is driven
// by; keys (typing, Enter or Space on buttons, arrows on selects) change what the widget shows.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WIDGETS, ready, whenLive } from './drive.mjs';
import { useSite } from './site.mjs';

const site = useSite();
let page;
const errors = [];
before(async () => {
  await site.ready;
  page = await site.browser.context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${site.server.url}/`);
  await whenLive(page);
});

// What the widget shows, without its live region (which the test for live regions covers).
const shown = (id) => page.evaluate((id) => {
  const w = document.querySelector(`[data-widget="${id}"]`).cloneNode(true);
  w.querySelector(`[data-testid="${id}-live"]`)?.remove();
  const fields = [...document.querySelectorAll(`[data-widget="${id}"] input, [data-widget="${id}"] textarea, [data-widget="${id}"] select`)]
    .map((e) => (e.type === 'radio' || e.type === 'checkbox' ? String(e.checked) : e.value));
  return w.textContent + '\u0000' + fields.join('\u0000');
}, id);

for (const spec of WIDGETS) {
  test(`${spec.id}: operable with the keyboard only`, async () => {
    const id = spec.id;
    await ready(page, id);
    // Stand-in for tabbing down the page: start from the frame's last header control.
    await page.getByTestId(`${id}-reset`).focus();
    await page.keyboard.press('Tab');
    const inside = await page.evaluate((id) => !!document.activeElement?.closest(`[data-widget="${id}"]`), id);
    assert.ok(inside, `${id}: Tab from Reset should land on the widget's first control`);
    const visible = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return s.outlineStyle !== 'none' || s.boxShadow !== 'none';
    });
    assert.ok(visible, `${id}: the focused control should show a focus indicator`);
    const before = await shown(id);
    await spec.keys(page);
    await page.waitForFunction(([id, old]) => {
      const w = document.querySelector(`[data-widget="${id}"]`).cloneNode(true);
      w.querySelector(`[data-testid="${id}-live"]`)?.remove();
      const fields = [...document.querySelectorAll(`[data-widget="${id}"] input, [data-widget="${id}"] textarea, [data-widget="${id}"] select`)]
        .map((e) => (e.type === 'radio' || e.type === 'checkbox' ? String(e.checked) : e.value));
      return w.textContent + '\u0000' + fields.join('\u0000') !== old;
    }, [id, before], { timeout: 5000 });
    assert.deepEqual(errors, []);
  });
}
