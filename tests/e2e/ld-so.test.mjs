// End-to-end: the ld-so widget runs the real musl loader on hello-dyn (fetched only when the
// widget comes into use), draws the objects at their bases and the call to puts resolved through
// its GOT slot; picking a slot by mouse, touch and keyboard changes the picture; a dropped program
// without its files names them, with the picture its file alone gives; junk gets a message; 360 px without sideways scroll; axe clean
// on the widget in both themes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { linesCrossingTexts, openPage, overlappingTexts, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();
const AXE = path.resolve('node_modules/axe-core/axe.min.js');
const PROGRAMS = path.resolve('web/programs');
const facts = Object.fromEntries(
  fs.readFileSync('web/article/run-facts.txt', 'utf8').split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split('=').map((s) => s.trim())),
);

const picked = (w) => w.getByTestId('ld-picked').textContent();

// The run's summary comes with its picture (before it, the picture is the files' own).
async function done(w) {
  await w.getByTestId('ld-summary').waitFor({ timeout: 60000 });
}

test('ld-so: the example is fetched only when the widget comes into use', async () => {
  const { page, errors, requests } = await openPage(site.browser.context, `${site.server.url}/`);
  const programs = () => requests.filter((u) => u.includes('/programs/'));
  assert.deepEqual(programs(), [], 'nothing fetched at the top of the page');
  const w = page.locator('[data-widget="ld-so"]');
  await w.scrollIntoViewIfNeeded();
  await done(w);
  assert.deepEqual(programs().map((u) => new URL(u).pathname).sort(), ['/programs/bin/hello-dyn', '/programs/lib/ld-musl-x86_64.so.1']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('ld-so: objects at their bases, puts resolved from main through the PLT', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-ld-so`);
  const w = page.locator('[data-widget="ld-so"]');
  await done(w);
  const pic = w.getByTestId('ld-diagram');
  const text = await pic.textContent();
  for (const s of ['hello-dyn', 'ld-musl-x86_64.so.1', 'vdso', 'PLT stub', 'in main:', 'puts', '3 RELATIVE, 3 GLOB_DAT, 2 JUMP_SLOT']) {
    assert.ok(text.includes(s), `${s} in the picture: ${text}`);
  }
  assert.match(await picked(w), /^JUMP_SLOT puts at 0x[0-9a-f]+ \(hello-dyn \+ 0x4000\) now holds 0x[0-9a-f]+ = puts in ld-musl-x86_64\.so\.1/);
  // The page's count is the one the article quotes (both from the simulator).
  const summary = await w.getByTestId('ld-summary').textContent();
  assert.ok(summary.includes(`ran ${facts['ldso.instructions']} instructions and made ${facts['ldso.syscalls']} system calls`), summary);
  const prose = await page.locator('#elf-before-main ~ p').filter({ hasText: 'stops it at the program' }).textContent();
  assert.ok(prose.includes(Number(facts['ldso.instructions']).toLocaleString('en-US')), prose);
  await shoot(w, 'ld-so.png');
  assert.deepEqual(await overlappingTexts(pic), [], 'texts drawn over each other at 1280 px');
  assert.deepEqual(await linesCrossingTexts(pic), [], 'lines drawn across texts at 1280 px');

  // Mouse: a RELATIVE slot; its arrow stays in the program, no call path.
  const rel = pic.locator('[data-hit][aria-label^="RELATIVE"]').first();
  const descBefore = await pic.locator('desc').textContent();
  await rel.click();
  await page.waitForFunction(() => document.querySelector('[data-testid="ld-picked"]').textContent.startsWith('RELATIVE'));
  assert.notEqual(await pic.locator('desc').textContent(), descBefore, 'the picture\'s description follows the slot picked');
  assert.equal(await rel.getAttribute('aria-pressed'), 'true');
  assert.ok(!(await pic.textContent()).includes('PLT stub'));
  assert.match(await picked(w), /= frame_dummy in hello-dyn|= __do_global_dtors_aux in hello-dyn|= __dso_handle in hello-dyn/);

  // Keyboard: Tab to Next slot, Enter; then Tab back into the picture and Space on a slot.
  const before = await picked(w);
  await w.getByTestId('ld-prev').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'ld-next');
  await page.keyboard.press('Enter');
  await page.waitForFunction((old) => document.querySelector('[data-testid="ld-picked"]').textContent !== old, before);
  const weak = pic.locator('[data-hit][aria-label^="GLOB_DAT _ITM_registerTMCloneTable"]');
  await weak.focus();
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('[data-testid="ld-picked"]').textContent.includes('a weak symbol, so it stays null'));

  // Another object: the C library's own slots.
  await pic.locator('[data-hit][aria-label^="ld-musl-x86_64.so.1"]').click();
  await page.waitForFunction(() => /\(ld-musl-x86_64\.so\.1 \+/.test(document.querySelector('[data-testid="ld-picked"]').textContent));
  assert.match(await w.getByTestId('ld-relocs').textContent(), /__stack_chk_guard/);
  await page.waitForURL(/ld-o=2/);
  await shoot(w, 'ld-so-libc.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('ld-so: dropped files: missing loader and libraries named, then run; junk refused', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-ld-so`);
  const w = page.locator('[data-widget="ld-so"]');
  await done(w);
  const file = w.getByTestId('ld-file');
  // hello-dyn alone: its loader is named.
  await file.setInputFiles(path.join(PROGRAMS, 'bin/hello-dyn'));
  const missing = w.getByTestId('ld-missing');
  await missing.waitFor();
  assert.match(await missing.textContent(), /Still missing: \/lib\/ld-musl-x86_64\.so\.1/);
  assert.match(await missing.textContent(), /ldd \.\/hello-dyn/);
  // Before any run, the picture is drawn from the file itself: the program's relocations
  // counted by type (as readelf -r lists them), main's call to puts through its PLT stub at the
  // file's addresses, no base yet and nothing to pick.
  const pre = w.getByTestId('ld-diagram');
  const preText = await pre.textContent();
  for (const t of ['hello-dyn  (the program)', '3 RELATIVE, 3 GLOB_DAT, 2 JUMP_SLOT', 'in main: call', 'PLT stub', 'JUMP_SLOT puts at 0x4000 in hello-dyn']) {
    assert.ok(preText.includes(t), `${t} in the picture before the run: ${preText}`);
  }
  assert.equal(await pre.locator('[data-hit]').count(), 0);
  assert.deepEqual(await overlappingTexts(pre), []);
  // Then the loader, dropped on its own: the run starts with both.
  await file.setInputFiles(path.join(PROGRAMS, 'lib/ld-musl-x86_64.so.1'));
  await done(w);
  assert.match(await w.getByTestId('ld-drop').textContent(), /Your program: hello-dyn, with 1 other file/);
  // A glibc program from this machine: its loader and libc.so.6 are named.
  await w.getByTestId('ld-example').click();
  await done(w);
  await file.setInputFiles('/usr/bin/true');
  await missing.waitFor();
  const t = await missing.textContent();
  assert.match(t, /\/lib64\/ld-linux-x86-64\.so\.2/);
  assert.match(t, /libc\.so\.6/);
  // Junk: a message, and the page lives on.
  await w.getByTestId('ld-example').click();
  await done(w);
  await file.setInputFiles({ name: 'junk.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('not an ELF file at all') });
  await w.getByTestId('ld-error').waitFor();
  assert.match(await w.getByTestId('ld-error').textContent(), /junk\.bin: not an ELF file/);
  await w.getByTestId('ld-example').click();
  await done(w);
  assert.deepEqual(errors, []);
  await page.close();
});

test('ld-so at 360 px with touch: no sideways scroll, a tap picks a slot', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  const ctx = await browser.newContext({ hasTouch: true, viewport: { width: 360, height: 800 } });
  const { page, errors } = await openPage(ctx, `${site.server.url}/#widget-ld-so`);
  const w = page.locator('[data-widget="ld-so"]');
  await done(w);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth));
  const wb = await w.boundingBox();
  assert.ok(wb.x >= 0 && wb.x + wb.width <= 360.5, `widget within the viewport: ${JSON.stringify(wb)}`);
  const cell = w.getByTestId('ld-diagram').locator('[data-hit][aria-label^="GLOB_DAT __cxa_finalize"]');
  await cell.scrollIntoViewIfNeeded();
  const b = await cell.boundingBox();
  await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
  await page.waitForFunction(() => document.querySelector('[data-testid="ld-picked"]').textContent.startsWith('GLOB_DAT __cxa_finalize'));
  assert.match(await picked(w), /= __cxa_finalize in ld-musl-x86_64\.so\.1/);
  await shoot(w, 'ld-so-360.png');
  // Every label readable: none drawn over another (the target's name used to sit on the C
  // library's counts), and the call site's function named in full (it was cut to a dozen letters).
  const pic = w.getByTestId('ld-diagram');
  assert.deepEqual(await overlappingTexts(pic), [], 'texts drawn over each other at 360 px');
  assert.deepEqual(await linesCrossingTexts(pic), [], 'lines drawn across texts at 360 px');
  // The slot's sentence whole in the picture (it was cut short, "in ld-mu…"), in lines.
  const squeeze = (t) => t.replace(/\s+/g, '');
  assert.ok(squeeze(await pic.textContent()).includes(squeeze(await picked(w))), await pic.textContent());
  assert.ok((await pic.textContent()).includes('in __do_global_dtors_aux'), await pic.textContent());
  assert.deepEqual(errors, []);
  await page.close();
  await browser.close();
});

for (const scheme of ['light', 'dark']) {
  test(`ld-so: axe finds no violations in the widget (${scheme} theme)`, async () => {
    const page = await site.browser.context.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${site.server.url}/#widget-ld-so`);
    const w = page.locator('[data-widget="ld-so"]');
    await done(w);
    await w.locator('details').first().evaluate((d) => { d.open = true; });
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document.querySelector('[data-widget="ld-so"]'), { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    assert.deepEqual(result, [], JSON.stringify(result, null, 2));
    if (scheme === 'dark') await shoot(w, 'ld-so-dark.png');
    assert.deepEqual(await overlappingTexts(w.getByTestId('ld-diagram')), []);
    assert.deepEqual(await linesCrossingTexts(w.getByTestId('ld-diagram')), []);
    await page.close();
  });
}
