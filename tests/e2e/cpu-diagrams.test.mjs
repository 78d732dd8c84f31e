// End-to-end: the CPU family's diagrams (issue 16): fetch-execute, rings, syscall, preemption
// and asm each draw their mechanism from the simulator's state in the initial state, with its
// labelled parts; the picture changes when the reader acts on it by mouse, by touch (a tap
// synthesized by Chromium's input pipeline) and by keyboard; at 360 px the portrait picture
// shows and nothing scrolls sideways; screenshots at 1280 and 360 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

const part = (d, key) => d.locator(`[data-part="${key}"]`);

/** Polls `f` until it is truthy (5 s at most). */
async function until(f, what) {
  const end = Date.now() + 5000;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A finger's tap in the middle of `locator` (or at `pos` inside it): touch events through
 * Chromium's input pipeline with touch emulation on, as Playwright's touchscreen.tap sends them
 * (the persistent context here was not made with hasTouch), and the click the browser derives. */
async function tap(locator, pos) {
  const page = locator.page();
  const cdp = await page.context().newCDPSession(page);
  try {
    // Touch emulation first: it makes the pointer coarse, and the page's controls grow for it.
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await locator.scrollIntoViewIfNeeded();
    const box = await locator.boundingBox();
    const x = box.x + (pos ? pos.x : box.width / 2);
    const y = box.y + (pos ? pos.y : box.height / 2);
    const hit = await locator.evaluate((e, [x, y]) => e.contains(document.elementFromPoint(x, y)), [x, y]);
    assert.ok(hit, 'the tap lands on its target');
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  } finally {
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: false });
    await cdp.detach();
  }
}

const lit = async (loc) => /\bd-hl\b/.test((await loc.getAttribute('class')) ?? '');
const desc = (d) => d.locator('desc').textContent();

/** At 360 px: the page does not scroll sideways and the widget stays inside the viewport. */
async function fitsPhone(page, id) {
  await page.setViewportSize({ width: 360, height: 800 });
  const r = await page.evaluate((id) => {
    const w = document.querySelector(`[data-widget="${id}"]`).getBoundingClientRect();
    const de = document.documentElement;
    return { scroll: de.scrollWidth <= de.clientWidth, left: w.left, right: w.right, width: de.clientWidth };
  }, id);
  assert.ok(r.scroll, `${id}: the page scrolls sideways at 360 px`);
  assert.ok(r.left >= -0.5 && r.right <= r.width + 0.5, `${id}: widget box ${r.left}..${r.right} of ${r.width}`);
}

