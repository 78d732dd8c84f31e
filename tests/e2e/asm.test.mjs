// End-to-end: the assembler playground on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { AsmPage } from './pages.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('asm: typing assembly shows the bytes GNU as would emit, each explained', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-asm`);
  const asm = await new AsmPage(page).ready();
  assert.equal(await asm.bytes(0), '05 00 02 00 00');

  await asm.el('asm-source').fill('add ebx, 128\nmov rax, 0x80000000\nfrobnicate rax');
  assert.equal(await asm.bytes(0), '81 c3 80 00 00 00');
  assert.equal(await asm.bytes(1), '48 b8 00 00 00 80 00 00 00 00');
  assert.match(await asm.el('asm-error-2').textContent(), /frobnicate/);

  await asm.el('asm-row-0').click();
  const fields = await asm.el('asm-fields').locator('tr').count();
  assert.ok(fields >= 3, `expected opcode, ModRM and immediate rows, got ${fields}`);
  assert.match(await asm.el('asm-why').textContent(), /./);
  await page.waitForURL(/asm-src=/);

  await shoot(asm.root, 'asm.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('asm: bytes to assembly, with bad hex reported', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-asm`);
  const asm = await new AsmPage(page).ready();
  await asm.el('asm-mode-dis').click();
  await asm.el('asm-hex').fill('05 00 02 00 00 c3');
  assert.equal(await asm.el('asm-text-0').textContent(), 'add eax, 0x200');
  assert.equal(await asm.el('asm-text-1').textContent(), 'ret');
  await asm.el('asm-hex').fill('05 0');
  assert.match(await asm.el('asm-hex-error').textContent(), /odd number/);
  assert.deepEqual(errors, []);
  await page.close();
});
