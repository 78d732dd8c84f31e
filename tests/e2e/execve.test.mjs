// End-to-end: the execve explorer on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { ExecvePage } from './pages.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('execve: step through a script, edit its shebang, break its permission', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-execve`);
  const ex = await new ExecvePage(page).ready();
  assert.match(await ex.el('ex-counter').textContent(), /^step 1 of \d+$/);
  await ex.el('ex-next').click();
  assert.match(await ex.el('ex-counter').textContent(), /^step 2 of/);
  await ex.el('ex-all').click();
  assert.deepEqual(await ex.argv(), ['"/bin/sh"', '"./hello.sh"', '"world"']);

  // Everything after the interpreter is one argument.
  await ex.el('ex-content').fill('#!/usr/bin/env node --trace\necho hi\n');
  await ex.el('ex-all').click();
  assert.deepEqual(await ex.argv(), ['"/usr/bin/env"', '"node --trace"', '"./hello.sh"', '"world"']);
  await shoot(ex.root, 'execve.png');

  await ex.el('ex-x').uncheck();
  await ex.showAll();
  assert.equal(await ex.el('ex-errno').textContent(), 'EACCES');
  assert.deepEqual(errors, []);
  await page.close();
});

test('execve: the nesting limit gives ELOOP', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-execve`);
  const ex = await new ExecvePage(page).ready();
  await ex.el('ex-pick').selectOption({ index: 10 });
  await ex.showAll();
  assert.equal(await ex.el('ex-errno').textContent(), 'ELOOP');
  assert.deepEqual(errors, []);
  await page.close();
});
