// End-to-end: the process tree on the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();

test('process-tree: a shell runs a command, which exits, becomes a zombie and is reaped', async () => {
  // From the bare boot (a link with no operations), the script plays the whole routine.
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/?pt-ops=-#widget-process-tree`);
  const w = page.locator('[data-widget="process-tree"]');
  await w.waitFor();
  const script = w.getByTestId('pt-script');
  assert.match(await w.getByTestId('pt-proc-1').textContent(), /init/);
  await script.click(); // init forks
  await script.click(); // the child execs sh
  assert.match(await w.getByTestId('pt-proc-2').textContent(), /sh/);
  await script.click(); // sh forks
  await script.click(); // the child execs hello
  assert.match(await w.getByTestId('pt-proc-3').textContent(), /hello/);
  await script.click(); // hello exits
  assert.match(await w.getByTestId('pt-state-3').textContent(), /zombie/);
  // The zombie sits under its parent, the shell, and is drawn as one.
  const node = (pid) => w.getByTestId(`pt-node-${pid}`);
  const box = async (pid) => node(pid).boundingBox();
  assert.ok((await box(3)).y > (await box(2)).y, 'the zombie is drawn under the shell');
  assert.match(await node(3).getAttribute('aria-label'), /zombie, child of pid 2/);
  await shoot(w, 'process-tree.png');
  await script.click(); // sh waits
  assert.equal(await node(3).count(), 0);
  assert.match(await w.getByTestId('pt-log').textContent(), /reaps pid 3/);
  // An orphan is adopted by pid 1.
  await node(2).click();
  await w.getByTestId('pt-2-fork').click();
  await node(2).click();
  await w.getByTestId('pt-2-exit').click();
  assert.match(await w.getByTestId('pt-log').textContent(), /adopted by pid 1/);
  assert.equal(await w.getByTestId('pt-lost-4').count(), 1, 'a dashed line back to the lost parent');
  await node(1).click();
  await w.getByTestId('pt-1-wait').click();
  assert.equal(await node(2).count(), 0);
  assert.equal(await node(4).count(), 1);
  assert.match(await node(4).getAttribute('aria-label'), /child of pid 1/);
  await page.waitForURL(/pt-ops=/);
  await w.getByTestId('pt-undo').click();
  await node(2).click();
  assert.match(await w.getByTestId('pt-state-2').textContent(), /zombie/);
  assert.deepEqual(errors, []);
  await page.close();
});
