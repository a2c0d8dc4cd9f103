// A static harness for the real webview in headless Chromium: the page is the panel's own HTML shell with its
// real CSP, the script is out/src/webview/main.js bundled by webpack (target web, like dist/webview.js), and a
// fake acquireVsCodeApi records what the webview posts and keeps its setState state. Theme variables are set
// the way VS Code does it (on <html>, plus the body class).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import webpack from 'webpack';
import type { Browser, Page } from 'playwright-core';
import { makeNonce, renderShell } from '../../../src/extension/panel/html';
import type { HostToWebview } from '../../../src/shared/protocol';
import type { HarnessTheme } from './themes';

export const root = path.resolve(__dirname, '..', '..', '..', '..');
const origin = 'https://webview.test';

/** Bundles the compiled webview entry into a temp folder; returns the bundle's source. */
export async function bundleWebview(): Promise<string> {
  const entry = path.join(root, 'out', 'src', 'webview', 'main.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npx tsc -p .\` first.`);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-webview-bundle-'));
  const compiler = webpack({
    mode: 'development',
    devtool: false, // no eval(): the CSP forbids it, as it does inside VS Code
    target: 'web',
    entry,
    output: { path: outDir, filename: 'webview.js' },
    infrastructureLogging: { level: 'error' },
  });
  await new Promise<void>((resolve, reject) =>
    compiler.run((err, stats) => {
      if (err || stats?.hasErrors()) reject(err ?? new Error(stats?.toString('errors-only')));
      else compiler.close(() => resolve());
    }),
  );
  const code = fs.readFileSync(path.join(outDir, 'webview.js'), 'utf8');
  fs.rmSync(outDir, { recursive: true, force: true });
  return code;
}

export interface Harness {
  page: Page;
  /** Everything the webview posted to the host, in order. */
  posted(): Promise<unknown[]>;
  /** What the webview last stored with setState. */
  state(): Promise<unknown>;
  /** Delivers a host message the way VS Code does (a window message event). */
  send(msg: HostToWebview): Promise<void>;
  /** Switches palette the way VS Code does: new --vscode-* values on <html>, new theme class on <body>. */
  setTheme(theme: HarnessTheme): Promise<void>;
  /** CSP violations, page errors and console errors seen so far. */
  problems: string[];
}

export async function openHarness(
  browser: Browser,
  bundle: string,
  theme: HarnessTheme,
  savedState?: unknown,
): Promise<Harness> {
  const page = await browser.newPage({ viewport: { width: 920, height: 900 }, deviceScaleFactor: 1 });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  const nonce = makeNonce();
  const css = fs.readFileSync(path.join(root, 'media', 'inspector.css'), 'utf8');
  await page.route(`${origin}/**`, (route) => {
    const url = new URL(route.request().url());
    const files: Record<string, [string, string]> = {
      '/index.html': [
        'text/html',
        renderShell({
          cspSource: origin,
          nonce,
          scriptUri: `${origin}/dist/webview.js`,
          styleUri: `${origin}/media/inspector.css`,
        }),
      ],
      '/dist/webview.js': ['application/javascript', bundle],
      '/media/inspector.css': ['text/css', css],
    };
    const f = files[url.pathname];
    return f ? route.fulfill({ status: 200, contentType: f[0], body: f[1] }) : route.fulfill({ status: 404, body: '' });
  });
  await page.addInitScript(
    ({ theme, saved }) => {
      const w = window as unknown as Record<string, unknown>;
      const posted: unknown[] = [];
      let state: unknown = saved;
      w.__posted = posted;
      w.__state = () => state;
      document.addEventListener('securitypolicyviolation', (e) =>
        posted.push({ cspViolation: `${e.violatedDirective} ${e.blockedURI}` }),
      );
      w.acquireVsCodeApi = () => {
        for (const [k, v] of Object.entries(theme.vars)) document.documentElement.style.setProperty(k, v);
        document.body.classList.add(theme.kind);
        return {
          postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))),
          getState: () => state,
          setState: (s: unknown) => {
            state = JSON.parse(JSON.stringify(s));
          },
        };
      };
    },
    { theme, saved: savedState },
  );
  await page.goto(`${origin}/index.html`);
  const h: Harness = {
    page,
    problems,
    posted: () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted.slice()),
    state: () => page.evaluate(() => (window as unknown as { __state: () => unknown }).__state()),
    send: (msg) => page.evaluate((m) => window.postMessage(m, '*'), msg),
    setTheme: (theme) =>
      page.evaluate((t) => {
        for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v);
        document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
        document.body.classList.add(t.kind);
      }, theme),
  };
  await page.waitForFunction(() =>
    (window as unknown as { __posted: { type?: string }[] }).__posted.some((m) => m.type === 'ready'),
  );
  const csp = (await h.posted()).filter((m) => (m as { cspViolation?: string }).cspViolation);
  problems.push(...csp.map((m) => `csp: ${(m as { cspViolation: string }).cspViolation}`));
  return h;
}
