// End-to-end: the pictures of Parts 2 and 6 (issue 16): fork-cow, process-tree, timeslice and
// scheduler each draw their mechanism in the opening state, and the picture is the control:
// it answers a mouse click or drag, a touch, and the keyboard; at 360 px nothing scrolls
// sideways; screenshots at 1280 and 360 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linesCrossingTexts, openPage, openTouchPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

const widget = (page, id) => page.locator(`[data-widget="${id}"]`);
const desc = (w, id) => w.locator(`[data-testid="${id}"] > desc`).textContent();

/** A page in a context with a touch screen, 360 px wide, so taps are real touch input. */
function touchPage(url) {
  return openTouchPage(site.browser.context, url);
}

/** A touch drag: pointer events of type touch, from (x0, y) to (x1, y), dispatched on `el`. */
async function touchDrag(locator, x0, x1, y) {
  await locator.evaluate((el, [a, b, yy]) => {
    const ev = (type, x, buttons) => new PointerEvent(type, {
      pointerType: 'touch', pointerId: 7, isPrimary: true, clientX: x, clientY: yy, buttons, bubbles: true,
    });
    el.dispatchEvent(ev('pointerdown', a, 1));
    for (let i = 1; i <= 6; i++) el.dispatchEvent(ev('pointermove', a + ((b - a) * i) / 6, 1));
    el.dispatchEvent(ev('pointerup', b, 0));
  }, [x0, x1, y]);
}

