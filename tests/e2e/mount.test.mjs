// End-to-end: how the wasm app comes alive over the prerendered article
// (crates/youcpu-web/src/mount.rs): each widget and the contents get their own root, in view
// first, then as the reader comes near, one per task; the prose is never replaced; nothing
// moves; each widget family's part of the wasm is fetched once, when the reader comes near one
// of its widgets, the deep link's first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bringLive, whenAllLive, whenLive } from './drive.mjs';
import { useSite } from './site.mjs';
import { serve } from './server.mjs';

const site = useSite();

// Before any script of the page runs: record every node removed from the document (with where
// it was) and every layout shift.
async function recordChanges(page) {
  await page.addInitScript(() => {
    window.__removed = [];
    window.__shifts = [];
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.removedNodes) {
          if (n.nodeType !== 1) continue;
          const t = r.target;
          window.__removed.push({
            node: `${n.tagName.toLowerCase()}${n.dataset?.slot ? `[data-slot=${n.dataset.slot}]` : ''}`,
            from: t.nodeType === 1 ? `${t.tagName.toLowerCase()}${t.id ? '#' + t.id : ''}${t.dataset?.slot ? `[data-slot=${t.dataset.slot}]` : ''}` : '#document',
            // Inside a placeholder (removed while Yew re-renders a live widget) or not.
            inSlot: t.nodeType === 1 && !!t.closest('[data-slot]'),
          });
        }
      }
    }).observe(document, { childList: true, subtree: true });
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__shifts.push(e.value);
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

// Each widget's family, the part of the wasm that carries it (crates/youcpu-web/src/widgets/mod.rs).
const FAMILY = {
  asm: 'cpu', 'fetch-execute': 'cpu', rings: 'cpu', syscall: 'cpu',
  preemption: 'sched', scheduler: 'sched', timeslice: 'sched',
  execve: 'exec', 'binfmt-misc': 'exec', 'shell-fallback': 'exec', 'elf-inspector': 'exec', 'elf-loader': 'exec', linking: 'exec', 'ld-so': 'exec',
  'page-walk': 'paging', 'demand-paging': 'paging', 'fork-cow': 'paging', 'process-tree': 'paging',
  'your-program': 'programs', signals: 'programs',
};

/** The families of the widgets live on the page. */
async function liveWidgetFamilies(page) {
  const ids = await page.evaluate(() => [...document.querySelectorAll('[data-slot][data-live]')].map((s) => s.dataset.slot));
  return new Set(ids.filter((id) => id !== 'toc').map((id) => FAMILY[id]));
}

/** The wasm the page asked for: `app` (the main module) and each family part's name. */
function wasmAsked(requests) {
  const files = requests.map((u) => new URL(u).pathname.slice(1));
  return {
    app: files.some((f) => /^youcpu-web-[0-9a-f]{16}_bg\.wasm$/.test(f)),
    parts: files.filter((f) => f.startsWith('youcpu-part-')).map((f) => f.split('-')[2]),
  };
}

