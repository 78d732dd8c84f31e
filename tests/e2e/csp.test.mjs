// The page under a strict Content-Security-Policy, and nothing leaving the machine.
// 1. With `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'` set by the test server:
//    no securitypolicyviolation event (listened for from before the first byte of the page)
//    and no console error through load and use; the wasm runs (widgets answer), and what used
//    to be inline styles (progress bar, execve nesting, page-walk field widths) still lays out.
// 2. Every request the page makes, through load, scrolling to the end and driving every
//    widget (opening a local file in the ELF inspector and the ELF loader): same origin as
//    the test server, GET only, and the opened file's name and bytes are never sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shoot } from './browser.mjs';
import { useSite } from './site.mjs';
import { whenAllLive } from './drive.mjs';

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

const site = useSite({ csp: CSP });

/** A page that records CSP violations (from an init script), console errors and requests. */
async function openStrict(url) {
  const page = await site.browser.context.newPage();
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const errors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer() }));
  const response = await page.goto(url);
  assert.equal(response.headers()['content-security-policy'], CSP);
  await whenAllLive(page);
  return { page, errors, requests, violations: () => page.evaluate(() => window.__csp) };
}

async function scrollToEnd(page) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y <= height; y += 900) {
    await page.evaluate((top) => window.scrollTo(0, top), y);
    await page.waitForTimeout(20);
  }
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
}

test('strict CSP: no violation, no console error, widgets work', async () => {
  const { page, errors, violations } = await openStrict(`${site.server.url}/`);
  // The boot script is a file now, and the favicon too: no inline script, no data: URL.
  assert.equal(await page.locator('script:not([src])').count(), 0);
  assert.doesNotMatch(await page.locator('link[rel="icon"]').getAttribute('href'), /^data:/);
  assert.equal(await page.locator('main [style]').count(), 0, 'no style attributes in the article');

  // timeslice: 12 tasks on 1 CPU give a 9 ms period.
  const ts = page.locator('[data-widget="timeslice"]');
  await ts.getByTestId('ts-tasks').fill('12');
  await assert.doesNotReject(page.waitForFunction(() =>
    document.querySelector('[data-widget="timeslice"] [data-testid="ts-period"]')?.textContent === '9 ms'));

  // execve: all steps; the interpreter's steps are indented by a class, not a style.
  const ex = page.locator('[data-widget="execve"]');
  await ex.getByTestId('ex-all').click();
  // The steps in words are a log under the picture, in a <details>: open it.
  await ex.locator('details.ex-log > summary').first().click();
  const nested = ex.locator('li.step.depth-1').first();
  await nested.waitFor();
  assert.ok(parseFloat(await nested.evaluate((el) => getComputedStyle(el).marginLeft)) > 5);
  await shoot(ex, 'csp-execve.png');

  // page-walk: the 2 MiB preset; the address fields keep their widths in bits (attributes of
  // the SVG, not styles).
  const pw = page.locator('[data-widget="page-walk"]');
  await pw.getByTestId('pw-preset').selectOption('5');
  await pw.getByTestId('pw-pa').waitFor();
  const widths = () => pw.locator('[data-testid="page-walk-diagram"] .pw-field-outline')
    .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
  const w4 = await widths();
  assert.equal(w4.length, 6);
  assert.ok(Math.abs(w4[5] / w4[1] - 12 / 9) < 0.02, `offset : index = 12 : 9 (${w4})`);
  await pw.getByTestId('pw-levels').selectOption('5');
  await page.waitForFunction(() => document.querySelectorAll('[data-widget="page-walk"] [data-testid="page-walk-diagram"] .pw-field').length === 7);
  await shoot(pw, 'csp-page-walk.png');

  // The reading-progress bar (an SVG rect now) follows the scroll.
  await scrollToEnd(page);
  await page.waitForFunction(() => Number(document.querySelector('.progress-bar rect')?.getAttribute('width')) > 900);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForFunction(() => Number(document.querySelector('.progress-bar rect')?.getAttribute('width')) < 100);

  assert.equal(await page.locator('.panic-banner').count(), 0);
  assert.deepEqual(await violations(), []);
  assert.deepEqual(errors, []);
  await page.close();
});

