// End-to-end: the ELF loader steps through load_elf_binary and builds the initial stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('elf-loader: segments, then the stack from the top down to argc', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-elf-loader`);
  const w = page.locator('[data-widget="elf-loader"]');
  await w.waitFor();
  assert.match(await w.getByTestId('el-step-0').textContent(), /ELF64/);
  await w.getByTestId('el-next').click();
  await w.getByTestId('el-next').click();
  assert.match(await w.getByTestId('el-steps').textContent(), /r-x/);
  await page.waitForURL(/el-step=3/);
  await w.getByTestId('el-argv').fill('./hello\nfirst\nsecond');
  await w.getByTestId('el-end').click();
  // The stack's table is built when its <details> is opened.
  assert.equal(await w.getByTestId('el-stack').count(), 0, 'no table while closed');
  await w.getByTestId('el-stack-open').click();
  const stack = await w.getByTestId('el-stack').textContent();
  assert.match(stack, /argc = 3/);
  assert.match(stack, /AT_RANDOM/);
  assert.match(stack, /"second"/);
  assert.match(await w.getByTestId('el-steps').textContent(), /RSP = 0x7ffffff/);
  // The BSS: the tail of the data page cleared, then anonymous pages.
  await w.getByTestId('el-example').selectOption('1');
  await w.getByTestId('el-end').click();
  assert.match(await w.getByTestId('el-steps').textContent(), /cleared to zero.*anonymous zero pages/);
  // The PIE with an interpreter: a load bias and a base for the loader.
  await w.getByTestId('el-example').selectOption('2');
  await w.getByTestId('el-end').click();
  const steps = await w.getByTestId('el-steps').textContent();
  assert.match(steps, /load bias of 0x/);
  assert.match(steps, /PT_INTERP names \/lib64\/ld-linux-x86-64\.so\.2/);
  assert.match(steps, /interpreter's entry point/);
  await shoot(w, 'elf-loader.png');
  // A file that is not ELF gives a message, not a broken page.
  await w.getByTestId('el-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just text\n') });
  await w.getByTestId('el-source').filter({ hasText: 'notes.txt' }).waitFor();
  assert.match(await w.getByTestId('el-steps').textContent(), /ENOEXEC/);
  assert.deepEqual(errors, []);
  await page.close();
});