/** At 360 px: the page does not scroll sideways and the widget lies within the viewport. */
async function fits360(page, w, name) {
  await page.setViewportSize({ width: 360, height: 800 });
  await w.scrollIntoViewIfNeeded();
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(over <= 0, `${name}: the page is ${over}px wider than 360 px`);
  const r = await w.evaluate((e) => { const b = e.getBoundingClientRect(); return { left: b.left, right: b.right }; });
  assert.ok(r.left >= 0 && r.right <= 360, `${name}: the widget spans ${r.left}..${r.right}`);
  const svg = await w.locator('svg.diagram').first().evaluate((e) => e.getBoundingClientRect().right);
  assert.ok(svg <= 360, `${name}: its diagram ends at ${svg}`);
  await shoot(w, `${name}-360.png`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('fork-cow: opens on two processes sharing frames; click, key and touch split a copy off', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-fork-cow`);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const w = widget(page, 'fork-cow');
  const d = w.getByTestId('fork-cow-diagram');
  await d.waitFor();
  assert.match(await d.locator('title').textContent(), /Address spaces/);
  for (const pid of [1, 2]) for (const r of ['code', 'data', 'stack']) {
    assert.match(await w.getByTestId(`fc-page-${pid}-${r}`).getAttribute('aria-label'), /read-only: .*\(frame 0x[0-9a-f]+\)/);
  }
  const frameOf = async (pid, r) => (await w.getByTestId(`fc-page-${pid}-${r}`).getAttribute('aria-label')).match(/frame (0x[0-9a-f]+)/)[1];
  assert.equal(await frameOf(1, 'data'), await frameOf(2, 'data'), 'shared after fork');
  assert.match(await desc(w, 'fork-cow-diagram'), /shared by 2 processes/);
  const frames = () => w.locator('[data-testid^="fc-frame-box-"]').count();
  assert.equal(await frames(), 3);
  await shoot(w, 'fork-cow-1280.png');
  assert.deepEqual(await linesCrossingTexts(d), [], 'lines drawn across texts');

  // Mouse: the child writes its data page and gets its own frame, lit.
  await w.getByTestId('fc-page-2-data').click();
  assert.notEqual(await frameOf(2, 'data'), await frameOf(1, 'data'));
  assert.match(await w.getByTestId('fc-page-2-data').getAttribute('aria-label'), /writable/);
  assert.equal(await frames(), 4);
  assert.match(await w.getByTestId(`fc-frame-box-${parseInt(await frameOf(2, 'data'), 16)}`).getAttribute('class'), /d-hl/);
  assert.match(await desc(w, 'fork-cow-diagram'), /pid 2 writes to its data page/);

  // Keyboard: the parent's stack.
  await w.getByTestId('fc-page-1-stack').focus();
  await page.keyboard.press('Enter');
  assert.notEqual(await frameOf(1, 'stack'), await frameOf(2, 'stack'));
  assert.equal(await frames(), 5);
  await fits360(page, w, 'fork-cow');
  assert.deepEqual(errors, []);
  await page.close();

  // Touch.
  const t = await touchPage(`${site.server.url}/#widget-fork-cow`);
  const tw = widget(t.page, 'fork-cow');
  await tw.getByTestId('fc-page-2-stack').scrollIntoViewIfNeeded();
  await tw.getByTestId('fc-page-2-stack').tap();
  assert.match(await tw.getByTestId('fc-page-2-stack').getAttribute('aria-label'), /writable/);
  assert.deepEqual(t.errors, []);
  await t.ctx.close();
});

test('process-tree: opens on init, sh and hello; click, key and touch choose a process; an orphan is drawn adopted', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-process-tree`);
  // Boxes slide to their new places (CSS transitions); measure them where they land.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const w = widget(page, 'process-tree');
  const d = w.getByTestId('process-tree-diagram');
  await d.waitFor();
  const node = (pid) => w.getByTestId(`pt-node-${pid}`);
  for (const [pid, name] of [[1, 'init'], [2, 'sh'], [3, 'hello']]) assert.match(await node(pid).getAttribute('aria-label'), new RegExp(`pid ${pid} ${name}`));
  const y = async (pid) => (await node(pid).boundingBox()).y;
  assert.ok(await y(1) < await y(2) && await y(2) < await y(3), 'each under its parent');
  await shoot(w, 'process-tree-1280.png');

  // Mouse: choose sh, fork it: a fourth box appears under sh.
  await node(2).click();
  assert.equal(await node(2).getAttribute('aria-pressed'), 'true');
  await w.getByTestId('pt-2-fork').click();
  await node(4).waitFor();
  // Same row (a lit box's heavier outline makes its box a pixel taller).
  const sameRow = async (a, b) => Math.abs(await y(a) - await y(b)) < 3;
  assert.ok(await sameRow(4, 3), 'the new child sits beside hello');
  // Keyboard: choose sh again with Enter and make it exit: both children go to pid 1.
  await node(2).focus();
  await page.keyboard.press('Enter');
  await w.getByTestId('pt-2-exit').click();
  assert.match(await node(2).getAttribute('aria-label'), /zombie/);
  assert.equal(await w.getByTestId('pt-lost-3').count(), 1);
  assert.equal(await w.getByTestId('pt-lost-4').count(), 1);
  assert.ok(await sameRow(3, 2), 'the orphans now hang from pid 1, beside sh');
  assert.match(await desc(w, 'process-tree-diagram'), /lost its parent, pid 2, and was adopted by pid 1/);
  await fits360(page, w, 'process-tree');
  assert.deepEqual(errors, []);
  await page.close();

  // Touch: tap init to choose it.
  const t = await touchPage(`${site.server.url}/#widget-process-tree`);
  const tw = widget(t.page, 'process-tree');
  await tw.getByTestId('pt-node-1').scrollIntoViewIfNeeded();
  await tw.getByTestId('pt-node-1').tap();
  assert.equal(await tw.getByTestId('pt-node-1').getAttribute('aria-pressed'), 'true');
  await tw.getByTestId('pt-1-fork').waitFor();
  assert.deepEqual(t.errors, []);
  await t.ctx.close();
});

