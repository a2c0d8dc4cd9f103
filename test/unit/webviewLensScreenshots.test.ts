// The head lens card and the what-if experiments in the real webview bundle under the panel's CSP (headless
// Chromium), on a real inspection of the bundled model with its token lens: series colours follow the theme,
// a unit switched off with the keyboard moves the experiment's logits, screenshots in light and dark
// (head-lens-*.png in $WEBVIEW_SCREENSHOTS or a temp folder, whose path is printed).
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, test } from 'node:test';
import { BUNDLED, isolateHome, tempDir } from './helpers';
import { openHarness } from './webviewHarness/page';
import { themes } from './webviewHarness/themes';
import { chromiumForFile } from './webviewHarness/chromium';

isolateHome();
import { Inspector } from '../../src/core/inspector';
import type { Inspection } from '../../src/core/types';

const chrome = chromiumForFile({
  shotsEnv: 'WEBVIEW_SCREENSHOTS',
  tempPrefix: 'dbi-lens-shots-',
  what: 'head lens',
  bundle: true,
});
const tid = (id: string): string => `[data-testid="${id}"]`;
let ins: Inspection;

before(async () => {
  const inspector = await Inspector.open({ modelDir: BUNDLED, cacheDir: tempDir('dbi-lens-shots-cache-'), threads: 1 });
  try {
    ins = await inspector.inspect("it 's a charming and often affecting journey , but the ending is dull .", {
      tokenLens: true,
    });
  } finally {
    await inspector.dispose();
  }
});

test('the lens card in light and dark, and a unit switched off by keyboard moves the experiment', async () => {
  const h = await openHarness(chrome.browser, chrome.bundle, themes.light);
  await h.send({
    type: 'result',
    requestId: 1,
    inspection: JSON.parse(JSON.stringify(ins)),
    source: { uri: 'file:///w/r.txt', fileName: 'r.txt', baseOffset: 0, selection: true },
  });
  await h.page.waitForSelector(tid('lens-chart'));
  assert.equal(await h.page.locator(`${tid('lens-chart')} .lens-series`).count(), ins.model.labels.length);
  assert.equal(await h.page.locator(`${tid('token-lens')} li`).count(), ins.windows[0]!.tokens.length);
  for (const [name, theme] of Object.entries({ light: themes.light, dark: themes.dark })) {
    await h.setTheme(theme);
    const strokes = await h.page
      .locator(`${tid('lens-chart')} .lens-line`)
      .evaluateAll((ls) => ls.map((l) => getComputedStyle(l).stroke));
    assert.equal(new Set(strokes).size, ins.model.labels.length, `one colour per label: ${strokes.join(' ')}`);
    await h.page.locator(tid('stage-lens')).screenshot({ path: path.join(chrome.shots, `head-lens-${name}.png`) });
  }
  const logits = () =>
    h.page
      .locator(`${tid('whatif-logits')} .bar-row`)
      .evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-value'))));
  const before = await logits();
  const unit = h.page.locator('[data-testid^="whatif-unit-"][aria-pressed]').first();
  const id = await unit.getAttribute('data-testid');
  await unit.focus();
  await h.page.keyboard.press('Enter');
  await h.page.waitForSelector(`[data-testid="${id}"][aria-pressed="true"]`);
  const after = await logits();
  const u = Number(id!.replace('whatif-unit-', ''));
  const w = ins.windows[0]!;
  ins.model.labels.forEach((l, i) =>
    assert.ok(
      Math.abs(after[i]! - (before[i]! - w.contributions[l]!.units[u]!)) < 1e-9,
      `logit ${l} drops by unit ${u}'s term`,
    ),
  );
  assert.equal(
    await h.page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
    id,
    'focus stays on the unit after the re-render',
  );
  await h.page.locator(tid('stage-whatif')).screenshot({ path: path.join(chrome.shots, 'head-lens-whatif-dark.png') });
  assert.deepEqual(h.problems, []);
  await h.page.close();
});
