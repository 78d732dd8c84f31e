// End-to-end: the "your program" widget on the release build. Each example runs to the output
// the same binary prints when run natively on this machine (run here, not written down); a
// dropped static program runs; a dropped dynamic one names the files it lacks, then runs with
// them; the timeline's links reach their sections; a moment opens in fetch-execute's view and
// steps there; keyboard only; touch;
// 360 px; axe in both themes; junk and a fork bomb end with a message and a live page. It also
// reports the speed figures issue #19 asks for (printed, not asserted: they depend on the
// machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { openPage, openTouchPage, overlappingTexts, shoot, textsOutside } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();
const PROGRAMS = path.resolve('web/programs');
const AXE = path.resolve('node_modules/axe-core/axe.min.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'youcpu-yp-'));

/** A copy of an example file with its execute bit (git may not keep it). */
function exe(rel) {
  const to = path.join(tmp, path.basename(rel));
  if (!fs.existsSync(to)) {
    fs.copyFileSync(path.join(PROGRAMS, rel), to);
    fs.chmodSync(to, 0o755);
  }
  return to;
}

/** What the example prints natively (stdout then stderr), with the kernel's argv for #!. */
function native(id) {
  const run = (file, args, input = '', argv0) => {
    try {
      return execFileSync(file, args, { input, env: { PATH: '/bin' }, argv0, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
    } catch (e) {
      return (e.stdout ?? '').toString();
    }
  };
  switch (id) {
    case 'hello-dyn': return run(exe('lib/ld-musl-x86_64.so.1'), [exe('bin/hello-dyn')]);
    case 'upper': {
      const out = execFileSync(exe('bin/upper'), [], { input: 'Shout this, please.\n', stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
      return out;
    }
    case 'args': return run(exe('bin/args'), ['one', 'two', 'three'], '', '/bin/args');
    case 'script': {
      // The real kernel's rewrite, with the #! pointing at a copy here; paths read back as /bin.
      const script = path.join(tmp, 'script');
      const text = fs.readFileSync(path.join(PROGRAMS, 'script'), 'utf8').replace('#!/bin/args', `#!${exe('bin/args')}`);
      fs.writeFileSync(script, text, { mode: 0o755 });
      return run(script, []).split(tmp).join('/bin');
    }
    default: return run(exe(`bin/${id}`), [], '', `/bin/${id}`);
  }
}

const widget = (page) => page.locator('[data-widget="your-program"]');

/**
 * Waits for a run to end and returns the status line. `want` names the ending expected when the
 * previous run's ending is still on show (a refused junk file, then a fork bomb): waiting for
 * any ending would read the old status before the new run has started.
 */
async function finished(w, want = /Exited|Killed|Stopped|refused|budget|could not/) {
  await w.getByTestId('yp-status').filter({ hasText: want }).waitFor({ timeout: 60_000 });
  return w.getByTestId('yp-status').textContent();
}

/** A minimal static x86-64 ELF whose code is `code` (one PT_LOAD, entry at its start). */
function tinyElf(code) {
  const base = 0x400000;
  const h = Buffer.alloc(64 + 56);
  h.write('\x7fELF', 0, 'latin1');
  h[4] = 2; h[5] = 1; h[6] = 1;
  h.writeUInt16LE(2, 16); h.writeUInt16LE(62, 18); h.writeUInt32LE(1, 20);
  h.writeBigUInt64LE(BigInt(base + 120), 24); h.writeBigUInt64LE(64n, 32);
  h.writeUInt16LE(64, 52); h.writeUInt16LE(56, 54); h.writeUInt16LE(1, 56);
  h.writeUInt32LE(1, 64); h.writeUInt32LE(5, 68);
  h.writeBigUInt64LE(0n, 72); h.writeBigUInt64LE(BigInt(base), 80); h.writeBigUInt64LE(BigInt(base), 88);
  const size = BigInt(120 + code.length);
  h.writeBigUInt64LE(size, 96); h.writeBigUInt64LE(size, 104); h.writeBigUInt64LE(0x1000n, 112);
  return Buffer.concat([h, Buffer.from(code)]);
}

test('your-program: nothing is fetched with the page; each example runs to its native output', async () => {
  const { page, errors, requests } = await openPage(site.browser.context, `${site.server.url}/#widget-your-program`);
  assert.deepEqual(requests.filter((u) => u.includes('/programs/')), [], 'no example file in the first load');
  const w = widget(page);
  await w.waitFor();
  const sizes = new Map();
  page.on('response', async (r) => {
    if (r.url().includes('/programs/')) sizes.set(r.url(), (await r.body()).length);
  });
  // The default example, hello-dyn, from Run to its output.
  const t0 = Date.now();
  await w.getByTestId('yp-run').click();
  await w.getByTestId('yp-console').filter({ hasText: 'hello, world' }).waitFor({ timeout: 60_000 });
  const ms = Date.now() - t0;
  assert.match(await finished(w), /Exited with status 0/);
  const fetched = [...sizes.values()].reduce((a, b) => a + b, 0);
  console.log(`your-program: hello-dyn from Run to output ${ms} ms (1x CPU); fetched ${fetched} bytes in ${sizes.size} files`);
  assert.equal(sizes.size, 2);
  assert.equal(await w.getByTestId('yp-console').textContent(), native('hello-dyn'));
  const ids = ['hello', 'fork', 'segv', 'upper', 'args', 'script', 'share'];
  for (const id of ids) {
    const i = ['hello-dyn', ...ids].indexOf(id);
    await w.getByTestId('yp-example').selectOption(String(i));
    const status = await finished(w);
    assert.match(status, /Exited with status 0/, id);
    const want = native(id);
    const got = await w.getByTestId('yp-console').textContent();
    const norm = (s) => s.replace(/pid \d+/g, 'pid #');
    if (id === 'upper') {
      assert.equal(got, `${want}20 bytes\n`, id);
    } else {
      assert.equal(norm(got), norm(want), id);
    }
  }
  // The fork example's story has its fork, a copy-on-write and the wait, and the picture its
  // process tree.
  await w.getByTestId('yp-example').selectOption('2');
  await finished(w);
  await w.getByTestId('yp-story').locator('summary').click();
  const list = await w.getByTestId('yp-list').textContent();
  assert.match(list, /made a new process, pid 2/);
  assert.match(list, /copy-on-write/);
  assert.match(list, /WEXITSTATUS\(s\) == 7/);
  await page.waitForURL(/yp-ex=fork/);
  await shoot(w, 'your-program.png');
  // The share example's two processes both compute: the timer takes the CPU from each in turn.
  await w.getByTestId('yp-example').selectOption(String(['hello-dyn', ...ids].indexOf('share')));
  await finished(w);
  await w.getByTestId('yp-filter-time-slices').click();
  const slices = await w.getByTestId('yp-list').textContent();
  assert.match(slices, /The timer interrupted pid 1, and the scheduler gave the CPU to pid 2/);
  assert.match(slices, /The timer interrupted pid 2, and the scheduler gave the CPU to pid 1/);
  await shoot(w.getByTestId('yp-diagram'), 'your-program-share.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('your-program: dropped files run; a dynamic one names what it lacks', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-your-program`);
  const w = widget(page);
  await w.waitFor();
  const files = w.getByTestId('yp-files');
  await files.setInputFiles(exe('bin/hello'));
  await finished(w);
  assert.equal(await w.getByTestId('yp-console').textContent(), native('hello'));
  // The link says a dropped file cannot travel in it.
  await page.waitForURL(/yp-src=drop/);
  // A dynamic program alone: its interpreter is named, nothing runs yet.
  await files.setInputFiles(exe('bin/hello-dyn'));
  const missing = w.getByTestId('yp-missing');
  await missing.waitFor();
  assert.match(await missing.textContent(), /\/lib\/ld-musl-x86_64\.so\.1/);
  assert.match(await missing.textContent(), /ldd/);
  assert.match(await w.getByTestId('yp-needs').textContent(), /PT_INTERP/);
  // With its loader dropped too, it runs.
  await files.setInputFiles(exe('lib/ld-musl-x86_64.so.1'));
  await finished(w);
  assert.equal(await w.getByTestId('yp-console').textContent(), 'hello, world\n');
  // Junk: a clear message, and the page lives on.
  await files.setInputFiles({ name: 'junk', mimeType: 'application/octet-stream', buffer: Buffer.from('\x7fELF but not at all') });
  assert.match(await finished(w, /refused/), /refused/);
  // A fork bomb under a small budget stops at it.
  await w.getByTestId('yp-budget').fill('3000000');
  const bomb = tinyElf([0xb8, 57, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7]);
  await files.setInputFiles({ name: 'bomb', mimeType: 'application/octet-stream', buffer: bomb });
  assert.match(await finished(w, /step budget|ran out|Killed|Exited/), /step budget|ran out|Killed|Exited/);
  await w.getByTestId('yp-example').selectOption('1');
  assert.match(await finished(w, /Exited with status 0/), /Exited with status 0/);
  assert.deepEqual(errors, []);
  // Opened from a dropped file's link, the page says the file is not in it.
  const again = await openPage(site.browser.context, `${site.server.url}/?yp-src=drop#widget-your-program`);
  assert.match(await widget(again.page).getByTestId('yp-note').textContent(), /never leave/);
  await again.page.close();
  await page.close();
});

test('your-program: keyboard only, a moment opens, links reach their sections, 360 px, axe', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/?yp-ex=segv#widget-your-program`);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const w = widget(page);
  await w.waitFor();
  await finished(w);
  // Keyboard: the timeline is a slider.
  const tl = w.getByTestId('yp-timeline');
  await tl.focus();
  await page.keyboard.press('Home');
  assert.equal(await tl.getAttribute('aria-valuenow'), '1');
  await page.keyboard.press('ArrowRight');
  assert.equal(await tl.getAttribute('aria-valuenow'), '2');
  await page.keyboard.press('End');
  const n = Number(await tl.getAttribute('aria-valuemax'));
  assert.equal(Number(await tl.getAttribute('aria-valuenow')), n);
  // Find the SIGSEGV delivery with the keys.
  for (let i = 0; i < n; i += 1) {
    if (/delivered SIGSEGV/.test(await tl.getAttribute('aria-valuetext'))) break;
    await page.keyboard.press('ArrowLeft');
  }
  assert.match(await w.getByTestId('yp-chosen').textContent(), /si_addr 0x10/);
  // The link in the URL names the event.
  await page.waitForURL(/yp-ev=/);
  // Open the moment: the machine then, in fetch-execute's view (its picture, registers and
  // phases), and one more instruction stepped there.
  await w.getByTestId('yp-open').focus();
  await page.keyboard.press('Enter');
  const opened = w.getByTestId('yp-opened');
  await opened.waitFor();
  assert.match(await w.getByTestId('yp-maps').textContent(), /r-xp/);
  const fe = opened.getByTestId('fe-handed');
  await fe.waitFor();
  assert.ok(await fe.getByTestId('yp-fe-diagram').isVisible(), 'the fetch-execute picture');
  const count = fe.getByTestId('fe-count');
  const since = async () => Number((await count.textContent()).match(/^(\d+) instructions since the moment/)[1]);
  assert.equal(await since(), 0);
  // Step until a user instruction is fetched (the moment may be at a kernel entry): the bytes
  // fetched are the ones the registers showed at RIP before the step.
  const step = fe.getByTestId('fe-step');
  let [atRip, ripBefore, sinceBefore] = ['', '', 0];
  for (let i = 0; i < 20 && !(await fe.getByTestId('fe-fetched').count()); i += 1) {
    atRip = (await fe.getByTestId('fe-at-rip').textContent()).replace('bytes at RIP', '').trim();
    ripBefore = await fe.getByTestId('fe-rip').textContent();
    sinceBefore = await since();
    await step.focus();
    await page.keyboard.press('Enter');
    await fe.getByTestId('fe-phases').waitFor();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  const fetched = await fe.getByTestId('fe-fetched').textContent();
  assert.match(fetched, /^[0-9a-f]{2}( [0-9a-f]{2})*$/);
  assert.ok(atRip.startsWith(fetched), `fetched ${fetched}, RIP showed ${atRip}`);
  assert.match(await fe.getByTestId('fe-decoded').textContent(), /\S/);
  // What executing it did: RIP moved on, or (here, at the SIGSEGV moment) a fault took the CPU
  // into the kernel.
  assert.ok((await fe.getByTestId('fe-rip').textContent()) !== ripBefore || /raised|kernel|signal/.test(await fe.getByTestId('fe-phases').textContent()));
  // Step back gives the machine before that step back.
  await fe.getByTestId('fe-back').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="fe-handed"] [data-testid="fe-phases"]'));
  assert.equal(await fe.getByTestId('fe-rip').textContent(), ripBefore);
  assert.equal(await since(), sinceBefore);
  // The section link scrolls to its heading.
  const why = w.getByTestId('yp-why');
  const href = await why.getAttribute('href');
  await why.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((h) => location.hash === h, href);
  // Once the scroll settles, the section's heading is at the top of the window.
  await page.waitForFunction((h) => {
    const t = document.querySelector(h).getBoundingClientRect().top;
    return t >= -2 && t < 200;
  }, href, { timeout: 5000 });
  // A click on the picture chooses the event drawn there.
  await w.getByTestId('yp-diagram').scrollIntoViewIfNeeded();
  const box = await tl.boundingBox();
  await page.mouse.click(box.x + 2, box.y + box.height / 2);
  assert.equal(await tl.getAttribute('aria-valuenow'), '1');
  // axe, in both themes, on the widget after a run.
  await page.addScriptTag({ path: AXE });
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    const v = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run('[data-widget="your-program"]', { resultTypes: ['violations'] });
      return r.violations.map((x) => ({ id: x.id, nodes: x.nodes.slice(0, 3).map((m) => m.target.join(' ')) }));
    });
    assert.deepEqual(v, [], `${scheme}: ${JSON.stringify(v)}`);
  }
  // 360 px: nothing scrolls sideways.
  await page.setViewportSize({ width: 360, height: 800 });
  await w.getByTestId('yp-story').locator('summary').click();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `page is ${wide} px wide at 360`);
  await shoot(w, 'your-program-360.png');
  assert.deepEqual(errors, []);
  await page.close();
});

/** hello-dyn run to its end and the moment three events before it opened (the program is then
 * in musl's exit path, code at 0x7ffff7f…), at `width` px if given. */
async function helloDynNearItsEnd(width) {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/?yp-ex=hello-dyn#widget-your-program`);
  if (width) await page.setViewportSize({ width, height: 800 });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const w = widget(page);
  await finished(w);
  const tl = w.getByTestId('yp-timeline');
  await tl.focus();
  await page.keyboard.press('End');
  for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowLeft');
  await w.getByTestId('yp-open').click();
  return { page, errors, w };
}

test('your-program at 360 px: a moment in the C library opens in fetch-execute\'s view, every text inside the picture', async () => {
  const { page, errors, w } = await helloDynNearItsEnd(360);
  const fe = w.getByTestId('fe-handed');
  await fe.waitFor();
  await fe.getByTestId('fe-step').click();
  await fe.getByTestId('fe-phases').waitFor();
  const pic = fe.getByTestId('yp-fe-diagram-narrow');
  assert.match(await pic.textContent(), /RIP 0x7ffff7/);
  assert.deepEqual(await textsOutside(pic), []);
  assert.deepEqual(await overlappingTexts(pic), []);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 360);
  assert.deepEqual(errors, []);
  await page.close();
});

