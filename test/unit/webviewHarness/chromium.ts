// One headless Chromium per test file, for the screenshot suites: launched before the file's tests, closed after,
// with the folder its screenshots go to (an env var names it, else a temp folder) and, if asked, the webview bundle.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { bundleWebview } from './page';

export interface ChromiumFile {
  readonly shots: string;
  readonly browser: Browser;
  /** The bundled webview (only with `bundle: true`). */
  readonly bundle: string;
}

export function chromiumForFile(o: {
  shotsEnv: string;
  tempPrefix: string;
  what: string;
  bundle?: boolean;
}): ChromiumFile {
  const shots = process.env[o.shotsEnv] ?? fs.mkdtempSync(path.join(os.tmpdir(), o.tempPrefix));
  let browser: Browser | undefined;
  let bundle: string | undefined;
  before(async () => {
    fs.mkdirSync(shots, { recursive: true });
    if (o.bundle) bundle = await bundleWebview();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--headless', '--disable-gpu'],
    });
  });
  after(async () => {
    await browser?.close();
    console.log(`${o.what} screenshots: ${shots}`);
  });
  return {
    shots,
    get browser() {
      if (!browser) throw new Error('Chromium is not running yet (use it inside a test)');
      return browser;
    },
    get bundle() {
      if (bundle === undefined) throw new Error('no webview bundle: pass bundle: true');
      return bundle;
    },
  };
}