test('timeslice: dragging a nice knob redistributes the period; keys and touch too', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-timeslice`);
  const w = widget(page, 'timeslice');
  const d = w.getByTestId('timeslice-diagram');
  await d.waitFor();
  assert.equal(await w.locator('[data-testid^="ts-knob-"]').count(), 3);
  assert.match(await desc(w, 'timeslice-diagram'), /period of 6 ms/);
  await shoot(w, 'timeslice-1280.png');
  const slice = (i) => w.getByTestId(`ts-slice-${i}`).textContent();
  const barW = (i) => w.getByTestId(`ts-bar-${i}`).evaluate((e) => e.getBBox().width);
  const before = await slice(2);
  const wide0 = await barW(2);

  // Mouse: drag task 3's knob to the right end of its track (nice 19).
  const knob = w.getByTestId('ts-knob-2');
  await knob.scrollIntoViewIfNeeded();
  const k = await knob.locator('circle').boundingBox();
  const track = await knob.locator('.ts-hit').boundingBox();
  await page.mouse.move(k.x + k.width / 2, k.y + k.height / 2);
  await page.mouse.down();
  await page.mouse.move(k.x + k.width / 2 + 30, k.y + k.height / 2, { steps: 3 });
  const mid = await knob.getAttribute('aria-valuenow');
  assert.ok(Number(mid) > 0, `the value follows the drag (${mid})`);
  await page.mouse.move(track.x + track.width + 40, k.y + k.height / 2, { steps: 3 });
  await page.mouse.up();
  assert.equal(await knob.getAttribute('aria-valuenow'), '19');
  assert.notEqual(await slice(2), before);
  assert.ok(await barW(2) < wide0, 'its slice bar shrank');
  assert.match(await desc(w, 'timeslice-diagram'), /nice 19/);

  // Keyboard: task 1 down to nice -5.
  const k0 = w.getByTestId('ts-knob-0');
  await k0.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  assert.equal(await k0.getAttribute('aria-valuenow'), '-5');
  assert.equal(await w.getByTestId('ts-nice-0').inputValue(), '-5');
  await page.keyboard.press('Home');
  assert.equal(await k0.getAttribute('aria-valuenow'), '-20');
  await fits360(page, w, 'timeslice');
  assert.deepEqual(errors, []);
  await page.close();

  // Touch: a tap at the left end of task 2's track, then a drag to its middle.
  const t = await touchPage(`${site.server.url}/#widget-timeslice`);
  const tw = widget(t.page, 'timeslice');
  const tk = tw.getByTestId('ts-knob-1');
  await tk.scrollIntoViewIfNeeded();
  const tb = await tk.locator('.ts-hit').boundingBox();
  await t.page.touchscreen.tap(tb.x + 4, tb.y + tb.height / 2);
  assert.equal(await tk.getAttribute('aria-valuenow'), '-20');
  await touchDrag(tk, tb.x + 4, tb.x + tb.width / 2, tb.y + tb.height / 2);
  const v = Number(await tk.getAttribute('aria-valuenow'));
  assert.ok(v > -5 && v < 5, `dragged to the middle: ${v}`);
  assert.deepEqual(t.errors, []);
  await t.ctx.close();
});

test('scheduler: dragging a task on the workload chart moves its arrival or length; the policies answer', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-scheduler`);
  const w = widget(page, 'scheduler');
  const d = w.getByTestId('scheduler-workload');
  await d.waitFor();
  assert.equal(await w.locator('[data-testid^="sch-bar-"]').count(), 3);
  assert.match(await desc(w, 'scheduler-workload'), /task 1 arrives at 0 ms and needs 12 ms of CPU/);
  await shoot(w, 'scheduler-1280.png');
  const fifo = () => w.getByTestId('sch-metrics-fifo').textContent();
  assert.match(await fifo(), /avg turnaround 13\.0/);

  // Mouse: drag task 1's bar to the right: it arrives later, and FIFO runs the short jobs first.
  const bar = w.getByTestId('sch-bar-0');
  await bar.scrollIntoViewIfNeeded();
  const b = await bar.boundingBox();
  await page.mouse.move(b.x + 20, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + 20 + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
  const arrival = Number(await w.getByTestId('sch-arrival-0').inputValue());
  assert.ok(arrival >= 3, `task 1 now arrives at ${arrival}`);
  assert.equal(await bar.getAttribute('aria-valuenow'), String(arrival));
  await w.getByTestId('sch-metrics-fifo').waitFor();
  assert.doesNotMatch(await fifo(), /avg turnaround 13\.0/, 'the charts answered');

  // Keyboard: shorten task 1's burst with the grip.
  const grip = w.getByTestId('sch-grip-0');
  await grip.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await w.getByTestId('sch-pattern-0').inputValue(), '10');
  await fits360(page, w, 'scheduler');
  assert.deepEqual(errors, []);
  await page.close();

  // Touch: drag task 2's grip to the right: its burst grows.
  const t = await touchPage(`${site.server.url}/#widget-scheduler`);
  const tw = widget(t.page, 'scheduler');
  const tg = tw.getByTestId('sch-grip-1');
  await tg.scrollIntoViewIfNeeded();
  const gb = await tg.boundingBox();
  await touchDrag(tg, gb.x + gb.width / 2, gb.x + gb.width / 2 + 60, gb.y + gb.height / 2);
  const grown = Number(await tw.getByTestId('sch-pattern-1').inputValue());
  assert.ok(grown > 2, `task 2's burst is now ${grown}`);
  assert.deepEqual(t.errors, []);
  await t.ctx.close();
});

