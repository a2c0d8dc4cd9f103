// The real webview page in headless Chromium, under the panel's real CSP: the handshake, rendering a result,
// keyboard use, stale results, hostile text, restore from setState, and screenshots in light, dark and
// high-contrast palettes (written to $WEBVIEW_SCREENSHOTS or a temp folder, whose path is printed).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { PanelSource } from '../../src/shared/protocol';
import { makeInspection } from './webviewHarness/inspection';
import { openHarness, type Harness } from './webviewHarness/page';
import { themes } from './webviewHarness/themes';
import { chromiumForFile } from './webviewHarness/chromium';

const review =
  'A gripping, beautifully acted film. The ending felt rushed and the score is far too loud, but I would happily watch it again.';
const source: PanelSource = { uri: 'file:///w/review.txt', fileName: 'review.txt', baseOffset: 0, selection: true };
const chrome = chromiumForFile({
  shotsEnv: 'WEBVIEW_SCREENSHOTS',
  tempPrefix: 'dbi-webview-shots-',
  what: 'webview',
  bundle: true,
});

async function noProblems(h: Harness): Promise<void> {
  const csp = (await h.posted()).filter((m) => (m as { cspViolation?: string }).cspViolation);
  assert.deepEqual([...h.problems, ...csp.map((m) => JSON.stringify(m))], []);
}

const tid = (id: string): string => `[data-testid="${id}"]`;

test('renders a full result under the CSP, follows theme switches, and saves light/dark/high-contrast screenshots', async () => {
  const ins = makeInspection({ text: review, dim: 768, nLayers: 6, seed: 11 });
  const h = await openHarness(chrome.browser, chrome.bundle, themes.light);
  assert.deepEqual(await h.posted(), [{ type: 'ready' }], 'the webview says ready, and nothing else, first');
  await h.send({ type: 'running', requestId: 1, what: 'selection in review.txt' });
  await h.page.waitForSelector(`${tid('status')}[aria-busy="true"]`);
  await h.send({ type: 'result', requestId: 1, inspection: ins, source });
  assert.equal(await h.page.textContent(tid('result-label'), { timeout: 5000 }), ins.aggregate.label);
  assert.equal(await h.page.locator(`${tid('heatmap-relu')} rect[data-unit]`).count(), 768);
  const cls = ins.windows[0]!.stages.cls;
  const pos = cls.findIndex((v) => v > 0);
  const neg = cls.findIndex((v) => v < 0);
  for (const [name, theme] of Object.entries(themes)) {
    await h.setTheme(theme);
    // Chart colours are re-read from the theme's variables: blue for positive values, orange for negative ones.
    await h.page.waitForSelector(
      `${tid('heatmap-cls')} rect[data-unit="${pos}"][fill="${theme.vars['--vscode-charts-blue']}"]`,
    );
    assert.equal(
      await h.page.getAttribute(`${tid('heatmap-cls')} rect[data-unit="${neg}"]`, 'fill'),
      theme.vars['--vscode-charts-orange'],
    );
    // Hovering a cell shows its exact value.
    await h.page.hover(`${tid('heatmap-cls')} rect[data-unit="${neg}"]`);
    assert.equal(
      await h.page.textContent(`${tid('stage-cls')} .tip`),
      `unit ${neg}: ${Number(cls[neg]!.toPrecision(6))}`,
    );
    await h.page.screenshot({ path: path.join(chrome.shots, `inspector-${name}.png`), fullPage: true });
  }
  await noProblems(h);
  await h.page.close();
});

test('several windows: the list reveals a window with the mouse and with Enter; heatmaps read out by keyboard', async () => {
  const ins = makeInspection({
    text: `${review} ${review} ${review}`,
    dim: 768,
    nLayers: 6,
    windowTokens: 24,
    truncate: false,
    seed: 5,
  });
  const h = await openHarness(chrome.browser, chrome.bundle, themes.dark);
  await h.send({ type: 'result', requestId: 4, inspection: ins, source: { ...source, selection: false } });
  const items = h.page.locator(tid('window-item'));
  assert.equal(await items.count(), ins.windows.length);
  await items.nth(1).click();
  await h.page.waitForSelector(`${tid('window-item')}[aria-current="true"] >> text=#2`);
  await h.page.keyboard.press('Tab'); // focus moves from window 2 to window 3 (focus survives re-render)
  await h.page.keyboard.press('Enter');
  const reveals = (await h.posted()).filter((m) => (m as { type?: string }).type === 'reveal');
  assert.deepEqual(reveals, [
    { type: 'reveal', windowIndex: 1 },
    { type: 'reveal', windowIndex: 2 },
  ]);
  await h.page.evaluate(() => window.scrollTo(0, 0));
  await h.page.screenshot({ path: path.join(chrome.shots, 'inspector-windows-dark.png'), fullPage: false });
  await h.page.focus(tid('heatmap-relu'));
  await h.page.keyboard.press('ArrowRight');
  const readout = await h.page.locator(`${tid('stage-relu')} .heatmap-readout`).textContent();
  assert.equal(readout, `unit 1: ${Number(ins.windows[2]!.stages.activation[1]!.toPrecision(6))}`);
  const st = (await h.state()) as { selectedWindow: number };
  assert.equal(st.selectedWindow, 2);
  await noProblems(h);
  await h.page.close();
});

