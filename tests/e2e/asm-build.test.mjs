// End-to-end: the asm widget's "Build and run" view on the release build: the reader edits the
// hello world, builds and runs it, and sees the new output, the exit status, the segments, the
// system calls and a download link; junk gives a line-numbered error; a runaway loop stops at
// the step budget while the page stays responsive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { AsmPage } from './pages.mjs';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { useSite } from './site.mjs';

const AXE = path.resolve('node_modules/axe-core/axe.min.js');

/** axe-core's violations inside the asm widget (the build view is not the page's default). */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await axe.run('[data-widget="asm"]', { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
}

const site = useSite();

async function openBuild(url) {
  const { page, errors, requests } = await openPage(site.browser.context, url);
  const asm = await new AsmPage(page).ready();
  await asm.el('asm-mode-build').click();
  await asm.el('asm-program').waitFor();
  return { page, errors, requests, asm };
}

test('asm build: edit the hello, build and run, see the new output and status', async () => {
  const { page, errors, requests, asm } = await openBuild(`${site.server.url}/#widget-asm`);
  const src = await asm.el('asm-program').inputValue();
  assert.match(src, /Hello, world!/);
  const edited = src.replace('Hello, world!', 'Hi from my own ELF').replace('xor edi, edi        # exit status 0', 'mov edi, 42');
  await asm.el('asm-program').fill(edited);
  await asm.el('asm-build-run').click();
  await asm.el('asm-build-stdout').getByText('Hi from my own ELF').waitFor();
  assert.equal(await asm.el('asm-build-stdout').textContent(), 'Hi from my own ELF\n');
  assert.equal(await asm.el('asm-build-exit').textContent(), 'exited with status 42');
  assert.equal(await asm.el('asm-build-steps').textContent(), '8');
  assert.match(await asm.el('asm-build-status').textContent(), /Built a [\d,]+-byte ELF file; it ran 8 instructions and exited with status 42/);
  assert.equal(await asm.el('asm-build-status').getAttribute('aria-live'), 'polite');
  assert.match(await asm.el('asm-build-size').textContent(), /static x86-64 ELF executable of [\d,]+ bytes, entered at 0x4000b0 \(the label _start\)/);
  assert.match(await asm.el('asm-build-seg-0').textContent(), /PT_LOADr-x0x400000/);
  assert.match(await asm.el('asm-build-seg-1').textContent(), /PT_LOADrw-/);
  assert.match(await asm.el('asm-build-holds-1').textContent(), /\.data \(19 bytes\)/);
  assert.match(await asm.el('asm-build-syscall-0').textContent(), /^write\(1, "Hi from my own ELF\\n", 19\) = 19.*standard output/);
  assert.match(await asm.el('asm-build-syscall-1').textContent(), /^exit\(42\) = \?Ends the process/);
  // The download link: a blob: URL made in the page; the bytes are an ELF file.
  const link = asm.el('asm-build-download');
  assert.equal(await link.getAttribute('download'), 'program');
  const href = await link.getAttribute('href');
  assert.match(href, /^blob:/);
  const bytes = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), href);
  assert.deepEqual(bytes.slice(0, 4), [0x7f, 0x45, 0x4c, 0x46]);
  // The downloaded file runs on this Linux machine with the same output and status.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'youcpu-download-'));
  const exe = path.join(dir, 'program');
  fs.writeFileSync(exe, Buffer.from(bytes), { mode: 0o755 });
  const native = spawnSync(exe, [], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(native.stdout, 'Hi from my own ELF\n');
  assert.equal(native.status, 42);
  assert.match(await asm.el('asm-build-size').textContent(), new RegExp(`of ${bytes.length.toLocaleString('en-US')} bytes`));
  // The program is in the URL (base64url) and comes back from it.
  await page.waitForURL(/asm-mode=build/);
  await page.waitForURL(/asm-prog=[A-Za-z0-9_-]+/);
  const { page: again, asm: asm2 } = await openBuild(page.url());
  assert.equal(await asm2.el('asm-program').inputValue(), edited);
  await again.close();
  await shoot(asm.root, 'asm-build.png');
  assert.deepEqual(await axeViolations(page), []);
  // Nothing was sent anywhere: every request stayed on this server (or was the blob).
  assert.deepEqual(requests.filter((u) => !u.startsWith(site.server.url) && !u.startsWith('blob:')), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('asm build: junk gives line-numbered errors; a runaway loop stops at the budget', async () => {
  const { page, errors, asm } = await openBuild(`${site.server.url}/#widget-asm`);
  await asm.el('asm-program').fill('_start:\n    mov eax, 1\n    mvo edi, 1\n    jmp nowhere\n');
  await asm.el('asm-build-run').click();
  await asm.el('asm-build-errors').waitFor();
  assert.match(await asm.el('asm-build-error-3').textContent(), /Line 3: .*mvo/);
  assert.match(await asm.el('asm-build-error-4').textContent(), /Line 4: nowhere is not defined/);
  assert.match(await asm.el('asm-build-status').textContent(), /Build failed with 2 errors: line 3/);
  assert.equal(await asm.el('asm-build-download').count(), 0);
  // "Line 4" selects that line in the editor.
  await asm.el('asm-build-goto-4').click();
  const sel = await asm.el('asm-program').evaluate((t) => t.value.slice(t.selectionStart, t.selectionEnd));
  assert.equal(sel, '    jmp nowhere');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'asm-program');
  await shoot(asm.root, 'asm-build-error.png');
  assert.deepEqual(await axeViolations(page), []);

  await asm.el('asm-program').fill('_start:\nagain:\n    inc rax\n    jmp again\n');
  await asm.el('asm-build-run').click();
  // While it runs in slices the page still answers.
  assert.equal(await page.evaluate(() => 1 + 1), 2);
  await asm.el('asm-build-exit').getByText(/step budget/).waitFor({ timeout: 60_000 });
  assert.equal(await asm.el('asm-build-steps').textContent(), '5,000,000');
  assert.equal(await asm.el('asm-build-stop').count(), 0);
  // A fault: writing to the code segment is SIGSEGV.
  await asm.el('asm-program').fill('_start:\n    mov byte ptr [_start], 0\n');
  await asm.el('asm-build-run').click();
  await asm.el('asm-build-exit').getByText(/SIGSEGV/).waitFor();
  assert.match(await asm.el('asm-build-exit').textContent(), /status 139/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('asm build: fits a 360 px screen', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/?asm-mode=build#widget-asm`);
  await page.setViewportSize({ width: 360, height: 800 });
  const asm = await new AsmPage(page).ready();
  await asm.el('asm-build-run').click();
  await asm.el('asm-build-stdout').getByText('Hello, world!').waitFor();
  const overflow = await asm.root.evaluate((el) => el.scrollWidth - el.clientWidth);
  assert.ok(overflow <= 1, `the widget overflows by ${overflow}px`);
  await shoot(asm.root, 'asm-build-360.png');
  assert.deepEqual(errors, []);
  await page.close();
});
