// Page objects: tests talk to widgets through data-widget / data-testid, never raw HTML. `ready()`
// brings the widget into view (a widget goes live when the reader comes near it) and waits until
// it is live.

export class TimeslicePage {
  constructor(page) {
    this.page = page;
    this.root = page.locator('[data-widget="timeslice"]');
  }
  async ready() {
    await this.root.waitFor();
    await this.root.scrollIntoViewIfNeeded();
    await this.page.locator(`[data-slot="${await this.root.getAttribute('data-widget')}"][data-live]`).waitFor({ state: 'attached' });
    return this;
  }
  field(id) { return this.root.getByTestId(id); }
  async set(id, value) { await this.field(id).fill(value); }
  async text(id) { return (await this.field(id).textContent()).trim(); }
  async period() { return this.text('ts-period'); }
  async slice(i) { return this.text(`ts-slice-${i}`); }
  async sliceCount() { return this.root.locator('[data-testid^="ts-slice-"]').count(); }
}

export class AsmPage {
  constructor(page) {
    this.page = page;
    this.root = page.locator('[data-widget="asm"]');
  }
  async ready() {
    await this.root.waitFor();
    await this.root.scrollIntoViewIfNeeded();
    await this.page.locator(`[data-slot="${await this.root.getAttribute('data-widget')}"][data-live]`).waitFor({ state: 'attached' });
    return this;
  }
  el(id) { return this.root.getByTestId(id); }
  async bytes(i) {
    return (await this.el(`asm-bytes-${i}`).locator('.byte').allTextContents()).join(' ');
  }
}

export class SchedulerPage {
  constructor(page) {
    this.page = page;
    this.root = page.locator('[data-widget="scheduler"]');
  }
  async ready() {
    await this.root.waitFor();
    await this.root.scrollIntoViewIfNeeded();
    await this.page.locator(`[data-slot="${await this.root.getAttribute('data-widget')}"][data-live]`).waitFor({ state: 'attached' });
    return this;
  }
  el(id) { return this.root.getByTestId(id); }
}

export class ElfPage {
  constructor(page) {
    this.page = page;
    this.root = page.locator('[data-widget="elf-inspector"]');
  }
  async ready() {
    await this.root.waitFor();
    await this.root.scrollIntoViewIfNeeded();
    await this.page.locator(`[data-slot="${await this.root.getAttribute('data-widget')}"][data-live]`).waitFor({ state: 'attached' });
    return this;
  }
  el(id) { return this.root.getByTestId(id); }
}

export class ExecvePage {
  constructor(page) {
    this.page = page;
    this.root = page.locator('[data-widget="execve"]');
  }
  async ready() {
    await this.root.waitFor();
    await this.root.scrollIntoViewIfNeeded();
    await this.page.locator(`[data-slot="${await this.root.getAttribute('data-widget')}"][data-live]`).waitFor({ state: 'attached' });
    return this;
  }
  el(id) { return this.root.getByTestId(id); }
  /** The argv of the program that runs, once the result is shown. */
  async argv() {
    await this.el('ex-argv').waitFor();
    return this.el('ex-argv').locator('li code').allTextContents();
  }
  /**
   * Shows every step (the button is disabled when there is only one) and waits for the last:
   * "All steps" shows them one per task.
   */
  async showAll() {
    if (await this.el('ex-all').isEnabled()) await this.el('ex-all').click();
    await this.page.waitForFunction(() => {
      const m = document.querySelector('[data-widget="execve"] [data-testid="ex-counter"]')?.textContent.match(/^step (\d+) of (\d+)$/);
      return m && m[1] === m[2];
    });
  }
}