/** A page at the top of the article, `width` x `height`, recording its requests and page errors, once its load is done. */
async function openAtTop(width, height) {
  const page = await site.browser.context.newPage();
  await page.setViewportSize({ width, height });
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${site.server.url}/`);
  await whenLive(page);
  return { page, requests, errors };
}

test('mount: every widget has its family', async () => {
  const page = await site.browser.context.newPage();
  await page.goto(`${site.server.url}/`);
  const ids = await page.locator('[data-widget]').evaluateAll((els) => els.map((e) => e.dataset.widget));
  assert.deepEqual(ids.filter((id) => !FAMILY[id]), []);
  await page.close();
});

test('mount: at the top of the page only the first view\'s code is fetched until the reader scrolls', async () => {
  // On a phone the first widget is several screens down: no app at all. On a desktop the first
  // widget (asm) is within the mounting distance: the app and its family's part, no other.
  for (const [width, height, first] of [[412, 823, []], [1280, 900, ['cpu']]]) {
    const { page, requests, errors } = await openAtTop(width, height);
    // The load is done, and stays so while the reader stays.
    await page.waitForTimeout(1500);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.live), 'near');
    assert.ok(await page.evaluate(() => performance.getEntriesByName('youcpu-live').length === 1), 'the load is marked done');
    assert.deepEqual(wasmAsked(requests), { app: first.length > 0, parts: first }, `${width} px: wasm fetched at the top of the page`);
    const live = await page.locator('[data-slot][data-live]:not([data-slot="toc"])').evaluateAll((els) => els.map((e) => e.dataset.slot));
    assert.deepEqual(live.map((id) => FAMILY[id]).filter((f) => !first.includes(f)), [], `${width} px: widgets live ${live}`);
    assert.ok(live.length <= 1, `${width} px: widgets live ${live}`);

    // The reader scrolls to the first widget: the app and the cpu part come, the widget goes live.
    await bringLive(page, 'asm');
    let asked = wasmAsked(requests);
    assert.ok(asked.app, 'the app fetched');
    assert.ok(asked.parts.includes('cpu'), `parts: ${asked.parts}`);
    let families = await liveWidgetFamilies(page);
    for (const f of asked.parts) assert.ok(families.has(f), `the ${f} part fetched, none of its widgets live`);
    assert.ok(!asked.parts.includes('paging'), 'the paging part fetched while the reader is at asm');
    assert.equal(await page.locator('[data-slot="page-walk"][data-live]').count(), 0, 'page-walk mounted while far');

    // On to paging: its part comes, page-walk goes live, each part fetched once.
    await bringLive(page, 'page-walk');
    asked = wasmAsked(requests);
    assert.ok(asked.parts.includes('paging'), `parts: ${asked.parts}`);
    assert.equal(asked.parts.length, new Set(asked.parts).size, `a part fetched twice: ${asked.parts}`);
    families = await liveWidgetFamilies(page);
    for (const f of asked.parts) assert.ok(families.has(f), `the ${f} part fetched, none of its widgets live`);
    assert.notEqual(await page.evaluate(() => document.documentElement.dataset.live), 'all', 'every widget mounted');
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('mount: a family\'s part is fetched as the reader approaches, before its first widget mounts', async () => {
  // The boot script fetches a family's part when one of its widgets comes within three viewport
  // heights (crates/youcpu-web/src/bin/prerender.rs), twice the distance at which it mounts.
  const { page, requests, errors } = await openAtTop(1280, 900);
  assert.ok(!wasmAsked(requests).parts.includes('sched'), 'the sched part fetched at the top');
  // Two viewport heights above preemption, the schedulers' first widget: past the mounting
  // distance, within the fetching one.
  await page.evaluate(() => {
    const top = document.querySelector('[data-widget="preemption"]').getBoundingClientRect().top + scrollY;
    scrollTo(0, top - 3 * innerHeight);
  });
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/youcpu-part-sched-')));
  await page.waitForTimeout(500);
  assert.equal(await page.locator('[data-slot="preemption"][data-live]').count(), 0, 'preemption mounted while two screens away');
  assert.ok(!(await liveWidgetFamilies(page)).has('sched'), 'a sched widget mounted while two screens away');
  // The reader goes on: the widget mounts with the part already fetched, fetched once.
  await bringLive(page, 'preemption');
  assert.deepEqual(wasmAsked(requests).parts.filter((f) => f === 'sched'), ['sched']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('mount: every piece goes live in its placeholder and the prose is never replaced', async () => {
  const page = await site.browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await recordChanges(page);
  await page.goto(`${site.server.url}/`);
  // The prerendered paragraph the reader may already be reading: the same node after mounting.
  await page.evaluate(() => {
    window.__firstPara = document.querySelector('#basics p');
    window.__toc = document.querySelector('[data-testid="toc"]');
  });
  // As a reader scrolling through the whole article.
  await whenAllLive(page);
  await page.waitForTimeout(300);

  const slots = await page.locator('[data-slot]').evaluateAll((els) => els.map((e) => [e.dataset.slot, e.dataset.live ?? null]));
  const widgets = await page.locator('[data-widget]').evaluateAll((els) => els.map((e) => e.dataset.widget));
  assert.equal(slots.length, widgets.length + 1, 'a placeholder per widget, and one for the contents');
  assert.deepEqual(slots.filter(([, live]) => live !== 'true'), [], 'every placeholder is live');
  assert.deepEqual(slots.map(([id]) => id).filter((id) => id !== 'toc').sort(), [...widgets].sort());
  assert.ok(await page.evaluate(() => window.__firstPara.isConnected), 'the first paragraph is the prerendered node');

  // The only nodes taken out of the page are whole placeholders (each swapped for its live
  // twin) and nodes inside live widgets: never prose, headings or parts.
  const removed = await page.evaluate(() => window.__removed);
  const outside = removed.filter((r) => !r.inSlot && !r.node.startsWith('div[data-slot='));
  assert.deepEqual(outside, []);
  const swapped = removed.filter((r) => r.node.startsWith('div[data-slot=')).map((r) => r.node);
  assert.equal(swapped.length, widgets.length, 'each widget placeholder swapped once');
  assert.deepEqual(new Set(swapped), new Set(widgets.map((id) => `div[data-slot=${id}]`)));
  // The contents are made live in place: the very nodes first painted.
  assert.ok(await page.evaluate(() => window.__toc.isConnected), 'the prerendered contents are kept');

  // Marks: each piece mounted, then live; the in-view mark before the load's.
  const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]));
  const names = marks.map(([n]) => n);
  for (const [id] of slots) {
    assert.ok(names.includes(`youcpu-mount:${id}`), `mount mark for ${id}`);
    assert.ok(names.indexOf(`youcpu-mount:${id}`) < names.indexOf(`youcpu-live:${id}`), `${id} mounted before live`);
  }
  assert.ok(names.indexOf('youcpu-view-live') >= 0 && names.indexOf('youcpu-view-live') <= names.indexOf('youcpu-live'));

  // Every widget family's part was fetched, once (tools/youcpu-split), as the reader came near.
  const parts = await page.evaluate(() => performance.getEntriesByType('resource')
    .map((r) => r.name.split('/').pop()).filter((f) => f.startsWith('youcpu-part-')).map((f) => f.split('-')[2]));
  assert.deepEqual(parts.sort(), ['cpu', 'exec', 'paging', 'programs', 'sched']);

  // Nothing moved while the widgets came alive (the prerendered boxes are the live ones).
  const cls = await page.evaluate(() => window.__shifts.reduce((a, b) => a + b, 0));
  assert.ok(cls < 0.001, `layout shift ${cls}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('mount: the widget a link points at comes alive first, with the pieces in view', async () => {
  // The app's main module fetches one part per widget family (tools/youcpu-split), the target's
  // first and alone: `family` is the part its widget is in (crates/youcpu-web/src/widgets/mod.rs).
  for (const [id, width, family] of [['fork-cow', 1280, 'paging'], ['execve', 1280, 'exec'], ['asm', 360, 'cpu']]) {
    const page = await site.browser.context.newPage();
    await page.setViewportSize({ width, height: 800 });
    await recordChanges(page);
    await page.goto(`${site.server.url}/#widget-${id}`);
    await whenLive(page);
    const order = await page.evaluate(() => performance.getEntriesByType('mark')
      .map((m) => m.name).filter((n) => n.startsWith('youcpu-mount:')).map((n) => n.slice('youcpu-mount:'.length)));
    // The pieces on screen when mounting began: the target, and the contents (its reading
    // progress bar is fixed at the top of the viewport).
    const first = [id, 'toc'].sort();
    assert.deepEqual(order.slice(0, first.length).sort(), first, `${id} at ${width}px: ${order.join(' ')}`);
    // The target's family part is fetched first and alone: the others only once it is in, and
    // only the families of widgets near the target (those now live).
    const parts = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((r) => r.name.split('/').pop().startsWith('youcpu-part-'))
      .map((r) => ({ family: r.name.split('/').pop().split('-')[2], start: r.startTime, end: r.responseEnd }))
      .sort((a, b) => a.start - b.start));
    assert.equal(parts[0]?.family, family, `${id}: the first part fetched`);
    const during = parts.slice(1).filter((p) => p.start < parts[0].end).map((p) => p.family);
    assert.deepEqual(during, [], `${id}: parts fetched while the ${family} part was`);
    const liveFamilies = await liveWidgetFamilies(page);
    for (const p of parts) assert.ok(liveFamilies.has(p.family), `${id}: the ${p.family} part fetched, none of its widgets live`);
    // The rest by distance: the next one mounted (if one is near) is a neighbour of the target.
    const docOrder = await page.locator('[data-slot]').evaluateAll((els) => els.map((e) => e.dataset.slot).filter((s) => s !== 'toc'));
    const at = docOrder.indexOf(id);
    const next = order.filter((s) => s !== 'toc')[1];
    if (next !== undefined) assert.ok([docOrder[at - 1], docOrder[at + 1]].includes(next), `${next} is next to ${id}`);
    // Far widgets stay prerendered: the page is not live all through.
    assert.notEqual(await page.evaluate(() => document.documentElement.dataset.live), 'all', `${id}: every widget mounted`);
    // Still where the link put it: at the top, below its 1rem scroll margin.
    const top = await page.locator(`#widget-${id}`).evaluate((e) => e.getBoundingClientRect().top);
    assert.ok(top >= 0 && top <= 20, `#widget-${id} at ${top}px from the top`);
    await page.close();
  }
});

