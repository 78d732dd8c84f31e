// End-to-end: the signals widget on the release build. The program is fetched when the widget
// mounts; the picture is the user stack with the frame's labelled byte ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { openPage, shoot } from './browser.mjs';
import { useSite } from './site.mjs';

const site = useSite();
const AXE = path.resolve('node_modules/axe-core/axe.min.js');

async function ready(page) {
  const w = page.locator('[data-widget="signals"]');
  await w.waitFor();
  await w.getByTestId('sg-moment-0').waitFor();
  return w;
}

test('signals: the frame, stepped by mouse and keyboard, a range opened, variants', async () => {
  const { page, errors, requests } = await openPage(site.browser.context, `${site.server.url}/#widget-signals`);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const w = await ready(page);
  assert.ok(requests.some((u) => u.endsWith('/programs/bin/sigframe')), 'the program was fetched');
  const d = w.getByTestId('signals-diagram');
  // The start: the faulting instruction, the frame's place drawn, every part labelled.
  assert.match(await w.getByTestId('sg-now').textContent(), /mov eax, dword ptr \[0x10\]/);
  const rows = d.locator('.sg-row');
  assert.ok((await rows.count()) >= 40, `${await rows.count()} ranges`);
  const text = await d.textContent();
  for (const label of ['pretcode', 'uc_flags', 'uc_stack.ss_sp', 'r8', 'rip', 'eflags', 'trapno', 'cr2', 'fpstate', 'uc_sigmask', 'si_signo', 'si_code', 'si_addr', 'fpstate: xmm0-xmm15', 'red zone', 'pending', 'blocked']) {
    assert.ok(text.includes(label), label);
  }
  assert.match(await w.getByTestId('sg-state').textContent(), /pendingnone/);
  await shoot(w, 'signals-start.png');
  // Mouse: to the pending signal.
  await w.getByTestId('sg-next').click();
  assert.match(await w.getByTestId('sg-state').textContent(), /pendingSIGSEGV/);
  // Keyboard: the arrow key on the widget steps to the handler.
  await w.getByTestId('sg-next').focus();
  await page.keyboard.press('ArrowRight');
  assert.match(await w.getByTestId('sg-now').textContent(), /968-byte frame/);
  assert.match(await w.getByTestId('sg-state').textContent(), /blockedSIGSEGV/);
  for (const r of ['rsp', 'rsi', 'rdx']) assert.equal(await d.getByTestId(`sg-arrow-${r}`).count(), 1, r);
  // A range: its bytes and meaning.
  const addr = d.locator('.sg-row[aria-label^="si_addr"]');
  await addr.click();
  assert.equal(await w.getByTestId('sg-hex').textContent(), '10 00 00 00 00 00 00 00');
  assert.match(await w.getByTestId('sg-detail').textContent(), /address/);
  await shoot(w, 'signals-handler.png');
  // Keyboard on a range: Enter opens the return address.
  await d.locator('.sg-row[aria-label^="pretcode"]').focus();
  await page.keyboard.press('Enter');
  assert.match(await w.getByTestId('sg-detail').textContent(), /rt_sigreturn/);
  await page.keyboard.press('ArrowRight');
  assert.match(await w.getByTestId('sg-now').textContent(), /siglongjmp/);
  await page.keyboard.press('ArrowRight');
  assert.match(await w.getByTestId('sg-state').textContent(), /blockednone/);
  // Variants: SIGILL, SA_NODEFER, the handler returns; then the alternate stack.
  await w.getByTestId('sg-kind').selectOption('ill');
  await w.getByTestId('sg-nodefer').check();
  await w.getByTestId('sg-return').check();
  await d.getByTestId('sg-moment-2').click();
  assert.match(await w.getByTestId('sg-now').textContent(), /RDI = 4\b.*Blocked now: none/);
  await d.getByTestId('sg-moment-3').click();
  assert.match(await w.getByTestId('sg-now').textContent(), /rt_sigreturn/);
  await w.getByTestId('sg-onstack').check();
  assert.equal(await d.getByTestId('sg-altstack').count(), 1);
  assert.equal(await d.getByTestId('sg-redzone').count(), 0);
  await shoot(w, 'signals-altstack.png');
  assert.match(await w.getByTestId('sg-out').textContent(), /the handler returned/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('signals at 360 px: no sideways scroll, a tap steps, axe clean in both themes', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  const ctx = await browser.newContext({ hasTouch: true, viewport: { width: 360, height: 800 } });
  const { page, errors } = await openPage(ctx, `${site.server.url}/#widget-signals`);
  const w = await ready(page);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth));
  const wb = await w.boundingBox();
  assert.ok(wb.x >= 0 && wb.x + wb.width <= 360.5, JSON.stringify(wb));
  const next = w.getByTestId('sg-next');
  await next.scrollIntoViewIfNeeded();
  const b = await next.boundingBox();
  await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
  await page.waitForFunction(() => /pendingSIGSEGV/.test(document.querySelector('[data-widget="signals"] [data-testid="sg-state"]')?.textContent ?? ''));
  const m = w.getByTestId('signals-diagram').getByTestId('sg-moment-2');
  await m.scrollIntoViewIfNeeded();
  const mb = await m.boundingBox();
  const desc = () => w.locator('[data-testid="signals-diagram"] > desc').textContent();
  const descBefore = await desc();
  await page.touchscreen.tap(mb.x + mb.width / 2, mb.y + mb.height / 2);
  await page.waitForFunction(() => /968-byte/.test(document.querySelector('[data-widget="signals"] [data-testid="sg-now"]')?.textContent ?? ''));
  assert.notEqual(await desc(), descBefore, 'the picture\'s description follows the moment tapped');
  await shoot(w, 'signals-360.png');
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.addScriptTag({ path: AXE });
    const v = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run('[data-widget="signals"]', { resultTypes: ['violations'] });
      return r.violations.map((x) => ({ id: x.id, nodes: x.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    assert.deepEqual(v, [], `${scheme}: ${JSON.stringify(v)}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
  await browser.close();
});
