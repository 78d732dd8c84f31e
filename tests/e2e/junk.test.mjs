// Robustness: junk typed into every text field of every widget, and random files dropped on the
// ELF inspector, must never kill the page: no uncaught error, no panic, and the widgets still
// answer afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './browser.mjs';
import { useSite } from './site.mjs';

const JUNK = [
  '',
  '-1',
  '0',
  '99999999999999999999999999',
  '-9223372036854775809',
  '1e309',
  'NaN',
  '0x',
  '\\',
  '\u0000\u0001\u0002',
  '🦀 ünïcödé ١٢٣',
  'a'.repeat(100_000),
  '::::::::::::',
  '#!/bin/sh\n'.repeat(50),
];

const site = useSite();

test('junk in every field of every widget leaves the page alive', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/`, { live: 'all' });
  await page.locator('[data-widget]').first().waitFor();
  const fields = page.locator('[data-widget] input[type="text"], [data-widget] textarea');
  const n = await fields.count();
  assert.ok(n >= 20, `only ${n} fields found`);
  for (let i = 0; i < n; i++) {
    const f = fields.nth(i);
    if (!(await f.isVisible()) || !(await f.isEditable())) continue;
    for (const junk of JUNK) {
      await f.fill(junk);
    }
  }
  // Still alive: reset, the timeslice widget recomputes when given a good value.
  await page.getByTestId('timeslice-reset').click();
  const tasks = page.locator('[data-widget="timeslice"] [data-testid="ts-tasks"]');
  await tasks.fill('12');
  assert.equal(await page.locator('[data-widget="timeslice"] [data-testid="ts-period"]').textContent(), '9 ms');
  assert.equal(await page.locator('.panic-banner').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('random and malformed files on the ELF inspector give messages', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-elf-inspector`);
  const w = page.locator('[data-widget="elf-inspector"]');
  await w.waitFor();
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const files = [Buffer.alloc(0), Buffer.from([0x7f]), Buffer.from('\x7fELF'), Buffer.from('\x7fELF\x02\x01\x01')];
  for (let k = 0; k < 12; k++) {
    const len = rand() % 4096;
    const b = Buffer.alloc(len);
    for (let i = 0; i < len; i++) b[i] = rand() & 0xff;
    if (k % 2 === 0 && len > 4) b.write('\x7fELF\x02\x01\x01', 0, 'latin1');
    files.push(b);
  }
  for (const [i, buffer] of files.entries()) {
    await w.getByTestId('elf-file').setInputFiles({ name: `junk${i}.bin`, mimeType: 'application/octet-stream', buffer });
    await page.waitForFunction((name) => document.querySelector('[data-testid="elf-source"]')?.textContent.includes(name), `junk${i}.bin`);
  }
  assert.equal(await page.locator('.panic-banner').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
