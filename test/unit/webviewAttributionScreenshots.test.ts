// The method picker's SHAP card and the attention view in the real webview page (headless Chromium, the panel's
// CSP), with a 512-token window (6 layers x 12 heads, a full-size DistilBERT's shape): the canvases are drawn,
// picking a strip asks the host for its matrix, and screenshots are saved in light and dark. The time from the
// host's message to the drawn view is printed (a figure; `npm run bench` has the data side).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { attentionView, type PanelSource } from '../../src/shared/protocol';
import { randomAttention, shapResult } from './webviewHarness/attribution';
import { chromiumForFile } from './webviewHarness/chromium';
import { makeInspection } from './webviewHarness/inspection';
import { openHarness } from './webviewHarness/page';
import { themes } from './webviewHarness/themes';

const chrome = chromiumForFile({
  shotsEnv: 'WEBVIEW_SCREENSHOTS',
  tempPrefix: 'dbi-attention-shots-',
  what: 'attention view',
  bundle: true,
});
const source: PanelSource = { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 0, selection: true };
const tid = (id: string): string => `[data-testid="${id}"]`;

test('SHAP card and a 512-token attention view: drawn under the CSP, strips pick a head, light and dark screenshots', async () => {
  const h = await openHarness(chrome.browser, chrome.bundle, themes.light);
  await h.send({
    type: 'result',
    requestId: 1,
    inspection: makeInspection({ text: 'not a great movie', dim: 32, nLayers: 6, seed: 2 }),
    source,
  });
  await h.send({
    type: 'explanation',
    requestId: 1,
    explanation: { kind: 'done', result: shapResult(), latencyMs: 42 },
  });
  await h.page.waitForSelector(tid('explanation-faithfulness'));
  const view = attentionView(randomAttention(512, 6, 12), 5, -1, 180, 3000);
  // Timed inside the page: from the host's message event to the drawn matrix (the test's own transfer excluded).
  await h.page.evaluate((m) => ((window as unknown as { __msg: unknown }).__msg = m), {
    type: 'attention',
    requestId: 1,
    attention: { kind: 'done', view, latencyMs: 200 },
  });
  const ms = await h.page.evaluate(async () => {
    const t0 = performance.now();
    window.postMessage((window as unknown as { __msg: unknown }).__msg, '*');
    await new Promise<void>((resolve) => {
      const check = () =>
        document.querySelector('[data-testid="attention-matrix"]') ? resolve() : setTimeout(check, 5);
      check();
    });
    return Math.round(performance.now() - t0);
  });
  console.log(`attention view of 512 tokens, 6 x 12 heads: drawn ${ms} ms after the host's message`);
  assert.equal(await h.page.locator(tid('attention-strip')).count(), 6 * 13);
  // The matrix canvas holds one pixel per query x key, and it is painted (some pixel is opaque).
  const painted = await h.page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="attention-matrix"]')!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let opaque = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 128) opaque++;
    return { w: c.width, h: c.height, opaque };
  });
  assert.equal(painted.w, 512);
  assert.equal(painted.h, 512);
  assert.ok(painted.opaque > 0);
  await h.page.click(`${tid('attention-strip')}[data-layer="2"][data-head="4"]`);
  const posted = await h.posted();
  assert.deepEqual(posted[posted.length - 1], { type: 'attention', layer: 2, head: 4 });
  for (const name of ['light', 'dark'] as const) {
    await h.setTheme(themes[name]);
    await h.page.waitForTimeout(100);
    await h.page.screenshot({ path: path.join(chrome.shots, `attribution-attention-${name}.png`), fullPage: true });
  }
  assert.deepEqual(h.problems, []);
  await h.page.close();
});
