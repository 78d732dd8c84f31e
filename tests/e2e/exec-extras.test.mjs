// End-to-end: the binfmt_misc checker and the shell-fallback comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('binfmt-misc: accepted entry claims the class file; a bad one says why', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-binfmt-misc`);
  const w = page.locator('[data-widget="binfmt-misc"]');
  await w.waitFor();
  assert.match(await w.getByTestId('bm-claims').textContent(), /Hello\.class.*"\/usr\/bin\/java", "\/home\/user\/Hello\.class", "arg1"/);
  await w.getByTestId('bm-text').fill(':x:E::py/c::/usr/bin/python3:');
  assert.equal(await w.getByTestId('bm-errno').textContent(), 'EINVAL');
  assert.ok((await w.getByTestId('bm-reason').textContent()).length > 10);
  await shoot(w, 'binfmt-misc.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('shell-fallback: no #! line fails execve but runs from a shell', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#widget-shell-fallback`);
  const w = page.locator('[data-widget="shell-fallback"]');
  await w.waitFor();
  assert.match(await w.getByTestId('sf-bare-summary').textContent(), /ENOEXEC/);
  assert.equal(await w.getByTestId('sf-dash-summary').textContent(), 'runs the file as a shell script');
  await w.getByTestId('sf-preset').selectOption({ index: 2 });
  assert.equal(await w.getByTestId('sf-bash-summary').textContent(), 'exit status 126');
  assert.deepEqual(errors, []);
  await page.close();
});
