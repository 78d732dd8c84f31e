// Launches Debian's Chromium through playwright-core with the flags this machine needs, and
// collects console errors and page errors for each page.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { whenLive } from './drive.mjs';

export const ARTIFACTS = path.resolve('tests/e2e/artifacts');

export async function launch() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'youcpu-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a page that records console errors, uncaught exceptions and requested URLs, and waits
 * until every widget on it is live (`{ live: false }` skips the wait).
 */
export async function openPage(context, url, { live = true } = {}) {
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  if (live) await whenLive(page);
  return { page, errors, requests };
}

export function screenshotPath(name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
