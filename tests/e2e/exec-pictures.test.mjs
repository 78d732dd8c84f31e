// End-to-end: the pictures of Parts 3 and 4 (issue 16): execve, binfmt-misc, shell-fallback,
// elf-inspector, elf-loader and linking each draw their mechanism in the opening state; the
// picture changes when the reader steps or clicks on it, by mouse, by touch and by keyboard; at
// 360 px nothing scrolls sideways; screenshots at 1280 and 360 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

const widget = (page, id) => page.locator(`[data-widget="${id}"]`);
/** The diagram's description and the labels it draws. */
const read = (w, id) => w.getByTestId(id).evaluate((svg) => ({
  title: svg.querySelector(':scope > title')?.textContent ?? '',
  desc: svg.querySelector(':scope > desc')?.textContent ?? '',
  text: [...svg.querySelectorAll('text')].map((t) => t.textContent).join('|'),
  lit: svg.querySelectorAll('.d-hl').length,
  hits: svg.querySelectorAll('[data-hit][role="button"][tabindex="0"][aria-label]').length,
}));

/** A page 360 px wide in a context with a touch screen, so taps are real touch input. */
async function touchPage(hash) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  const ctx = await browser.newContext({ hasTouch: true, viewport: { width: 360, height: 800 } });
  const { page, errors } = await openPage(ctx, `${site.server.url}/${hash}`);
  return { page, errors, close: () => browser.close() };
}

/** Taps the middle of an element with the touch screen. */
async function tap(page, locator) {
  await locator.scrollIntoViewIfNeeded();
  const b = await locator.boundingBox();
  await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
}

/** At 360 px: the page does not scroll sideways and the widget is inside the viewport. */
async function fits(page, w) {
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
    'the page scrolls sideways');
  const b = await w.boundingBox();
  assert.ok(b.x >= 0 && b.x + b.width <= 360.5, JSON.stringify(b));
  const svgs = await w.locator('svg.diagram').evaluateAll((s) => s.map((e) => e.getBoundingClientRect().right));
  for (const r of svgs) assert.ok(r <= 360.5, `a diagram reaches ${r}`);
}

test('execve: the handler chain and the buffer; a handler clicked, tapped or chosen by key shows its step', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-execve`);
  const w = widget(page, 'execve');
  const d0 = await read(w, 'ex-diagram');
  assert.match(d0.text, /execve: \.\/hello\.sh/);
  assert.match(d0.text, /misc\|.*script\|.*elf\|.*compat_elf/);
  assert.match(d0.text, /bprm->buf/);
  assert.match(d0.desc, /^Step 1 of \d+: execve opens "\.\/hello\.sh"/);
  assert.ok(d0.hits >= 4, `clickable handlers: ${d0.hits}`);
  // Step: the description follows.
  await w.getByTestId('ex-next').click();
  assert.match((await read(w, 'ex-diagram')).desc, /^Step 2 of/);
  // Click the ELF handler of /bin/sh: every step up to its verdict is shown.
  const elf = w.getByTestId('ex-diagram').locator('[data-hit][aria-label*="elf on /bin/sh"]');
  await elf.click();
  const d1 = await read(w, 'ex-diagram');
  assert.match(d1.desc, /the program that runs is \/bin\/sh/);
  assert.match(await w.getByTestId('ex-counter').textContent(), /^step (\d+) of \1$/);
  // Keyboard: focus the script handler and press Enter: back to its claim.
  await w.getByTestId('ex-diagram').locator('[data-hit][aria-label*="script on ./hello.sh"]').focus();
  await page.keyboard.press('Enter');
  const d2 = await read(w, 'ex-diagram');
  assert.match(d2.desc, /script: ✓ claims it/);
  assert.doesNotMatch(d2.desc, /the program that runs/);
  assert.equal(await w.getByTestId('ex-diagram').locator('.xd-interp').count() > 0, true, 'the interpreter is marked in the buffer');
  await shoot(w.getByTestId('ex-diagram'), 'execve-diagram-1280.png');
  assert.deepEqual(errors, []);
  await page.close();

  const t = await touchPage('#widget-execve');
  const tw = widget(t.page, 'execve');
  await fits(t.page, tw);
  await tap(t.page, tw.getByTestId('ex-diagram').locator('[data-hit][aria-label*="elf on /bin/sh"]'));
  await t.page.waitForFunction(() => /the program that runs/.test(document.querySelector('[data-testid="ex-diagram"] > desc')?.textContent));
  await shoot(tw, 'execve-360.png');
  await shoot(tw.getByTestId('ex-diagram'), 'execve-diagram-360.png');
  assert.deepEqual(t.errors, []);
  await t.close();
});

test('binfmt-misc: the fields and the magic matched on a file the reader picks', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-binfmt-misc`);
  const w = widget(page, 'binfmt-misc');
  const d0 = await read(w, 'bm-diagram');
  assert.match(d0.text, /name\|/);
  assert.match(d0.text, /interpreter/);
  assert.match(d0.desc, /Hello\.class: its bytes at offset 0 are ca fe ba be/);
  assert.match(d0.desc, /every byte matches: claimed/);
  // Click another file: its bytes differ.
  await w.getByTestId('bm-diagram').locator('[data-hit][aria-label^="/home/user/hello.sh"]').click();
  assert.match((await read(w, 'bm-diagram')).desc, /hello\.sh: its bytes at offset 0 are 23 21.*a byte differs/);
  // Keyboard: back to the class file.
  await w.getByTestId('bm-diagram').locator('[data-hit][aria-label^="/home/user/Hello.class"]').focus();
  await page.keyboard.press(' ');
  assert.match((await read(w, 'bm-diagram')).desc, /every byte matches/);
  // A refused registration marks its field.
  await w.getByTestId('bm-preset').selectOption({ index: 4 });
  const d1 = await read(w, 'bm-diagram');
  assert.match(d1.desc, /refuses it with EINVAL/);
  assert.ok(await w.getByTestId('bm-diagram').locator('.d-err').count() >= 1);
  await w.getByTestId('bm-preset').selectOption({ index: 0 });
  await shoot(w.getByTestId('bm-diagram'), 'binfmt-misc-diagram-1280.png');
  assert.deepEqual(errors, []);
  await page.close();

  const t = await touchPage('#widget-binfmt-misc');
  const tw = widget(t.page, 'binfmt-misc');
  await fits(t.page, tw);
  await tap(t.page, tw.getByTestId('bm-diagram').locator('[data-hit][aria-label^="/home/user/hello.sh"]'));
  await t.page.waitForFunction(() => /a byte differs/.test(document.querySelector('[data-testid="bm-diagram"] > desc')?.textContent));
  await shoot(tw, 'binfmt-misc-360.png');
  assert.deepEqual(t.errors, []);
  await t.close();
});