test('a long file: the window list scrolls and keeps the selection in sight; a huge result is not copied into setState', async () => {
  const text = Array.from({ length: 50 }, (_, i) => `Paragraph ${i}: ${review}`).join('\n');
  const ins = makeInspection({ text, dim: 768, nLayers: 6, windowTokens: 30, seed: 9 });
  assert.ok(ins.windows.length >= 40);
  const h = await openHarness(chrome.browser, chrome.bundle, themes.light);
  await h.send({ type: 'result', requestId: 1, inspection: ins, source });
  await h.page.waitForSelector(tid('window-list'));
  await h.page.locator(tid('window-item')).nth(35).click();
  await h.page.waitForSelector(`${tid('window-item')}[aria-current="true"] >> text=#36`);
  const inView = await h.page.evaluate(() => {
    const list = document.querySelector('.windows')!.getBoundingClientRect();
    const sel = document.querySelector('.window-item.selected')!.getBoundingClientRect();
    return list.height < 400 && sel.top >= list.top && sel.bottom <= list.bottom;
  });
  assert.ok(inView, 'the list is short and the selected window is visible in it');
  const st = (await h.state()) as { panel: { view: { kind: string; note?: string } } };
  assert.equal(st.panel.view.kind, 'empty');
  assert.match(st.panel.view.note ?? '', /too large to keep across a window reload/);
  await noProblems(h);
  await h.page.close();
});

test('a stale result never replaces a pending run; the result comes back after restore from setState', async () => {
  const old = makeInspection({ text: 'old text', seed: 1 });
  const fresh = makeInspection({ text: review, seed: 2, labels: ['NEGATIVE', 'POSITIVE'] });
  const h = await openHarness(chrome.browser, chrome.bundle, themes.light);
  await h.send({ type: 'running', requestId: 7, what: 'selection in review.txt' });
  await h.send({ type: 'result', requestId: 6, inspection: old, source });
  await h.send({ type: 'error', requestId: 5, message: 'cancelled' });
  await h.page.waitForTimeout(100);
  assert.equal(await h.page.locator(tid('result-label')).count(), 0);
  assert.match((await h.page.textContent(tid('status'))) ?? '', /Running: selection in review\.txt/);
  await h.send({ type: 'result', requestId: 7, inspection: fresh, source });
  await h.page.waitForSelector(tid('result-label'));
  const saved = await h.state();
  await h.page.close();
  // Hidden-and-shown or reloaded: the page starts from getState before the host says anything.
  const again = await openHarness(chrome.browser, chrome.bundle, themes.light, saved);
  assert.equal(await again.page.textContent(tid('result-label')), fresh.aggregate.label);
  await noProblems(again);
  await again.page.close();
});

test('hostile document text is shown as text in the real page: no element, no script, no dialog', async () => {
  const evil = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';
  const ins = makeInspection({ text: `so ${evil} so` });
  ins.windows[0]!.tokens.splice(1, 0, { id: 9, text: evil, start: 0, end: 2, special: false });
  const h = await openHarness(chrome.browser, chrome.bundle, themes.dark);
  await h.send({ type: 'result', requestId: 1, inspection: ins, source: { ...source, fileName: evil } });
  await h.page.waitForSelector(tid('tokens'));
  assert.equal(await h.page.locator('img, #app script').count(), 0);
  assert.ok(((await h.page.textContent(tid('tokens'))) ?? '').includes(evil));
  await h.send({ type: 'error', requestId: 2, message: evil });
  assert.equal(await h.page.textContent(tid('error')), evil);
  await noProblems(h);
  await h.page.close();
});

test('a BERT head in the real page: tanh saturation, the head comparison, and the fp32 / int8 comparison after a click', async () => {
  const ins = makeInspection({ text: review, dim: 96, nLayers: 4, seed: 5, head: 'bert' });
  const h = await openHarness(chrome.browser, chrome.bundle, themes.light);
  await h.send({ type: 'result', requestId: 1, inspection: ins, source, compare: { kind: 'available' } });
  await h.page.waitForSelector(tid('saturated'));
  assert.equal(await h.page.textContent(`${tid('stage-pre-classifier')} h3`), 'bert.pooler.dense (dense)');
  assert.equal(await h.page.getAttribute(`${tid('head-comparison')} tr[aria-current="true"]`, 'data-head'), 'bert');
  await h.page.click(tid('compare-variants'));
  assert.deepEqual(
    (await h.posted()).slice(-1),
    [{ type: 'compareVariants' }],
    'the click asks the host, carrying nothing else',
  );
  const fp = ins.aggregate.logits;
  const run = (variant: 'fp32' | 'quantized', logits: number[], latencyMs: number) => ({
    variant,
    onnxFile: `onnx/${variant === 'fp32' ? 'model' : 'model_quantized'}.onnx`,
    label: ins.aggregate.label,
    logits,
    probabilities: ins.aggregate.probabilities,
    latencyMs,
    inferenceMs: latencyMs - 1,
  });
  await h.send({
    type: 'compare',
    requestId: 1,
    compare: {
      kind: 'done',
      runs: [
        run('fp32', fp, 14),
        run(
          'quantized',
          fp.map((x) => x + 0.03),
          9,
        ),
      ],
    },
  });
  await h.page.waitForSelector(tid('variant-comparison'));
  for (const name of ['light', 'dark'] as const) {
    await h.setTheme(themes[name]);
    await h.page
      .locator(tid('variant-comparison'))
      .screenshot({ path: path.join(chrome.shots, `compare-variants-${name}.png`) });
    await h.page
      .locator(tid('head-comparison'))
      .screenshot({ path: path.join(chrome.shots, `head-comparison-bert-${name}.png`) });
  }
  await noProblems(h);
  await h.page.close();
});
