// End-to-end: the preemption widget on the release build. Preemptive mode switches tasks on
// timer interrupts and every counter advances; cooperative mode with a runaway freezes the others
// and says why; the URL restores settings and position; keys drive it; it fits 360 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linesCrossingTexts, openPage, shoot } from './browser.mjs';
import { whenLive, tabTo } from './drive.mjs';
import path from 'node:path';
import { useSite } from './site.mjs';

const AXE = path.resolve('node_modules/axe-core/axe.min.js');

const site = useSite();

async function open(query = '', media = {}) {
  const page = await site.browser.context.newPage();
  await page.emulateMedia(media);
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${site.server.url}/${query}#widget-preemption`);
  await whenLive(page);
  const w = page.locator('[data-widget="preemption"]');
  await w.waitFor();
  return { page, errors, w };
}

const counter = async (w, i) => Number((await w.getByTestId(`pe-counter-${i}`).textContent()).replace(/,/g, ''));
const counters = async (w) => Promise.all([0, 1, 2].map((i) => counter(w, i)));

async function runFor(page, w, ms) {
  await w.getByTestId('pe-run').click();
  await page.waitForTimeout(ms);
  await w.getByTestId('pe-pause').click();
}

test('preemption: timer interrupts switch tasks, CR3 follows, every counter advances', async () => {
  const { page, errors, w } = await open();
  assert.equal(await w.getByTestId('pe-who').textContent(), 'the kernel');
  await w.getByTestId('pe-step-switch').click();
  assert.match(await w.getByTestId('preemption-live').textContent(), /^Boot: the kernel starts task 1/);
  assert.equal(await w.getByTestId('pe-who').textContent(), 'task 1');
  const cr3a = await w.getByTestId('pe-cr3').textContent();
  await w.getByTestId('pe-step-switch').click();
  assert.match(await w.getByTestId('preemption-live').textContent(), /^Timer: task 1 → task 2/);
  assert.notEqual(await w.getByTestId('pe-cr3').textContent(), cr3a);
  const log = await w.getByTestId('pe-log').textContent();
  assert.match(log, /IDT vector 32/);
  assert.match(log, /CR3 0x[0-9a-f]+ → 0x[0-9a-f]+/);
  assert.match(log, /iretq to RIP 0x400000 in ring 3/);
  // Task 1 waits: its saved frame is read back from its kernel stack.
  await w.getByTestId('pe-frame-0').locator('summary').click();
  assert.match(await w.getByTestId('pe-frame-0').textContent(), /rflags.*rsp.*ss/s);
  await runFor(page, w, 1500);
  const a = await counters(w);
  assert.ok(a.every((c) => c > 0), `every counter ran: ${a}`);
  await runFor(page, w, 1000);
  const b = await counters(w);
  assert.ok(b.every((c, i) => c > a[i]), `every counter advanced: ${a} → ${b}`);
  const console_ = await w.getByTestId('pe-console').textContent();
  assert.match(console_, /A/);
  assert.match(console_, /B/);
  assert.equal(await w.getByTestId('pe-frozen').count(), 0);
  await shoot(w, 'preemption.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('preemption: cooperative with a runaway freezes the others and says why; the URL restores it', async () => {
  const { page, errors, w } = await open();
  await w.getByTestId('pe-mode-coop').check();
  await w.getByTestId('pe-yield').fill('4');
  await w.getByTestId('pe-run').click();
  await w.getByTestId('pe-frozen').waitFor({ timeout: 10000 });
  await w.getByTestId('pe-pause').click();
  assert.match(await w.getByTestId('pe-frozen').textContent(), /timer is off/);
  const a = await counters(w);
  await runFor(page, w, 1200);
  const b = await counters(w);
  assert.equal(b[0], a[0], 'task 1 never runs again');
  assert.equal(b[1], a[1], 'task 2 never runs again');
  assert.ok(b[2] > a[2], 'the runaway keeps counting');
  assert.match(await w.getByTestId('pe-count-text').textContent(), /, 0 timer interrupts/);
  await shoot(w, 'preemption-frozen.png');
  // The URL is written in a timer task after each render: wait for it.
  await page.waitForURL(/pe-mode=coop.*pe-yield=4|pe-yield=4.*pe-mode=coop/);
  const url = page.url();
  assert.match(url, /pe-at=\d+/);
  // The same link in a fresh page: same settings, same moment.
  const again = await open(url.slice(url.indexOf('?')).replace(/#.*$/, ''));
  assert.ok(await again.w.getByTestId('pe-mode-coop').isChecked());
  assert.equal(await again.w.getByTestId('pe-yield').inputValue(), '4');
  assert.deepEqual(await counters(again.w), b);
  assert.equal(await again.w.getByTestId('pe-rip').textContent(), await w.getByTestId('pe-rip').textContent());
  await again.w.getByTestId('pe-frozen').waitFor();
  assert.deepEqual(again.errors, []);
  await again.page.close();
  // Preemptive again: the runaway is interrupted like anyone else.
  await w.getByTestId('pe-mode-pre').check();
  await runFor(page, w, 1200);
  assert.ok((await counters(w)).every((c) => c > 0));
  assert.equal(await w.getByTestId('pe-frozen').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('preemption: a long "Step to next switch" goes on in slices, shows its count, and a Stop between slices ends it', async () => {
  // A timer period of 1,000,000 instructions: after the boot switch, the next switch is further
  // away than the search's budget (200,000 steps), which used to run in one task (issue #18).
  const { page, errors, w } = await open();
  await w.getByTestId('pe-period').fill('1000000');
  await w.getByTestId('pe-step-switch').click();
  assert.match(await w.getByTestId('preemption-live').textContent(), /^Boot: the kernel starts task 1/);
  const before = Number((await w.getByTestId('pe-count-text').textContent()).split(' ')[0].replace(/,/g, ''));
  // In the page: record each count the search shows, and at the first one with Stop on
  // screen, click Stop from a task of its own (as a reader's click arrives between slices).
  await page.evaluate(() => {
    const count = document.querySelector('[data-testid="pe-count-text"]');
    window.__seen = [];
    const mo = new MutationObserver(() => {
      window.__seen.push(count.textContent);
      if (document.querySelector('[data-testid="pe-seek-stop"]') && window.__seen.length === 1) {
        setTimeout(() => document.querySelector('[data-testid="pe-seek-stop"]')?.click(), 0);
      }
    });
    mo.observe(count, { characterData: true, childList: true, subtree: true });
  });
  await w.getByTestId('pe-step-switch').click();
  await w.getByTestId('preemption-live').filter({ hasText: /^Stopped looking for the next switch/ }).waitFor();
  const live = await w.getByTestId('preemption-live').textContent();
  const taken = Number(/after ([\d,]+) steps/.exec(live)[1].replace(/,/g, ''));
  assert.ok(taken > 0 && taken < 200000, `stopped mid-search: ${live}`);
  // Nothing runs after the Stop: the count stays, and "Step to next switch" is back.
  await page.waitForTimeout(300);
  const after = Number((await w.getByTestId('pe-count-text').textContent()).split(' ')[0].replace(/,/g, ''));
  assert.equal(after, before + taken);
  await w.getByTestId('pe-step-switch').waitFor();
  assert.equal(await w.getByTestId('pe-seek-stop').count(), 0);
  assert.ok((await page.evaluate(() => window.__seen)).length >= 1, 'the count showed the search\'s progress');
  // Searched to its end, in slices: the budget spent, no switch, said so.
  await w.getByTestId('pe-step-switch').click();
  await w.getByTestId('preemption-live').filter({ hasText: /^No switch in 200,000 steps/ }).waitFor();
  const end = Number((await w.getByTestId('pe-count-text').textContent()).split(' ')[0].replace(/,/g, ''));
  assert.equal(end, after + 200000);
  assert.deepEqual(errors, []);
  await page.close();
});

test('preemption: keys drive it, the live region speaks, bad periods are refused, 360 px fits', async () => {
  const { page, errors, w } = await open();
  await tabTo(page, 'pe-step');
  await page.keyboard.press('Enter');
  assert.match(await w.getByTestId('preemption-live').textContent(), /^Instruction 1: the kernel .*next `jmp load_next`/);
  await w.getByTestId('pe-kernel-code').locator('summary').click();
  assert.match(await w.getByTestId('pe-kernel-code-here').textContent(), /jmp load_next/);
  await w.getByTestId('pe-step').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  assert.match(await w.getByTestId('preemption-live').textContent(), /^Boot/);
  await w.getByTestId('pe-period').fill('0');
  await w.getByTestId('pe-period-error').waitFor();
  await w.getByTestId('pe-period').fill('150');
  assert.equal(await w.getByTestId('pe-period-error').count(), 0);
  await page.waitForURL(/pe-period=150/);
  await page.setViewportSize({ width: 360, height: 800 });
  await w.getByTestId('pe-step-switch').click();
  await w.getByTestId('pe-step-switch').click();
  const overflow = await w.evaluate((el) => el.scrollWidth - el.clientWidth);
  assert.ok(overflow <= 1, `widget overflows by ${overflow}px at 360 px`);
  const pageOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(pageOverflow <= 1, `page overflows by ${pageOverflow}px at 360 px`);
  await shoot(w, 'preemption-360.png');
  assert.deepEqual(await linesCrossingTexts(w.getByTestId('pe-diagram')), [], 'lines drawn across texts at 360 px');
  assert.deepEqual(errors, []);
  await page.close();
});

for (const scheme of ['light', 'dark']) {
  test(`preemption: axe finds no violations with the log, a frame and the frozen box shown (${scheme})`, async () => {
    const { page, errors, w } = await open('?pe-mode=coop&pe-yield=4&pe-at=5000', { colorScheme: scheme });
    await w.getByTestId('pe-frozen').waitFor();
    await w.getByTestId('pe-frame-0').locator('summary').click();
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run('[data-widget="preemption"]', { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    assert.deepEqual(result, [], JSON.stringify(result, null, 2));
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('preemption: under reduced motion, Run redraws in a few large steps', async () => {
  const { page, errors, w } = await open('', { reducedMotion: 'reduce' });
  await w.getByTestId('pe-run').click();
  const seen = new Set();
  const t0 = Date.now();
  while (Date.now() - t0 < 1300) {
    seen.add(await w.getByTestId('pe-count-text').textContent());
    await page.waitForTimeout(40);
  }
  await w.getByTestId('pe-pause').click();
  // The initial text plus about two redraws (600 ms apart), not one every 60 ms.
  assert.ok(seen.size >= 2 && seen.size <= 4, `${seen.size} different states in 1.3 s`);
  assert.deepEqual(errors, []);
  await page.close();
});