test('shell-fallback: three callers, and the picture follows the file', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-shell-fallback`);
  const w = widget(page, 'shell-fallback');
  const d0 = await read(w, 'sf-diagram');
  assert.match(d0.text, /C program\|.*dash\|.*bash/);
  assert.match(d0.desc, /^C program: execve ✗ ENOEXEC.*dash: execve ✗ ENOEXEC, then runs it as a script/);
  assert.equal(d0.lit, 2, 'the two shells\' fallbacks are lit');
  await w.getByTestId('sf-preset').selectOption({ index: 2 });
  const d1 = await read(w, 'sf-diagram');
  assert.match(d1.desc, /gives up: status 126/);
  assert.equal(d1.lit, 0);
  // Keyboard: type a #! line into the file.
  await w.getByTestId('sf-text').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('#!/bin/sh\necho hi\n');
  assert.match((await read(w, 'sf-diagram')).desc, /^C program: execve ✓ runs \/bin\/sh/);
  await w.getByTestId('sf-preset').selectOption({ index: 0 });
  await shoot(w.getByTestId('sf-diagram'), 'shell-fallback-diagram-1280.png');
  assert.deepEqual(errors, []);
  await page.close();

  const t = await touchPage('#widget-shell-fallback');
  const tw = widget(t.page, 'shell-fallback');
  await fits(t.page, tw);
  await shoot(tw, 'shell-fallback-360.png');
  assert.deepEqual(t.errors, []);
  await t.close();
});

test('elf-inspector: the file strip with lines to memory; a segment clicked lights its bytes', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-elf-inspector`);
  const w = widget(page, 'elf-inspector');
  const d0 = await read(w, 'elf-map');
  assert.match(d0.text, /ELF header\|program headers/);
  assert.match(d0.text, /the address space/);
  assert.match(d0.desc, /map to 0x400000/);
  assert.equal(d0.hits, 2);
  await w.getByTestId('elf-map').locator('[data-hit]').nth(1).click();
  assert.match(await w.getByTestId('elf-hex').textContent(), /segment 1 \(LOAD/);
  assert.ok((await read(w, 'elf-map')).lit >= 1);
  await w.getByTestId('elf-map').locator('[data-hit]').nth(0).focus();
  await page.keyboard.press('Enter');
  assert.match(await w.getByTestId('elf-hex').textContent(), /segment 0 \(LOAD/);
  await shoot(w.getByTestId('elf-map'), 'elf-inspector-diagram-1280.png');
  assert.deepEqual(errors, []);
  await page.close();

  const t = await touchPage('#widget-elf-inspector');
  const tw = widget(t.page, 'elf-inspector');
  await fits(t.page, tw);
  await tap(t.page, tw.getByTestId('elf-map').locator('[data-hit]').nth(1));
  await tw.getByTestId('elf-hex').filter({ hasText: 'segment 1 (LOAD' }).waitFor();
  await shoot(tw, 'elf-inspector-360.png');
  assert.deepEqual(t.errors, []);
  await t.close();
});