test('your-program: speed with 4x CPU throttling and the longest task during a run', async () => {
  const page = await site.browser.context.newPage();
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); })
      .observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${site.server.url}/#widget-your-program`);
  const w = widget(page);
  await w.waitFor();
  const report = {};
  for (const rate of [1, 4]) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await page.evaluate(() => { window.__long = []; });
    const t0 = Date.now();
    await w.getByTestId('yp-run').click();
    await w.getByTestId('yp-console').filter({ hasText: 'hello, world' }).waitFor({ timeout: 120_000 });
    report[`${rate}x`] = Date.now() - t0;
    await finished(w);
    report[`longest task ${rate}x`] = Math.round(Math.max(0, ...(await page.evaluate(() => window.__long))));
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  }
  console.log(`your-program speed (ms): ${JSON.stringify(report)}`);
  await page.close();
});

test('your-program at 1280 px: a dynamic program\'s memory map at a moment, no label over another', async () => {
  const { page, errors, w } = await helloDynNearItsEnd();
  const maps = w.getByTestId('yp-maps-diagram');
  await maps.waitFor();
  // Every region of /proc/PID/maps is drawn, with its start address.
  const lines = (await w.getByTestId('yp-maps').textContent()).trim().split('\n');
  assert.ok(lines.length >= 10, `a dynamic program has many regions: ${lines.length}`);
  const drawn = await maps.textContent();
  for (const l of lines) {
    assert.ok(drawn.includes(l.split('-')[0].replace(/^0+/, '')), `region ${l} drawn`);
    // The name the kernel's /proc/PID/maps gives it (by its last part), [heap] included.
    const f = l.trim().split(/\s+/);
    if (f.length > 5) assert.ok(drawn.includes(`${f[5].split('/').pop()} ${f[1]}`), `region ${l} named as in maps`);
  }
  assert.deepEqual(await textsOutside(maps), []);
  assert.deepEqual(await overlappingTexts(maps), [], 'texts drawn over each other at 1280 px');
  await shoot(w.getByTestId('yp-opened'), 'your-program-moment-1280.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('your-program by touch at 360 px: a tap on the timeline chooses the event drawn there', async () => {
  const { page, ctx, errors } = await openTouchPage(site.browser.context, `${site.server.url}/?yp-ex=segv#widget-your-program`);
  const w = widget(page);
  await finished(w);
  const tl = w.getByTestId('yp-timeline');
  await tl.scrollIntoViewIfNeeded();
  const now = () => page.evaluate(() => document.querySelector('[data-testid="yp-timeline"]')?.getAttribute('aria-valuenow'));
  const desc = () => w.locator('[data-testid="yp-diagram"] > desc').textContent();
  const box = await tl.boundingBox();
  // A tap at the right end chooses the last event, one at the left end the first.
  await page.touchscreen.tap(box.x + box.width - 2, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('[data-testid="yp-timeline"]')?.getAttribute('aria-valuenow') !== '1');
  const last = await now();
  const before = await desc();
  await page.touchscreen.tap(box.x + 2, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('[data-testid="yp-timeline"]')?.getAttribute('aria-valuenow') === '1');
  assert.ok(Number(last) > 1, `the last event is ${last}`);
  assert.notEqual(await desc(), before, 'the picture\'s description follows the event chosen');
  assert.deepEqual(errors, []);
  await ctx.close();
});
