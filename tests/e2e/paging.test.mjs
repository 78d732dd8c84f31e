// End-to-end: the page-table walk on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { linesCrossingTexts, openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('page-walk: a walk, a TLB hit, faults, and five levels', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-page-walk`);
  const w = page.locator('[data-widget="page-walk"]');
  await w.waitFor();
  assert.equal(await w.getByTestId('pw-pa').textContent(), '0x3b1b40');
  assert.equal(await w.getByTestId('pw-walk').locator('tbody tr').count(), 4);
  await w.getByTestId('pw-again').click();
  assert.match(await w.getByTestId('pw-result').textContent(), /TLB hit/);
  await shoot(w, 'page-walk.png');

  await w.getByTestId('pw-preset').selectOption('2');
  assert.match(await w.getByTestId('pw-fault').textContent(), /read-only/);
  // PML5 index 0x100 (bits 56..48 of a canonical 57-bit address) has no table.
  await w.getByTestId('pw-va').fill('0xff00000000000000');
  await w.getByTestId('pw-levels').selectOption('5');
  assert.equal(await w.getByTestId('pw-walk').locator('tbody tr').count(), 1);
  await w.getByTestId('pw-va').fill('nonsense');
  assert.match(await w.getByTestId('pw-va-error').textContent(), /not a 64-bit address/);
  assert.deepEqual(errors, []);
  await page.close();
});

/** The wide diagram's state: the address text, its description, the lit chain boxes. */
const read = (w) => w.evaluate((el) => {
  const svg = el.querySelector('[data-testid="page-walk-diagram"]');
  return {
    va: el.querySelector('[data-testid="pw-va"]').value,
    desc: svg.querySelector('desc').textContent,
    lit: [...svg.querySelectorAll('.pw-chain .pw-node.d-hl')].length,
    err: [...svg.querySelectorAll('.pw-chain .pw-node.d-err')].length,
    fields: [...svg.querySelectorAll('.pw-field')].map((f) => f.getAttribute('data-field')),
  };
});

test('page-walk diagram: bits clicked, fields dragged and keyed, by mouse, touch and keyboard', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-page-walk`);
  const w = page.locator('[data-widget="page-walk"]');
  await w.waitFor();
  const d = w.getByTestId('page-walk-diagram');
  await d.waitFor();
  // The initial state: the address's fields, CR3, four tables and the frame, all lit; the TLB.
  let s = await read(w);
  assert.deepEqual(s.fields, ['sign', 'PML4', 'PDPT', 'PD', 'PT', 'offset']);
  assert.equal(s.lit, 6);
  assert.match(s.desc, /PML4 index 255/);
  assert.equal(await d.locator('.pw-tlbg .pw-node').count(), 8);
  assert.match(await d.locator('.pw-chain').textContent(), /CR3.*PML4.*PDPT.*PD.*PT.*4 KiB page/);

  // Mouse: a click on bit 12 flips it (the PT index 163 becomes 162: an unmapped page? no,
  // 0x7ffd1c2a2000 is mapped too).
  await d.locator('[data-bit="12"]').click();
  s = await read(w);
  assert.equal(s.va, '0x7ffd1c2a2b40');
  assert.match(s.desc, /PT index 162/);
  assert.equal(await w.getByTestId('pw-pa').textContent(), '0x3b0b40');

  // Mouse drag across the PML4 field: its index changes as the pointer moves.
  const pml4 = d.locator('[data-field="PML4"]');
  const box = await pml4.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 6);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 60, box.y + box.height - 6, { steps: 6 });
  await page.mouse.up();
  // The drag selected no text: the picture starts no selection (which also cost Chromium 8 to
  // 10 ms per click on it, docs/performance.md, session 9).
  assert.equal(await page.evaluate(() => String(getSelection())), '', 'a drag on the picture selects no text');
  s = await read(w);
  assert.notEqual(s.va, '0x7ffd1c2a2b40');
  assert.match(s.desc, /PML4 index 2[0-4]\d/);
  assert.match(await w.getByTestId('pw-fault').textContent(), /present bit clear/);
  assert.equal(s.err, 2, 'the PML4 entry and the #PF are marked');

  // Keyboard: focus the PML4 field, End then Home, then arrows back to 255.
  await pml4.locator('.pw-focus').focus();
  await page.keyboard.press('Home');
  assert.match((await read(w)).desc, /PML4 index 0,/);
  await page.keyboard.press('End');
  assert.match((await read(w)).desc, /high bits 0xffff, PML4 index 511/, 'the address stays canonical');
  await page.keyboard.press('PageDown');
  assert.match((await read(w)).desc, /PML4 index 495/);
  for (let i = 0; i < 16; i++) await page.keyboard.press('ArrowLeft');
  assert.match((await read(w)).desc, /PML4 index 479/);
  // The sign field: Enter breaks the canonical form (#GP), Enter again restores it.
  await d.locator('[data-field="sign"] .pw-focus').focus();
  await page.keyboard.press('Enter');
  assert.match(await w.getByTestId('pw-result').textContent(), /General protection/);
  await page.keyboard.press('Enter');
  assert.doesNotMatch(await w.getByTestId('pw-result').textContent(), /General protection/);

  // Screenshots of the diagram at 1280 px.
  await w.getByTestId('pw-preset').selectOption('0');
  await shoot(d, 'page-walk-diagram-1280.png');
  assert.deepEqual(await linesCrossingTexts(d), [], 'lines drawn across texts at 1280 px');
  assert.deepEqual(errors, []);
  await page.close();
});

test('page-walk at 360 px: the narrow diagram, no sideways scroll, touch flips a bit', async () => {
  // A phone: a touch screen 360 px wide (a context of its own; the shared one has no touch).
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  const ctx = await browser.newContext({ hasTouch: true, viewport: { width: 360, height: 800 } });
  const { page, errors } = await openPage(ctx, `${site.server.url}/#widget-page-walk`);
  const w = page.locator('[data-widget="page-walk"]');
  await w.waitFor();
  const narrow = w.getByTestId('page-walk-diagram-narrow');
  assert.ok(await narrow.isVisible(), 'the narrow layout is shown');
  assert.ok(!(await w.getByTestId('page-walk-diagram').isVisible()), 'the wide one is not');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth));
  const wb = await w.boundingBox();
  assert.ok(wb.x >= 0 && wb.x + wb.width <= 360.5, `widget within the viewport: ${JSON.stringify(wb)}`);
  // Text in the picture is at least 9 px on the screen.
  const px = await narrow.evaluate((svg) => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width * 11);
  assert.ok(px >= 9, `small text at ${px} px`);
  // A tap on bit 12 flips it.
  const bit = narrow.locator('[data-bit="12"]');
  await bit.scrollIntoViewIfNeeded();
  const b = await bit.boundingBox();
  await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
  await page.waitForFunction(() => document.querySelector('[data-testid="pw-va"]').value === '0x7ffd1c2a2b40');
  await shoot(w, 'page-walk-360.png');
  await w.getByTestId('pw-preset').selectOption('5');
  await shoot(narrow, 'page-walk-diagram-360.png');
  assert.deepEqual(await linesCrossingTexts(narrow), [], 'lines drawn across texts at 360 px');
  assert.deepEqual(errors, []);
  await page.close();
  await browser.close();
});