test('elf-loader: segments land as they are mapped, the stack fills with its pointers', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-elf-loader`);
  const w = widget(page, 'elf-loader');
  const d0 = await read(w, 'el-diagram');
  assert.match(d0.text, /the file \(\d+ bytes\)/);
  assert.match(d0.text, /argc = 1/, 'the stack column is drawn from the start');
  assert.match(d0.desc, /^Step 1 of \d+/);
  assert.match(d0.desc, /Nothing is mapped yet/);
  await w.getByTestId('el-next').click();
  await w.getByTestId('el-next').click();
  const d1 = await read(w, 'el-diagram');
  assert.match(d1.desc, /file bytes 0–\d+ \(r-x\) map to 0x400000/);
  // Click the data segment: every step up to its mapping.
  await w.getByTestId('el-diagram').locator('[data-hit][aria-label^="segment 1"]').click();
  assert.match((await read(w, 'el-diagram')).desc, /\(rw-\) map to 0x40/);
  // Keyboard: to the end, then the stack is described with its pointers.
  await w.getByTestId('el-end').focus();
  await page.keyboard.press('Enter');
  const d2 = await read(w, 'el-diagram');
  assert.match(d2.desc, /argv\[0\] string "\.\/hello"/);
  assert.match(d2.desc, /6 arrows show pointers/);
  assert.ok(await w.getByTestId('el-diagram').locator('.xd-ptr').count() >= 6);
  await shoot(w.getByTestId('el-diagram'), 'elf-loader-diagram-1280.png');
  assert.deepEqual(errors, []);
  await page.close();

  const t = await touchPage('#widget-elf-loader');
  const tw = widget(t.page, 'elf-loader');
  await fits(t.page, tw);
  await tap(t.page, tw.getByTestId('el-diagram').locator('[data-hit][aria-label^="segment 0"]'));
  await t.page.waitForFunction(() => /map to 0x400000/.test(document.querySelector('[data-testid="el-diagram"] > desc')?.textContent));
  await shoot(tw, 'elf-loader-360.png');
  assert.deepEqual(t.errors, []);
  await t.close();
});

test('linking: processes share the library\'s frames; + and − on the picture', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-linking`);
  const w = widget(page, 'linking');
  const d0 = await read(w, 'ln-diagram');
  assert.match(d0.text, /process 1\|.*process 2/);
  assert.match(d0.text, /libc\.so\.6/);
  assert.match(d0.desc, /^2 processes running hello-dyn/);
  const lines = () => w.getByTestId('ln-diagram').locator('.xd-link').count();
  const l2 = await lines();
  await w.getByTestId('ln-diagram').locator('[data-hit][aria-label^="one process more"]').click();
  assert.match((await read(w, 'ln-diagram')).desc, /^3 processes/);
  assert.equal(await lines(), (l2 / 2) * 3, 'one more line to each shared file');
  await w.getByTestId('ln-diagram').locator('[data-hit][aria-label^="one process fewer"]').focus();
  await page.keyboard.press('Enter');
  assert.match((await read(w, 'ln-diagram')).desc, /^2 processes/);
  await shoot(w.getByTestId('ln-diagram'), 'linking-diagram-1280.png');
  assert.deepEqual(errors, []);
  await page.close();

  const t = await touchPage('#widget-linking');
  const tw = widget(t.page, 'linking');
  await fits(t.page, tw);
  await tap(t.page, tw.getByTestId('ln-diagram').locator('[data-hit][aria-label^="one process more"]'));
  await t.page.waitForFunction(() => /^3 processes/.test(document.querySelector('[data-testid="ln-diagram"] > desc')?.textContent));
  await shoot(tw, 'linking-360.png');
  assert.deepEqual(t.errors, []);
  await t.close();
});