/** Clicks a few enabled buttons and picks an option in every widget, with a time bound each. */
async function driveEveryWidget(page) {
  const widgets = page.locator('[data-widget]');
  const n = await widgets.count();
  const driven = [];
  for (let i = 0; i < n; i++) {
    const w = widgets.nth(i);
    const name = await w.getAttribute('data-widget');
    await w.scrollIntoViewIfNeeded();
    const buttons = w.locator('button:not([disabled])');
    let clicked = 0;
    // Clicking re-renders the widget (buttons come and go), so count again each time.
    for (let b = 0; b < 40 && clicked < 4 && b < (await buttons.count()); b++) {
      // Hold the element itself: the locator's nth(b) would re-resolve to another button as
      // buttons come and go.
      const btn = await buttons.nth(b).elementHandle({ timeout: 5000 });
      const label = (await btn.textContent()) ?? '';
      if (/copy link/i.test(label) || !(await btn.isVisible())) continue;
      // A button can turn disabled or go between the lookup and the click (your-program's Pause
      // when its run ends): that is the widget working, so the click is skipped; any other
      // failure to click still fails the test.
      const done = await btn.click({ timeout: 5000 }).then(() => true, async (e) => {
        const usable = await btn.evaluate((el) => !el.disabled && el.isConnected).catch(() => false);
        if (usable) throw e;
        return false;
      });
      if (done) clicked++;
    }
    const selects = w.locator('select');
    if ((await selects.count()) > 0 && (await selects.first().isVisible())) {
      const values = await selects.first().locator('option').evaluateAll((os) => os.map((o) => o.value));
      if (values.length > 1) await selects.first().selectOption(values[values.length - 1]);
    }
    driven.push(`${name}:${clicked}`);
  }
  return driven;
}

test('nothing leaves the machine: same-origin GETs only, opened files stay local', async () => {
  const { page, errors, requests, violations } = await openStrict(`${site.server.url}/`);
  await page.locator('[data-widget]').first().waitFor();
  await scrollToEnd(page);
  const driven = await driveEveryWidget(page);
  assert.ok(driven.length >= 16, driven.join(' '));

  // A local file with a marker in its name and bytes, opened in both ELF widgets.
  const marker = 'SECRET-e2e-7f3a9c';
  const buffer = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\0', 'latin1'), Buffer.alloc(56), Buffer.from(marker.repeat(20))]);
  const file = { name: `${marker}.bin`, mimeType: 'application/octet-stream', buffer };
  await page.getByTestId('elf-file').setInputFiles(file);
  await page.waitForFunction((m) => document.querySelector('[data-testid="elf-source"]')?.textContent.includes(m), marker);
  await page.getByTestId('el-file').setInputFiles(file);
  await page.waitForFunction((m) => document.querySelector('[data-widget="elf-loader"]')?.textContent.includes(m), marker);
  await scrollToEnd(page);
  await page.waitForTimeout(500);

  const origin = new URL(site.server.url).origin;
  const summary = requests.map((r) => `${r.method} ${r.url}`);
  assert.ok(requests.length >= 4, summary.join('\n'));
  for (const r of requests) {
    assert.equal(new URL(r.url).origin, origin, `a request left the test server: ${r.url}`);
    assert.equal(r.method, 'GET', `${r.method} ${r.url}`);
    assert.ok(!r.url.includes(marker), `the file's name was sent: ${r.url}`);
    assert.ok(!r.body || !r.body.includes(marker), `the file was sent in ${r.url}`);
  }
  // The server saw the same requests and nothing else.
  assert.ok(site.server.requests.every((r) => !r.path.includes(marker)));
  console.log(`requests: ${requests.length} (${[...new Set(requests.map((r) => new URL(r.url).pathname))].join(', ')}); widgets driven: ${driven.join(' ')}`);
  assert.equal(await page.locator('.panic-banner').count(), 0);
  assert.deepEqual(await violations(), []);
  assert.deepEqual(errors, []);
  await page.close();
});
