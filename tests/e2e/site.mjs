// The set-up every e2e file shares: serve the release build (DIST, default dist/) on loopback
// and launch Chromium before the file's tests, close both after them.
//   const site = useSite();              // or useSite({ csp }) for serve()'s options
//   ... openPage(site.browser.context, `${site.server.url}/`) ...
// A file's own before() hooks run alongside this one (node:test does not wait for an earlier
// root hook before starting the next): they start with `await site.ready`.
import { before, after } from 'node:test';
import { serve } from './server.mjs';
import { launch } from './browser.mjs';

export function useSite(options) {
  let ready;
  const site = { server: null, browser: null, ready: new Promise((r) => { ready = r; }) };
  before(async () => {
    site.server = await serve(process.env.DIST ?? 'dist', options);
    site.browser = await launch();
    ready();
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}
