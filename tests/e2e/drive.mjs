// How to drive each widget once, by mouse and by keyboard only: shared by the live-region,
// keyboard and reduced-motion tests and by scripts/measure.mjs (input latency, long tasks).
// Each entry names the widget, one representative input (`act`), the same input given with keys
// only (`keys`), and a longer simulation to watch for long tasks (`run`, optional).

/**
 * Resolves once the page's load is done: every live piece near the viewport (the widgets within
 * one and a half viewport heights, the table of contents) is mounted into its prerendered
 * placeholder, so inputs reach Yew: the app then sets `<html data-live="near">`, or "all" once
 * every piece is live (crates/youcpu-web/src/mount.rs). Widgets further away stay prerendered
 * until the reader comes near them: [`ready`] brings one, [`whenAllLive`] all of them.
 */
export async function whenLive(page) {
  await page.waitForFunction(() => ['near', 'all'].includes(document.documentElement.dataset.live), null, { timeout: 30000 });
}

/** Brings widget `id` into view, as a reader scrolling to it, and waits until it is live. */
export async function bringLive(page, id) {
  await page.locator(`[data-widget="${id}"]`).scrollIntoViewIfNeeded();
  await page.locator(`[data-slot="${id}"][data-live]`).waitFor({ state: 'attached', timeout: 30000 });
}

/**
 * Brings every widget of the page live, as a reader scrolling through the whole article does
 * (each piece not yet live is scrolled into view in turn, which mounts it and its neighbours),
 * then scrolls back to where the page was: for the tests that check every widget at once.
 */
export async function whenAllLive(page) {
  await whenLive(page);
  const y = await page.evaluate(() => window.scrollY);
  for (;;) {
    const id = await page.evaluate(() => document.querySelector('[data-slot]:not([data-live])')?.dataset.slot ?? null);
    if (id === null) break;
    await bringLive(page, id);
  }
  await page.waitForFunction(() => document.documentElement.dataset.live === 'all', null, { timeout: 30000 });
  await page.evaluate((y) => window.scrollTo({ top: y, behavior: 'instant' }), y);
}

/** Presses Tab until the focused element has data-testid `testid` (at most `limit` presses). */
export async function tabTo(page, testid, limit = 80) {
  for (let i = 0; i < limit; i++) {
    const at = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
    if (at === testid) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${testid} not reached within ${limit} Tab presses`);
}

/**
 * Brings widget `id` into view and waits until it is live and ready for input: a widget that
 * fetches its program when it comes into use (signals, ld-so) keeps its controls disabled until then. Every
 * test and script that drives a widget calls this first, so what it measures is the input's
 * effect, not the fetch's.
 */
export async function ready(page, id) {
  const w = page.locator(`[data-widget="${id}"]`);
  await bringLive(page, id);
  const wait = WIDGETS.find((x) => x.id === id)?.waitFor;
  if (wait) await (await w.getByTestId(wait).elementHandle()).waitForElementState('enabled', { timeout: 15000 });
}

const click = (testid) => async (w) => w.getByTestId(testid).click();
const fill = (testid, value) => async (w) => w.getByTestId(testid).fill(value);
const select = (testid, value) => async (w) => w.getByTestId(testid).selectOption(value);
const pressOn = (testid, key) => async (page) => { await tabTo(page, testid); await page.keyboard.press(key); };
const typeInto = (testid, text) => async (page) => {
  await tabTo(page, testid);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
};
const times = (n, f) => async (w) => { for (let i = 0; i < n; i++) await f(w); };

// An endless loop for the fetch-execute widget: every Run click executes its full slice.
const LOOP = 'top:\n  add rax, 1\n  jmp top\n';

export const WIDGETS = [
  { id: 'asm', act: fill('asm-source', 'mov eax, 1\nadd eax, 512\n'), keys: typeInto('asm-source', 'xor eax, eax\n') },
  {
    id: 'fetch-execute',
    act: click('fe-step'),
    keys: pressOn('fe-step', 'Enter'),
    run: async (w) => { await w.getByTestId('fe-source').fill(LOOP); await times(5, click('fe-run'))(w); },
  },
  { id: 'rings', act: select('rg-op', '1'), keys: pressOn('rg-op', 'ArrowDown'), run: async (w) => { for (const v of ['1', '2', '3', '4']) await select('rg-op', v)(w); } },
  { id: 'syscall', act: click('sc-sc-step'), keys: pressOn('sc-sc-step', ' '), run: async (w) => { await click('sc-sc-run')(w); await click('sc-i80-run')(w); } },
  {
    id: 'scheduler',
    act: click('sch-add'),
    keys: pressOn('sch-add', 'Enter'),
    // The biggest workload: every task the widget allows, then each policy toggled off and on.
    run: async (w) => {
      for (let i = 0; i < 12; i++) {
        const add = w.getByTestId('sch-add');
        if (await add.isDisabled()) break;
        await add.click();
      }
      await w.getByTestId('sch-quantum').fill('1');
    },
  },
  { id: 'timeslice', act: fill('ts-tasks', '6'), keys: typeInto('ts-tasks', '7'), run: fill('ts-tasks', '64') },
  { id: 'page-walk', act: select('pw-preset', '1'), keys: pressOn('pw-again', 'Enter'), run: async (w) => { for (let i = 0; i < 4; i++) await select('pw-preset', `${i}`)(w); await click('pw-flush')(w); await click('pw-again')(w); } },
  { id: 'demand-paging', act: click('dp-brk'), keys: pressOn('dp-brk', 'Enter'), run: async (w) => { await click('dp-mmap')(w); await times(3, click('dp-brk'))(w); } },
  { id: 'fork-cow', act: click('fc-1-fork'), keys: pressOn('fc-1-fork', 'Enter'), run: async (w) => { await click('fc-1-fork')(w); await click('fc-page-1-data')(w); } },
  { id: 'process-tree', act: click('pt-script'), keys: pressOn('pt-script', 'Enter'), run: times(6, click('pt-script')) },
  { id: 'execve', act: click('ex-next'), keys: pressOn('ex-next', 'Enter'), run: click('ex-all') },
  { id: 'binfmt-misc', act: fill('bm-text', ':sh:E::sh::/bin/sh:'), keys: typeInto('bm-text', ':py:E::py::/usr/bin/python3:') },
  { id: 'shell-fallback', act: fill('sf-text', '#!/bin/sh\necho hi\n'), keys: typeInto('sf-text', '\\x7fELF') },
  { id: 'elf-loader', act: click('el-next'), keys: pressOn('el-next', 'Enter'), run: click('el-end') },
  { id: 'linking', act: select('ln-procs', '3'), keys: pressOn('ln-procs', 'ArrowDown') },
  { id: 'elf-inspector', act: click('elf-tab-sections'), keys: pressOn('elf-tab-sections', 'Enter') },
  { id: 'signals', waitFor: 'sg-next', act: click('sg-next'), keys: pressOn('sg-next', 'Enter'), run: times(4, click('sg-next')) },
  { id: 'preemption', act: click('pe-step'), keys: pressOn('pe-step', 'Enter'), run: times(5, click('pe-step-switch')) },
];

/** The widgets that announce their steps in a live region (issue 8: all but asm). */
export const LIVE = WIDGETS.map((w) => w.id).filter((id) => id !== 'asm');
