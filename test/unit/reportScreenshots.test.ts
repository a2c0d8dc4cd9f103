// The report as people see it, in headless Chromium: the panel's Export Markdown button posts its message from
// the real webview bundle (under the real CSP), and an exported report from the bundled model renders, charts
// and all, on a dark page (the charts bring their own white background). Screenshots (report-*.png) go to
// $REPORT_SCREENSHOTS or a temp folder, whose path is printed, like webviewScreenshots.test.ts: the UI runner
// clears test-results/screenshots/ at its start and puts its own report-preview-vscode-*.png there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BUNDLED, isolateHome, tempDir } from './helpers';
import { makeInspection } from './webviewHarness/inspection';
import { openHarness } from './webviewHarness/page';
import { themes } from './webviewHarness/themes';
import { chromiumForFile } from './webviewHarness/chromium';

isolateHome();
import { Inspector } from '../../src/core/inspector';
import { inspectionReport } from '../../src/core/report/inspectionReport';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new (opts: object) => { render(src: string): string };

const chrome = chromiumForFile({
  shotsEnv: 'REPORT_SCREENSHOTS',
  tempPrefix: 'dbi-report-shots-',
  what: 'report',
  bundle: true,
});

test('the panel shows Export Markdown next to Export JSON; clicking it, or Enter on it, posts exportMarkdown', async () => {
  const h = await openHarness(chrome.browser, chrome.bundle, themes.dark);
  await h.send({
    type: 'result',
    requestId: 1,
    inspection: makeInspection(),
    source: { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 0, selection: true },
  });
  const buttons = await h.page
    .locator('.actions button')
    .evaluateAll((bs) => bs.map((b) => b.getAttribute('data-testid')));
  assert.deepEqual(buttons.slice(0, 2), ['export-json', 'export-markdown']);
  await h.page.click('[data-testid="export-markdown"]');
  await h.page.focus('[data-testid="export-markdown"]');
  await h.page.keyboard.press('Enter');
  const posted = (await h.posted()).filter((m) => (m as { type?: string }).type?.startsWith('export'));
  assert.deepEqual(posted, [{ type: 'exportMarkdown' }, { type: 'exportMarkdown' }]);
  assert.deepEqual(h.problems, []);
  await h.page.close();
});

test('an exported report of the bundled model renders with its charts; screenshots of the page and of two charts', async () => {
  const inspector = await Inspector.open({ modelDir: BUNDLED, cacheDir: tempDir('dbi-cache-'), threads: 1 });
  const text =
    'A gripping, beautifully acted film. The ending felt rushed and the score is far too loud, but I would happily watch it again.';
  const ins = await inspector.inspect(text, { mode: 'truncate' });
  await inspector.dispose();
  const dir = tempDir('dbi-report-');
  const report = inspectionReport(
    { inspection: ins, text, source: { fileName: 'review.txt', selection: true } },
    { assetFolder: 'review-assets' },
  );
  fs.mkdirSync(path.join(dir, 'review-assets'));
  for (const a of report.assets) fs.writeFileSync(path.join(dir, 'review-assets', a.fileName), a.content);
  // What a dark Markdown preview does: the rendered Markdown on a dark page, images loaded from the files.
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{background:#1e1e1e;color:#d4d4d4;font:14px system-ui;max-width:900px;margin:16px}img{display:block;margin:8px 0;max-width:100%}table{border-collapse:collapse}td,th{border:1px solid #555;padding:2px 6px}pre{background:#2d2d2d;padding:8px;white-space:pre-wrap}</style></head><body>${new MarkdownIt({ html: false }).render(report.markdown)}</body></html>`;
  fs.writeFileSync(path.join(dir, 'review.html'), html);
  const page = await chrome.browser.newPage({ viewport: { width: 960, height: 900 }, deviceScaleFactor: 1 });
  try {
    await page.goto(`file://${path.join(dir, 'review.html')}`);
    const images = page.locator('img');
    assert.equal(await images.count(), report.assets.length);
    // Every chart loaded and has a size (a broken image has naturalWidth 0).
    const sizes = await images.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    assert.ok(
      sizes.every((w) => w > 100),
      JSON.stringify(sizes),
    );
    await page.screenshot({ path: path.join(chrome.shots, 'report-preview-dark.png'), fullPage: true });
    for (const name of ['probabilities', 'w1-logit-1', 'w1-activation', 'w1-layers']) {
      const svg = report.assets.find((a) => a.fileName === `${name}.svg`)!.content;
      await page.setContent(`<!DOCTYPE html><html><body style="margin:0;background:#1e1e1e">${svg}</body></html>`);
      await page.locator('svg').screenshot({ path: path.join(chrome.shots, `report-${name}.png`) });
    }
  } finally {
    await page.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
