// "Compare Two Texts" in the real webview page (headless Chromium, the panel's real CSP): the comparison arrives
// as a host message and renders without a CSP violation; hostile text stays text; the Δ strip reads out exact
// values by mouse and keyboard; "Show in editor" posts the side; screenshots in light, dark and high contrast
// (written to $WEBVIEW_SCREENSHOTS or a temp folder, whose path is printed).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { compareTexts } from '../../src/core/compare/textCompare';
import type { ComparedText } from '../../src/shared/protocol';
import { makeInspection } from './webviewHarness/inspection';
import { openHarness } from './webviewHarness/page';
import { themes } from './webviewHarness/themes';
import { chromiumForFile } from './webviewHarness/chromium';

const chrome = chromiumForFile({
  shotsEnv: 'WEBVIEW_SCREENSHOTS',
  tempPrefix: 'dbi-webview-shots-',
  what: 'webview',
  bundle: true,
});

const tid = (id: string): string => `[data-testid="${id}"]`;
const evil = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';

test('a comparison renders under the CSP in three themes; strip readout, keyboard and reveal work', async () => {
  const textA = 'A gripping, beautifully acted film that stays with you.';
  const textB = `Dull and far too long; I checked my watch constantly. ${evil}`;
  // One model (same seed = same head weights); B read in several windows, so it is a mean.
  const a = makeInspection({ text: textA, dim: 256, nLayers: 6, seed: 5 });
  const b = makeInspection({ text: textB, dim: 256, nLayers: 6, seed: 5, windowTokens: 6 });
  const c = compareTexts(a, b);
  const texts: [ComparedText, ComparedText] = [
    {
      what: 'selection 1 in review.md (line 3)',
      excerpt: textA,
      length: textA.length,
      uri: 'file:///w/review.md',
      start: 40,
      end: 40 + textA.length,
    },
    { what: `the clipboard ${evil}`, excerpt: textB, length: textB.length },
  ];
  const h = await openHarness(chrome.browser, chrome.bundle, themes.light);
  await h.send({ type: 'comparison', requestId: 1, comparison: c, texts });
  await h.page.waitForSelector(tid('text-comparison'));
  assert.equal(await h.page.locator('img, #app script').count(), 0, 'hostile text never becomes markup');
  assert.equal(await h.page.textContent(tid('excerpt-B')), textB);
  assert.equal(await h.page.locator(tid('stage-row')).count(), 6 + 3);
  assert.equal(await h.page.locator(`${tid('stage-row')}[data-stage="relu"] rect[data-unit]`).count(), 256);

  // Mouse: hovering the relu strip at unit u shows Δ of exactly that unit.
  const relu = c.stages.find((s) => s.stage.kind === 'relu')!;
  const strip = h.page.locator(`${tid('stage-row')}[data-stage="relu"] ${tid('delta-strip')}`);
  await strip.scrollIntoViewIfNeeded();
  const box = (await strip.boundingBox())!;
  const u = 100;
  await h.page.mouse.move(box.x + ((u + 0.5) / 256) * box.width, box.y + box.height / 2);
  const readout = h.page.locator(`${tid('stage-row')}[data-stage="relu"] .strip-readout`);
  assert.ok(
    (await readout.textContent())!.startsWith(`unit ${u}: Δ ${Number(relu.delta[u]!.toPrecision(6))}`),
    (await readout.textContent())!,
  );
  // Keyboard: Tab reaches the strip; End reads the last unit.
  await strip.focus();
  await h.page.keyboard.press('End');
  assert.ok((await readout.textContent())!.startsWith('unit 255: Δ '));

  await h.page.click(tid('reveal-A'));
  assert.deepEqual((await h.posted()).at(-1), { type: 'revealCompared', side: 0 });
  // The comparison's own Export Markdown button, by keyboard: the host decides what to export from what is on show.
  await h.page.focus(`${tid('text-comparison')} ${tid('export-markdown')}`);
  await h.page.keyboard.press('Enter');
  assert.deepEqual((await h.posted()).at(-1), { type: 'exportMarkdown' });

  for (const [name, theme] of Object.entries(themes)) {
    await h.setTheme(theme);
    const first = relu.delta.findIndex((v) => v > 0);
    await h.page.waitForSelector(
      `${tid('stage-row')}[data-stage="relu"] rect[data-unit="${first}"][fill="${theme.vars['--vscode-charts-blue']}"]`,
    );
    await h.page.screenshot({ path: path.join(chrome.shots, `compare-texts-${name}.png`), fullPage: true });
  }
  const csp = (await h.posted()).filter((m) => (m as { cspViolation?: string }).cspViolation);
  assert.deepEqual([...h.problems, ...csp.map((m) => JSON.stringify(m))], []);
  await h.page.close();
});
