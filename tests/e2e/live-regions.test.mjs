// End-to-end: every widget that steps or runs a simulation has a polite live region, and driving
// the widget changes what it says (issue 8: screen readers hear the steps).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WIDGETS, LIVE, ready, whenLive } from './drive.mjs';
import { useSite } from './site.mjs';

const site = useSite();
let page;
const errors = [];
before(async () => {
  await site.ready;
  page = await site.browser.context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${site.server.url}/`);
  await whenLive(page);
});

for (const id of LIVE) {
  test(`${id}: its live region announces what the widget just did`, async () => {
    const spec = WIDGETS.find((x) => x.id === id);
    await ready(page, id);
    const w = page.locator(`[data-widget="${id}"]`);
    const region = w.getByTestId(`${id}-live`);
    assert.equal(await region.getAttribute('aria-live'), 'polite');
    assert.equal(await region.getAttribute('role'), 'status');
    const before = (await region.textContent()).trim();
    await spec.act(w);
    await page.waitForFunction(
      ([sel, old]) => {
        const t = document.querySelector(sel)?.textContent.trim() ?? '';
        return t !== '' && t !== old;
      },
      [`[data-testid="${id}-live"]`, before],
      { timeout: 5000 },
    );
    const after = (await region.textContent()).trim();
    assert.ok(after.length < 600, `${id}: a live announcement should be short, got ${after.length} characters`);
    assert.deepEqual(errors, []);
  });
}

test('each of these widgets has exactly one live region of its own', async () => {
  for (const id of LIVE) {
    assert.equal(await page.locator(`[data-widget="${id}"] [data-testid="${id}-live"]`).count(), 1, id);
  }
});
