// Accessibility: axe-core (injected into the page) finds no violations on the whole article, in
// the light and the dark theme; every widget can be reached with the keyboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { whenAllLive } from './drive.mjs';
import { useSite } from './site.mjs';

const AXE = path.resolve('node_modules/axe-core/axe.min.js');
const site = useSite();

for (const scheme of ['light', 'dark']) {
  test(`axe finds no violations (${scheme} theme)`, async () => {
    const page = await site.browser.context.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${site.server.url}/`);
    await whenAllLive(page);
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
      }));
    });
    assert.deepEqual(result, [], JSON.stringify(result, null, 2));
    await page.close();
  });
}

test('keyboard: Tab reaches every widget, and focus is visible', async () => {
  const page = await site.browser.context.newPage();
  await page.goto(`${site.server.url}/`);
  await whenAllLive(page);
  const widgets = await page.locator('[data-widget]').evaluateAll((els) => els.map((e) => e.dataset.widget));
  const reached = new Set();
  let invisible = [];
  for (let i = 0; i < 600 && reached.size < widgets.length; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const w = el.closest('[data-widget]');
      const cs = getComputedStyle(el);
      const visible = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
      return { widget: w ? w.dataset.widget : null, visible, what: `${el.tagName}${el.dataset.testid ? '#' + el.dataset.testid : ''}` };
    });
    if (info?.widget) {
      reached.add(info.widget);
      if (!info.visible) invisible.push(`${info.widget}: ${info.what}`);
    }
  }
  assert.deepEqual([...reached].sort(), [...widgets].sort());
  assert.deepEqual(invisible, []);
  await page.close();
});
