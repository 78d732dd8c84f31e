// End-to-end: reading comfort (issue 8): the contents and reading progress, back and forward,
// touch targets on a phone, and the print stylesheet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshotPath } from './browser.mjs';
import { whenAllLive } from './drive.mjs';
import { useSite } from './site.mjs';

const site = useSite();

const progress = (page) => page.evaluate(() => Number(document.querySelector('.progress-bar rect').getAttribute('width')));
const current = (page) => page.evaluate(() => document.querySelector('.toc a[aria-current="location"]')?.getAttribute('href') ?? null);
const headingInView = (page, id) => page.evaluate((id) => {
  const r = document.querySelector(`section#${id} h2`).getBoundingClientRect();
  return r.top >= -1 && r.top < window.innerHeight / 2;
}, id);

test('contents: a link goes to its part, which becomes current, and the progress bar follows', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/`);
  assert.equal(await current(page), '#basics');
  const start = await progress(page);
  await page.getByTestId('toc').locator('a[href="#paging"]').click();
  await page.waitForFunction(() => location.hash === '#paging');
  await page.waitForFunction(() => document.querySelector('.toc a[aria-current="location"]')?.getAttribute('href') === '#paging');
  assert.ok(await headingInView(page, 'paging'), 'the part is on screen');
  const mid = await progress(page);
  assert.ok(mid > start && mid < 1000, `progress ${start} -> ${mid} (of 1000)`);
  // To the end of the article.
  await page.waitForFunction(() => {
    window.scrollTo(0, document.documentElement.scrollHeight);
    return Number(document.querySelector('.progress-bar rect').getAttribute('width')) === 1000;
  }, null, { polling: 200 });
  assert.equal(await current(page), '#epilogue');
  assert.deepEqual(errors, []);
  await page.close();
});

test('back and forward: the history of links, with the widgets\' state kept in the URL', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/#timeslicing`, { live: 'all' });
  const ts = page.locator('[data-widget="timeslice"]');
  await ts.getByTestId('ts-tasks').fill('7');
  await page.waitForFunction(() => /[?&]ts-tasks=7\b/.test(location.search));
  const toc = page.getByTestId('toc');
  // Each link's smooth scroll is let finish: the browser saves the scroll position of the entry
  // being left, and back returns to it.
  const arrived = (id) => page.waitForFunction((id) => {
    const r = document.querySelector(`section#${id} h2`).getBoundingClientRect();
    return location.hash === `#${id}` && r.top >= -1 && r.top < innerHeight / 2;
  }, id);
  await toc.locator('a[href="#elf"]').click();
  await arrived('elf');
  await toc.locator('a[href="#fork"]').click();
  await arrived('fork');

  await page.goBack();
  await arrived('elf');
  await page.goBack();
  await page.waitForFunction(() => location.hash === '#timeslicing');
  // Same document all along: the widget kept its state, and the URL still carries it.
  await page.waitForURL(/[?&]ts-tasks=7\b/);
  assert.equal(await ts.getByTestId('ts-tasks').inputValue(), '7');
  await page.goForward();
  await page.waitForFunction(() => location.hash === '#elf');
  await page.waitForURL(/[?&]ts-tasks=7\b/);
  // A reload of that URL restores the widget from it.
  await page.reload();
  await whenAllLive(page);
  assert.equal(await ts.getByTestId('ts-tasks').inputValue(), '7');
  assert.deepEqual(errors, []);
  await page.close();
});

// Every control on a phone is at least 44 by 44 CSS pixels (WCAG 2.5.5). A checkbox, radio
// button or file input counts with its label (the label is the target: a tap on it works the
// control). Links inside running text are exempt, as WCAG's inline exception allows, and so is
// a drag handle in a chart whose value a form field of the widget also sets (WCAG's equivalent
// exception): that field, named by the handle's data-equivalent, must be a target itself.
test('phone: every control is a touch target of at least 44 by 44 px', async () => {
  const page = await site.browser.context.newPage();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`${site.server.url}/`);
  await whenAllLive(page);
  // ld-so runs its example when the reader comes near; its picture's buttons (the objects'
  // bands, the slots' cells) exist only once the run is done, so wait for that, whatever the
  // machine's speed, and check them too.
  const ld = page.locator('[data-widget="ld-so"]');
  await ld.scrollIntoViewIfNeeded();
  await ld.getByTestId('ld-summary').waitFor({ timeout: 60_000 });
  assert.ok(await ld.locator('[data-hit]').count() > 0, 'ld-so\'s picture has its buttons');
  const { small, checked } = await page.evaluate(() => {
    const small = [];
    let checked = 0;
    const sel = 'button, select, input, textarea, summary, a[href], [role=button], [tabindex]:not([tabindex="-1"])';
    const targetOf = (el) => [el, ...(el.labels ?? [])].map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 || r.height > 0);
    for (const el of document.querySelectorAll(sel)) {
      if (el.closest('.skip-link')) continue;
      if (el.dataset.equivalent) {
        const field = el.closest('[data-widget]')?.querySelector(`[data-testid="${el.dataset.equivalent}"]`);
        if (!field) { small.push(`${el.dataset.testid}: no equivalent field ${el.dataset.equivalent}`); continue; }
        // The field may sit in a closed <details>; the reader opens it.
        for (let d = field.closest('details'); d; d = d.parentElement?.closest('details')) d.open = true;
        const boxes = targetOf(field);
        checked++;
        if (!boxes.some((r) => r.width >= 44 && r.height >= 44)) small.push(`${el.dataset.testid}: its field ${el.dataset.equivalent} is small`);
        continue;
      }
      if (el.tagName === 'A' && el.closest('p, li, td') && !el.closest('.toc, [data-widget]')) continue;
      const boxes = [el, ...(el.labels ?? [])].map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 || r.height > 0);
      if (!boxes.length) continue;
      checked++;
      if (!boxes.some((r) => r.width >= 44 && r.height >= 44)) {
        const best = boxes.reduce((a, r) => (Math.min(r.width, r.height) > Math.min(a.width, a.height) ? r : a));
        const where = el.closest('[data-widget]')?.dataset.widget ?? (el.closest('.toc') ? 'toc' : 'page');
        small.push(`${where}: ${el.tagName.toLowerCase()}${el.type ? `[${el.type}]` : ''}${el.dataset.testid ? `#${el.dataset.testid}` : ''} ${best.width.toFixed(0)}x${best.height.toFixed(0)}`);
      }
    }
    return { small, checked };
  });
  assert.ok(checked > 150, `only ${checked} controls found`);
  assert.deepEqual(small, []);
  await page.close();
});

test('print: no contents, progress or widget buttons; each part on a new page', async () => {
  const { page, errors } = await openPage(site.browser.context, `${site.server.url}/`);
  await page.emulateMedia({ media: 'print' });
  const styles = await page.evaluate(() => ({
    toc: getComputedStyle(document.querySelector('.toc')).display,
    progress: getComputedStyle(document.querySelector('.progress')).display,
    actions: getComputedStyle(document.querySelector('.widget-actions')).display,
    breaks: [...document.querySelectorAll('.part')].map((p) => getComputedStyle(p).breakBefore),
  }));
  assert.equal(styles.toc, 'none');
  assert.equal(styles.progress, 'none');
  assert.equal(styles.actions, 'none');
  assert.deepEqual([...new Set(styles.breaks)], ['page']);
  // Chromium's own print path: a PDF of the whole article.
  const pdf = await page.pdf({ path: screenshotPath('article.pdf'), format: 'A4' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.ok(pages >= 20, `${pages} printed pages`);
  assert.deepEqual(errors, []);
  await page.close();
});
