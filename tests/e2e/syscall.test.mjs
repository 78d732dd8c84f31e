// End-to-end: syscall and int 0x80 side by side on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('syscall: getpid and exit(1) through syscall (LSTAR, sysret), exit(1) through int 0x80', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-syscall`);
  const w = page.locator('[data-widget="syscall"]');
  await w.waitFor();
  await w.getByTestId('sc-sc-step').click();
  assert.match(await w.getByTestId('sc-sc-log').textContent(), /call 0x/);
  await w.getByTestId('sc-sc-run').click();
  const log = await w.getByTestId('sc-sc-log').textContent();
  assert.match(log, /RIP = LSTAR = 0xffffffff81000000/);
  assert.match(log, /system call 39 \(getpid\) and returned 1 in rax/);
  assert.match(log, /exited with status 1/);
  assert.ok(await w.getByTestId('sc-sc-step').isDisabled());
  await w.getByTestId('sc-i80-run').click();
  const log80 = await w.getByTestId('sc-i80-log').textContent();
  assert.match(log80, /vector 128/);
  assert.match(log80, /exited with status 1/);
  await shoot(w, 'syscall.png');
  await w.getByTestId('syscall-reset').click();
  assert.equal(await w.getByTestId('sc-sc-log').locator('li').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