test('scheduler: dragging a task\'s nice knob on the chart re-weighs it; CFS and EEVDF answer; mouse, keys and touch', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-scheduler`);
  const w = widget(page, 'scheduler');
  const d = w.getByTestId('scheduler-workload');
  await d.waitFor();
  const knob = w.getByTestId('sch-knob-0');
  assert.equal(await knob.getAttribute('aria-valuenow'), '0');
  assert.equal(await knob.getAttribute('role'), 'slider');
  assert.equal(await knob.getAttribute('data-equivalent'), 'sch-nice-0');
  const metrics = (key) => w.getByTestId(`sch-metrics-${key}`).textContent();
  /** Polls until the policy's metrics differ from `was` (5 s at most). */
  const answered = async (key, was) => {
    for (let i = 0; i < 100; i++) {
      const now = await w.getByTestId(`sch-metrics-${key}`).count() ? await metrics(key) : was;
      if (now !== was) return now;
      await page.waitForTimeout(50);
    }
    throw new Error(`${key} did not answer`);
  };
  const [cfs0, eevdf0, fifo0] = [await metrics('cfs'), await metrics('eevdf'), await metrics('fifo')];

  // Mouse: take the knob and drag it to the left end of its track: nice −20, task 1 weighs most.
  await knob.scrollIntoViewIfNeeded();
  const k = await knob.locator('circle').boundingBox();
  const track = await knob.locator('.sch-hit').boundingBox();
  await page.mouse.move(k.x + k.width / 2, k.y + k.height / 2);
  await page.mouse.down();
  await page.mouse.move(track.x + 2, k.y + k.height / 2, { steps: 6 });
  await page.mouse.up();
  assert.equal(await w.getByTestId('sch-nice-0').inputValue(), '-20');
  assert.equal(await knob.getAttribute('aria-valuenow'), '-20');
  assert.match(await desc(w, 'scheduler-workload'), /task 1 arrives at 0 ms and needs 12 ms of CPU, at nice -20/);
  const cfs1 = await answered('cfs', cfs0);
  await answered('eevdf', eevdf0);
  assert.equal(await metrics('fifo'), fifo0, 'FIFO does not weigh nice');
  await shoot(d, 'scheduler-nice-1280.png');

  // Keyboard: three steps right, then End.
  await knob.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await w.getByTestId('sch-nice-0').inputValue(), '-17');
  await page.keyboard.press('End');
  assert.equal(await w.getByTestId('sch-nice-0').inputValue(), '19');
  await answered('cfs', cfs1);
  assert.deepEqual(errors, []);
  await page.close();

  // Touch: drag task 2's knob to the right end of its track.
  const t = await touchPage(`${site.server.url}/#widget-scheduler`);
  const tw = widget(t.page, 'scheduler');
  const tk = tw.getByTestId('sch-knob-1');
  await tk.scrollIntoViewIfNeeded();
  const tkb = await tk.locator('circle').boundingBox();
  const ttr = await tk.locator('.sch-hit').boundingBox();
  await touchDrag(tk, tkb.x + tkb.width / 2, ttr.x + ttr.width - 2, tkb.y + tkb.height / 2);
  assert.equal(await tw.getByTestId('sch-nice-1').inputValue(), '19');
  await shoot(tw.getByTestId('scheduler-workload'), 'scheduler-nice-360.png');
  assert.deepEqual(t.errors, []);
  await t.ctx.close();
});
