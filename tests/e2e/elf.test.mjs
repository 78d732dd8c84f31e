// End-to-end: the ELF inspector on the release build, with a real file from this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { openPage, shoot } from './browser.mjs';
import { ElfPage } from './pages.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('elf-inspector: the example, then /bin/ls opened from disk, agree with readelf', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-elf-inspector`);
  const elf = await new ElfPage(page).ready();
  assert.equal(await elf.el('elf-type').textContent(), 'EXEC');
  assert.equal(await elf.el('elf-interp').textContent(), 'none (static)');

  const real = fs.realpathSync('/bin/ls');
  await elf.el('elf-file').setInputFiles(real);
  await page.waitForFunction(() => document.querySelector('[data-testid="elf-source"]').textContent.includes('read in your browser'));
  const readelf = execFileSync('readelf', ['-W', '-l', real], { encoding: 'utf8' });
  const interp = readelf.match(/Requesting program interpreter: (.*)\]/)[1];
  assert.equal(await elf.el('elf-interp').textContent(), interp);
  const loads = (readelf.match(/^\s+LOAD\s/gm) ?? []).length;
  assert.equal(await elf.el('elf-segments-table').locator('tbody tr th', { hasText: /^LOAD$/ }).count(), loads);

  // Keyboard: focusing a row highlights its bytes.
  await elf.el('elf-tab-header').click();
  await elf.el('elf-header-table').locator('tbody tr').nth(6).focus();
  assert.match(await elf.el('elf-hex').textContent(), /e_entry: bytes 24–31/);
  assert.equal(await elf.el('elf-hex').locator('.hx.on').count(), 8);
  await shoot(elf.root, 'elf-inspector.png');

  // A file that is not ELF gives a message, not a dead page.
  await elf.el('elf-file').setInputFiles({ name: 'junk.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('not an elf file at all') });
  await elf.el('elf-error').waitFor();
  assert.match(await elf.el('elf-error').textContent(), /Not a readable ELF file/);
  assert.deepEqual(errors, []);
  await page.close();
});