test('mount: a family part that cannot be fetched leaves its widgets as prerendered, the rest live', async () => {
  // The build without the schedulers' part (as if its request failed).
  const dist = process.env.DIST ?? 'dist';
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'youcpu-nopart-'));
  fs.cpSync(dist, copy, { recursive: true });
  const sched = fs.readdirSync(copy).filter((f) => /^youcpu-part-sched-[0-9a-f]{16}\.wasm/.test(f));
  assert.ok(sched.length > 0, 'the build has a sched part');
  for (const f of sched) fs.rmSync(path.join(copy, f));
  const server = await serve(copy);
  const page = await site.browser.context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  try {
    await page.goto(`${server.url}/#widget-preemption`);
    const schedulers = ['preemption', 'scheduler', 'timeslice'];
    // The load's work ends (mounting goes on past the failed part).
    await whenLive(page);
    // A widget of another family, when the reader comes near it, goes live.
    await bringLive(page, 'asm');
    for (const id of schedulers) {
      await page.locator(`[data-widget="${id}"]`).scrollIntoViewIfNeeded();
      await page.waitForFunction((w) => performance.getEntriesByName(`youcpu-mount:${w}`).length > 0, id);
      const slot = page.locator(`[data-slot="${id}"]`);
      assert.equal(await slot.getAttribute('data-live'), null, `${id} stays prerendered`);
      assert.ok((await slot.locator('[data-widget]').count()) > 0, `${id}'s prerendered widget is still there`);
    }
    // No panic: the module still answers (its banner would say the simulator stopped).
    assert.equal(await page.locator('.panic-banner').count(), 0);
    assert.ok(errors.some((e) => e.includes('could not load') && e.includes('youcpu-part-sched-')), errors.join('\n'));
    assert.ok(errors.every((e) => !e.startsWith('pageerror')), errors.join('\n'));
  } finally {
    await page.close();
    await server.close();
    fs.rmSync(copy, { recursive: true, force: true });
  }
});
