// End-to-end: the article's figures and the widgets' diagrams (issue 16). Every figure is in
// the page without JavaScript, with its number, caption, title and description; at 360 px no
// figure and no widget diagram is wider than the page; screenshots of each at 1280 and 360 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linesCrossingTexts, openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

/** Every figure's id, number, caption and text alternative, as the page has them. */
const figures = (page) => page.evaluate(() => [...document.querySelectorAll('figure.figure')].map((f) => ({
  id: f.dataset.figure,
  number: f.querySelector('.fig-num')?.textContent ?? '',
  caption: f.querySelector('figcaption')?.textContent ?? '',
  role: f.querySelector('svg')?.getAttribute('role'),
  title: f.querySelector('svg > title')?.textContent ?? '',
  desc: f.querySelector('svg > desc')?.textContent ?? '',
  labelled: (f.querySelector('svg')?.getAttribute('aria-labelledby') ?? '').split(' ').every((id) => id && document.getElementById(id)),
})));

test('without JavaScript every figure is there, numbered, captioned and described', async () => {
  const ctx = await site.browser.context.browser()?.newContext({ javaScriptEnabled: false })
    ?? (() => { throw new Error('no browser'); })();
  const page = await ctx.newPage();
  await page.goto(`${site.server.url}/`);
  const all = await figures(page);
  assert.ok(all.length >= 1, 'the article has figures');
  all.forEach((f, i) => {
    assert.equal(f.number, `Figure ${i + 1}.`, f.id);
    assert.ok(f.caption.length > 30, `${f.id}: caption "${f.caption}"`);
    assert.equal(f.role, 'img', f.id);
    assert.ok(f.title.length > 5, `${f.id}: title`);
    assert.ok(f.desc.length > 40, `${f.id}: description "${f.desc}"`);
    assert.ok(f.labelled, `${f.id}: aria-labelledby names the title and description`);
  });
  await ctx.close();
});

test('at 360 px no figure or diagram is wider than the page; screenshots at 1280 and 360 px', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/`);
  const ids = (await figures(page)).map((f) => f.id);
  for (const id of ids) await shoot(page.locator(`figure[data-figure="${id}"]`), `figure-${id}-1280.png`);
  await page.setViewportSize({ width: 360, height: 800 });
  const wide = await page.evaluate(() => [...document.querySelectorAll('svg.diagram')]
    .map((s) => ({ id: s.dataset.testid, right: s.getBoundingClientRect().right }))
    .filter((s) => s.right > document.documentElement.clientWidth + 0.5));
  assert.deepEqual(wide, [], 'diagrams wider than 360 px');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
    'the page does not scroll sideways');
  for (const id of ids) await shoot(page.locator(`figure[data-figure="${id}"]`), `figure-${id}-360.png`);
  assert.deepEqual(errors, []);
  await page.close();
});

// Each widget's picture in its default state, with the test id of the picture shown on a desktop.
const PICTURES = {
  asm: 'asm-diagram', 'fetch-execute': 'fe-diagram', rings: 'rg-diagram', syscall: 'sc-sc-diagram',
  preemption: 'pe-diagram', scheduler: 'scheduler-workload', timeslice: 'timeslice-diagram',
  'page-walk': 'page-walk-diagram', 'demand-paging': 'demand-paging-diagram', 'fork-cow': 'fork-cow-diagram',
  'process-tree': 'process-tree-diagram', execve: 'ex-diagram', 'binfmt-misc': 'bm-diagram',
  'shell-fallback': 'sf-diagram', 'elf-inspector': 'elf-map', 'elf-loader': 'el-diagram', linking: 'ln-diagram',
};

test('without JavaScript every widget shows its picture, titled and described', async () => {
  const ctx = await site.browser.context.browser()?.newContext({ javaScriptEnabled: false })
    ?? (() => { throw new Error('no browser'); })();
  const page = await ctx.newPage();
  await page.goto(`${site.server.url}/`);
  const found = await page.evaluate((pictures) => Object.entries(pictures).map(([id, testid]) => {
    const svg = document.querySelector(`[data-widget="${id}"] svg[data-testid="${testid}"]`);
    const labelled = (svg?.getAttribute('aria-labelledby') ?? '').split(' ').filter(Boolean);
    return {
      id,
      drawn: !!svg && svg.querySelectorAll('rect, text').length >= 3,
      title: svg?.querySelector('title')?.textContent ?? '',
      desc: svg?.querySelector('desc')?.textContent ?? '',
      labelled: labelled.length === 2 && labelled.every((l) => document.getElementById(l)),
    };
  }), PICTURES);
  for (const f of found) {
    assert.ok(f.drawn, `${f.id}: no picture in the page without JavaScript`);
    assert.ok(f.title.length > 5, `${f.id}: title "${f.title}"`);
    assert.ok(f.desc.length > 30, `${f.id}: description "${f.desc}"`);
    assert.ok(f.labelled, `${f.id}: aria-labelledby names the title and description`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  for (const id of ['execve', 'elf-loader']) await shoot(page.locator(`[data-widget="${id}"]`), `nojs-${id}-1280.png`);
  await ctx.close();
});

// Every figure, and every widget's picture as the page opens, at 1280 and 360 px in both
// themes: no stroked line runs across a text (the fetch arrow under the bytes it fetched, a
// lifeline through a label, a page's line through the blocks below it all did). A line meant
// to run through a text would carry `data-crosses-text` (see linesCrossingTexts); none does.
test('no line of a figure or of a widget picture runs across a text, at 1280 and 360 px, in both themes', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/`);
  const pictures = page.locator('figure.figure svg, [data-widget] svg.diagram');
  const crossings = [];
  const checked = new Set();
  for (const width of [1280, 360]) {
    for (const colorScheme of ['light', 'dark']) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme });
      // The widgets that draw a phone's layout switch to it on the next renders.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)))));
      const names = await pictures.evaluateAll((all) => all.map((s) => (s.checkVisibility()
        ? `${s.closest('figure.figure')?.dataset.figure ?? s.closest('[data-widget]')?.dataset.widget}:${s.dataset.testid}` : '')));
      for (const [i, name] of names.entries()) {
        if (!name) continue;
        checked.add(`${width}:${name.split(':')[0]}`);
        const found = await linesCrossingTexts(pictures.nth(i));
        if (found.length) crossings.push(`${width} px, ${colorScheme}, ${name}: ${found.join('; ')}`);
      }
    }
  }
  const figureIds = await page.evaluate(() => [...document.querySelectorAll('figure.figure')].map((f) => f.dataset.figure));
  for (const width of [1280, 360]) {
    for (const id of [...figureIds, ...Object.keys(PICTURES)]) assert.ok(checked.has(`${width}:${id}`), `${id} at ${width} px was checked`);
  }
  assert.deepEqual(crossings, [], 'lines drawn across texts');
  assert.deepEqual(errors, []);
  await page.close();
});