test('fetch-execute: memory, decoder and CPU drawn; the decoder steps by click, tap and Enter', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-fetch-execute`);
  const w = page.locator('[data-widget="fetch-execute"]');
  const d = w.getByTestId('fe-diagram');
  await d.waitFor();
  for (const k of ['decoder', 'rip', 'reg-rax', 'reg-r15', 'flag-ZF', 'byte-401000']) assert.equal(await part(d, k).count(), 1, k);
  assert.ok(await lit(part(d, 'byte-401000')), 'the bytes at RIP are lit before the first fetch');
  assert.match(await part(d, 'decoder').textContent(), /next is.*mov eax, 0/);
  assert.match(await desc(d), /RIP is 0x401000/);
  await shoot(d, 'diagram-fetch-execute-1280.png');
  await part(d, 'decoder-hit').click();
  await until(async () => /^1 instructions/.test(await w.getByTestId('fe-count').textContent()), 'a click steps');
  await part(d, 'decoder-hit').focus();
  await page.keyboard.press('Enter');
  await until(() => lit(part(d, 'reg-rcx')), 'Enter steps: mov ecx, 1 lights RCX');
  assert.ok(await lit(part(d, 'byte-401005')));
  assert.ok(!(await lit(part(d, 'byte-401000'))));
  assert.match(await desc(d), /b9 01 00 00 00.*rcx: 0x0 → 0x1/);
  await tap(part(d, 'decoder-hit'));
  await until(() => lit(part(d, 'reg-rax')), 'a tap steps: add rax, rcx lights RAX');
  assert.match(await w.getByTestId('fe-count').textContent(), /^3 instructions/);
  await shoot(d, 'diagram-fetch-execute-step-1280.png');
  await fitsPhone(page, 'fetch-execute');
  const n = w.getByTestId('fe-diagram-narrow');
  assert.ok(await n.isVisible(), 'the portrait picture shows on a phone');
  assert.ok(!(await d.isVisible()));
  await tap(part(n, 'decoder-hit'));
  await until(async () => /^4 instructions/.test(await w.getByTestId('fe-count').textContent()), 'a tap on the phone picture steps');
  await shoot(n, 'diagram-fetch-execute-360.png');
  await shoot(w, 'fetch-execute-360.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('rings: the #GP path through the IDT drawn from the start; a ring clicked, tapped or entered runs the instruction there', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-rings`);
  const w = page.locator('[data-widget="rings"]');
  const d = w.getByTestId('rg-diagram');
  await d.waitFor();
  for (const k of ['ring-3', 'ring-0', 'insn', 'door-syscall', 'door-idt', 'handler', 'slot-RIP', 'slot-SS']) assert.equal(await part(d, k).count(), 1, k);
  assert.match(await part(d, 'insn').getAttribute('class'), /d-err/);
  assert.match(await part(d, 'door-idt').getAttribute('class'), /d-err/);
  assert.ok(await lit(part(d, 'handler')));
  assert.match(await desc(d), /#GP\(0\).*gate 13/);
  await shoot(d, 'diagram-rings-1280.png');
  // A corner of ring 0's box, clear of the boxes drawn inside it.
  await part(d, 'ring-0-hit').click({ position: { x: 6, y: 6 } });
  await until(async () => /0x0010/.test(await w.getByTestId('rg-cs').textContent()), 'a click on ring 0 runs it there');
  assert.match(await part(d, 'insn').getAttribute('class'), /d-hl/);
  assert.equal(await part(d, 'handler').count(), 0);
  await part(d, 'ring-3-hit').focus();
  await page.keyboard.press('Enter');
  await until(async () => /d-err/.test(await part(d, 'insn').getAttribute('class')), 'Enter on ring 3 runs it there: #GP again');
  await w.getByTestId('rg-op').selectOption('2');
  await until(async () => /mov cr3, rax/.test(await part(d, 'insn').textContent()), 'the picture follows the instruction chosen');
  await tap(part(d, 'ring-0-hit'), { x: 6, y: 6 });
  await until(async () => /CPL 0/.test(await part(d, 'insn').textContent()), 'a tap on ring 0 runs it there');
  await page.waitForURL(/rg-ring=0/);
  await fitsPhone(page, 'rings');
  await shoot(d, 'diagram-rings-360.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('syscall: each door drawn as a sequence diagram, faint until stepped; steps by click, tap and keys', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-syscall`);
  const w = page.locator('[data-widget="syscall"]');
  const d = w.getByTestId('sc-sc-diagram');
  await d.waitFor();
  for (const k of ['lane-0', 'lane-1', 'lane-2', 'lane-3']) assert.equal(await part(d, k).count(), 1, k);
  assert.match(await d.textContent(), /sysret: ring 3.*exit\(1\): gone/s);
  assert.equal(await d.locator('text.d-hl').count(), 0, 'nothing lit before a step');
  assert.match(await desc(d), /No step taken yet/);
  assert.equal(await w.getByTestId('sc-i80-diagram').locator('[data-part^="lane-"]').count(), 3);
  await w.getByTestId('sc-sc-step').click();
  await until(async () => /^call/.test((await d.locator('text.d-hl').allTextContents()).join('')), 'a click lights the call');
  await w.getByTestId('sc-sc-step').focus();
  await page.keyboard.press(' ');
  await until(async () => /Steps so far: call.*; mov eax, 0x27/.test(await desc(d)), 'Space steps');
  await tap(w.getByTestId('sc-sc-step'));
  await until(async () => (await d.locator('text.d-hl').allTextContents()).includes('RIP = LSTAR, ring 0'), 'a tap steps into the kernel');
  await shoot(w, 'diagram-syscall-1280.png');
  await w.getByTestId('sc-sc-run').click();
  await until(async () => /ended/.test(await desc(d)), 'run to the end');
  await fitsPhone(page, 'syscall');
  await shoot(w, 'diagram-syscall-360.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('preemption: the CPU above each kernel stack; the saved frame grows and shrinks as the switch happens', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-preemption`);
  const w = page.locator('[data-widget="preemption"]');
  const d = w.getByTestId('pe-diagram');
  await d.waitFor();
  assert.equal(await part(d, 'cpu').count(), 1);
  assert.match(await part(d, 'cpu').textContent(), /the kernel \(ring 0\)/);
  await shoot(d, 'diagram-preemption-boot-1280.png');
  await w.getByTestId('pe-step-switch').click();
  await until(async () => /task 1 \(ring 3\)/.test(await part(d, 'cpu').textContent()), 'a click: task 1 runs');
  assert.equal(await d.locator('[data-part^="slot-1-"]').count(), 20, 'task 2 waits with its whole frame');
  assert.equal(await d.locator('[data-part^="slot-0-"]').count(), 0, 'task 1 runs: its kernel stack is empty');
  assert.match(await desc(d), /Task 1 runs in ring 3.*Task 2 waits/);
  // Keys, then a tap: step until the kernel is at work on a stack, which grows slot by slot.
  let depth = 0;
  for (let i = 0; i < 600 && depth < 3; i++) {
    await w.getByTestId('pe-step').focus();
    await page.keyboard.press('Enter');
    depth = await d.locator('[data-part^="slot-0-"]').count();
  }
  assert.match(await part(d, 'cpu').textContent(), /the kernel \(ring 0\)/);
  assert.ok(depth >= 3, `Enter steps into the kernel: ${depth} slots on task 1's stack`);
  await tap(w.getByTestId('pe-step'));
  await until(async () => (await d.locator('[data-part^="slot-0-"]').count()) !== depth, 'a tap pushes or pops a slot');
  assert.match(await desc(d), /RSP points into task 1's kernel stack/);
  await shoot(d, 'diagram-preemption-1280.png');
  await fitsPhone(page, 'preemption');
  await shoot(d, 'diagram-preemption-360.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('asm: the selected instruction drawn as its fields, with ModRM split and lines to its operands', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-asm`);
  const w = page.locator('[data-widget="asm"]');
  const d = w.getByTestId('asm-diagram');
  await d.waitFor();
  // add eax, 512: opcode 05 and imm32, no ModRM.
  for (const k of ['field-0', 'field-1', 'mnemonic', 'operand-0', 'operand-1']) assert.equal(await part(d, k).count(), 1, k);
  assert.equal(await part(d, 'ModRM-mod').count(), 0);
  assert.match(await desc(d), /imm32.*encodes 0x200/);
  await w.getByTestId('asm-row-1').click();
  await until(async () => (await part(d, 'ModRM-rm').count()) === 1, 'a click: add ebx, 128 has a ModRM byte');
  assert.match(await part(d, 'ModRM-mod').textContent(), /mod 11/);
  assert.match(await desc(d), /ModRM\.rm encodes ebx/);
  await shoot(d, 'diagram-asm-1280.png');
  await w.getByTestId('asm-row-3').focus();
  await page.keyboard.press('Enter');
  await until(async () => (await part(d, 'REX-W').count()) === 1, 'Enter: mov rax, 0x80000000 has REX.W');
  assert.match(await part(d, 'REX-W').textContent(), /W=1/);
  await tap(w.getByTestId('asm-row-5'));
  await until(async () => /lea/.test(await part(d, 'mnemonic').textContent()), 'a tap selects lea');
  await fitsPhone(page, 'asm');
  assert.ok(await w.getByTestId('asm-diagram-narrow').isVisible());
  await shoot(w.getByTestId('asm-diagram-narrow'), 'diagram-asm-360.png');
  assert.deepEqual(errors, []);
  await page.close();
});
