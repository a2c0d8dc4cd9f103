// The webview's render functions, on Inspections computed by the fixture helper (not hand-typed numbers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';

const document = installDom();
// Imported after the DOM exists (the modules only touch `document` when rendering, but keep it obvious).
import { renderApp, type ViewCallbacks } from '../../src/webview/view';
import { readPalette } from '../../src/webview/theme';
import type { Inspection } from '../../src/core/types';
import type { PanelSource, PersistedState } from '../../src/shared/protocol';

const source: PanelSource = { uri: 'file:///w/review.txt', fileName: 'review.txt', baseOffset: 10, selection: true };

function render(ins: Inspection, selectedWindow = 0, cb: Partial<ViewCallbacks> = {}): HTMLElement {
  const st: PersistedState = {
    version: 1,
    panel: { newest: 1, view: { kind: 'result', requestId: 1, inspection: ins, source } },
    selectedWindow,
  };
  const calls: ViewCallbacks = {
    selectWindow: () => {},
    reveal: () => {},
    exportJson: () => {},
    compareVariants: () => {},
    ...cb,
  };
  const root = renderApp(st, readPalette(), calls);
  document.getElementById('app')!.replaceChildren(root);
  return root;
}

const byId = (root: ParentNode, id: string): Element => {
  const el = root.querySelector(`[data-testid="${id}"]`);
  assert.ok(el, `missing [data-testid=${id}]`);
  return el;
};

test('the label and its probability are at the top', () => {
  const ins = makeInspection();
  const root = render(ins);
  const label = ins.aggregate.label;
  assert.equal(byId(root, 'result-label').textContent, label);
  assert.equal(
    byId(root, 'result-probability').textContent,
    `${((ins.aggregate.probabilities[label] ?? 0) * 100).toFixed(1)}%`,
  );
  assert.match(byId(root, 'coverage').textContent ?? '', /^Complete: all \d+ characters/);
});

test('stage cards appear once each, in data-flow order', () => {
  const root = render(makeInspection());
  const order = [
    'tokens',
    'stage-layers',
    'stage-cls',
    'stage-pre-classifier',
    'stage-relu',
    'stage-dropout',
    'stage-classifier',
    'logits',
    'probabilities',
    'contributions',
  ];
  const all = Array.from(root.querySelectorAll('[data-testid]')).map((e) => e.getAttribute('data-testid'));
  const seen = all.filter((id): id is string => !!id && order.includes(id));
  assert.deepEqual(seen, order);
});

test('the ReLU card states how many units are zero, counted from the relu vector', () => {
  for (const seed of [1, 2, 3]) {
    const ins = makeInspection({ seed, dim: 40 });
    const w = ins.windows[0]!;
    const zeros = w.stages.activation.filter((x) => x === 0).length;
    assert.ok(zeros > 0 && zeros < 40, 'fixture should have some but not all units zeroed');
    const text = byId(render(ins), 'stage-relu').textContent ?? '';
    assert.ok(text.includes(`${zeros} of 40 units are zero`), text);
  }
});

test('each dim-sized heatmap has one cell per unit; the per-block heatmap one per block and unit', () => {
  const ins = makeInspection({ dim: 64, nLayers: 4 });
  const root = render(ins);
  for (const id of ['heatmap-cls', 'heatmap-pre', 'heatmap-relu']) {
    const units = Array.from(byId(root, id).querySelectorAll('rect[data-unit]')).map((r) =>
      Number(r.getAttribute('data-unit')),
    );
    assert.deepEqual(
      units,
      Array.from({ length: 64 }, (_, i) => i),
      id,
    );
  }
  // The per-block map is a canvas with one pixel per block and unit.
  const canvas = byId(root, 'heatmap-layers').querySelector('canvas');
  assert.equal(canvas?.getAttribute('width'), '64');
  assert.equal(canvas?.getAttribute('height'), '4');
  // Each cell carries its exact value (the hover readout shows it; checked in the Chromium test).
  const cell = byId(root, 'heatmap-relu').querySelector('rect[data-unit="5"]');
  assert.equal(Number(cell?.getAttribute('data-value')), ins.windows[0]!.stages.activation[5]);
});

test('zeroed ReLU units are drawn empty; active ones are not', () => {
  const ins = makeInspection();
  const relu = ins.windows[0]!.stages.activation;
  const rects = byId(render(ins), 'heatmap-relu').querySelectorAll('rect[data-unit]');
  rects.forEach((r, u) => assert.equal(r.getAttribute('fill-opacity') === '0', relu[u] === 0, `unit ${u}`));
});

test('logit waterfalls: bias, units toward (descending), against (most negative first), rest, and they add up', () => {
  const ins = makeInspection({ dim: 32, labels: ['neg', 'neutral', 'pos'], problemType: 'multi_label_classification' });
  const w = ins.windows[0]!;
  const groups = byId(render(ins), 'contributions').querySelectorAll('.contribution');
  assert.equal(groups.length, 3);
  groups.forEach((g, l) => {
    const rows = Array.from(g.querySelectorAll('.bar-row')).map((r) => ({
      kind: r.getAttribute('data-kind'),
      v: Number(r.getAttribute('data-value')),
    }));
    assert.equal(rows[0]?.kind, 'bias');
    const toward = rows.filter((r) => r.kind === 'toward').map((r) => r.v);
    const against = rows.filter((r) => r.kind === 'against').map((r) => r.v);
    assert.ok(toward.length > 0 && against.length > 0);
    assert.deepEqual(
      toward,
      [...toward].sort((a, b) => b - a),
    );
    assert.deepEqual(
      against,
      [...against].sort((a, b) => a - b),
    );
    assert.ok(toward.every((v) => v > 0) && against.every((v) => v < 0));
    const total = rows.at(-1)!;
    assert.equal(total.kind, 'total');
    assert.equal(total.v, w.logits[l]);
    const sum = rows.slice(0, -1).reduce((a, r) => a + r.v, 0);
    assert.ok(Math.abs(sum - total.v) < 1e-9, `steps add to ${sum}, logit ${total.v}`);
    // The largest contribution toward this label is the one shown first.
    const maxUnit = Math.max(...w.contributions[g.getAttribute('data-label')!]!.units);
    assert.equal(toward[0], maxUnit);
  });
});

test('logit and probability bars follow the model labels, the winner emphasised', () => {
  const ins = makeInspection();
  const root = render(ins);
  const w = ins.windows[0]!;
  const logits = Array.from(byId(root, 'logits').querySelectorAll('.bar-row'));
  assert.deepEqual(
    logits.map((r) => r.querySelector('.bar-label')?.textContent),
    ins.model.labels,
  );
  assert.deepEqual(
    logits.map((r) => Number(r.getAttribute('data-value'))),
    w.logits,
  );
  const probs = Array.from(byId(root, 'probabilities').querySelectorAll('.bar-row'));
  assert.equal(probs.find((r) => r.classList.contains('emphasis'))?.querySelector('.bar-label')?.textContent, w.label);
});

test('several windows: one window item each; clicking selects it and shows its stages', () => {
  const ins = makeInspection({ windowTokens: 6 });
  assert.ok(ins.windows.length >= 3);
  const picked: number[] = [];
  const root = render(ins, 1, { selectWindow: (i) => picked.push(i) });
  const items = byId(root, 'window-list').querySelectorAll('[data-testid="window-item"]');
  assert.equal(items.length, ins.windows.length);
  assert.equal(items[1]?.getAttribute('aria-current'), 'true');
  assert.equal(items[2]?.tagName.toLowerCase(), 'button'); // Enter and Space activate buttons natively
  items[2]!.dispatchEvent(new (globalThis as any).window.Event('click'));
  assert.deepEqual(picked, [2]);
  // The stage cards show window 1 (selected), not window 0.
  const w1 = ins.windows[1]!;
  const chips = Array.from(byId(root, 'tokens').querySelectorAll('.chip')).map((c) => c.textContent);
  assert.deepEqual(
    chips,
    w1.tokens.map((t) => t.text),
  );
});

test('a single window has no window list', () => {
  assert.equal(render(makeInspection()).querySelector('[data-testid="window-list"]'), null);
});

test('token chips carry id and char range; clicking one reveals its range; truncation is marked before [SEP]', () => {
  const ins = makeInspection({ windowTokens: 5, truncate: true });
  const revealed: [number, number][] = [];
  const root = render(ins, 0, { reveal: (s, e) => revealed.push([s, e]) });
  const list = byId(root, 'tokens');
  const kids = Array.from(list.children);
  const marker = kids.findIndex((k) => k.getAttribute('data-testid') === 'truncation');
  assert.equal(marker, kids.length - 2, 'marker sits just before the final [SEP]');
  assert.equal(kids.at(-1)?.textContent, '[SEP]');
  assert.match(byId(root, 'coverage').textContent ?? '', /^Truncated/);
  const t = ins.windows[0]!.tokens[2]!;
  const chip = list.querySelectorAll('.chip')[2]!;
  assert.ok(
    chip.getAttribute('title')?.includes(`id ${t.id}`) &&
      chip.getAttribute('title')?.includes(`chars ${t.start}–${t.end}`),
  );
  chip.dispatchEvent(new (globalThis as any).window.Event('click', { bubbles: true }));
  assert.deepEqual(revealed, [[t.start, t.end]]);
});

test('hostile document text, labels, file names and errors stay text: no element is created from them', () => {
  const evil = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';
  const ins = makeInspection({ text: `fine ${evil} fine`, labels: [`<b>${evil}`, 'ok'] });
  ins.windows[0]!.tokens.splice(1, 0, { id: 1, text: evil, start: 0, end: 4, special: false });
  const evilSource = { ...source, fileName: `${evil}.txt` };
  const st: PersistedState = {
    version: 1,
    panel: { newest: 1, view: { kind: 'result', requestId: 1, inspection: ins, source: evilSource } },
    selectedWindow: 0,
  };
  const root = renderApp(st, readPalette(), {
    selectWindow: () => {},
    reveal: () => {},
    exportJson: () => {},
    compareVariants: () => {},
  });
  assert.equal(root.querySelectorAll('img, script, b').length, 0);
  assert.ok(root.textContent?.includes(evil));
  assert.ok(root.querySelector('.chip[title]')?.parentElement);
  const err = renderApp(
    { version: 1, panel: { newest: 2, view: { kind: 'error', requestId: 2, message: evil } }, selectedWindow: 0 },
    readPalette(),
    {
      selectWindow: () => {},
      reveal: () => {},
      exportJson: () => {},
      compareVariants: () => {},
    },
  );
  assert.equal(err.querySelectorAll('img, script').length, 0);
  assert.equal(err.querySelector('[data-testid="error"]')?.textContent, evil);
});

test('while a run is pending only the status shows, never a result', () => {
  const running = renderApp(
    {
      version: 1,
      panel: { newest: 3, view: { kind: 'running', requestId: 3, what: 'selection in a.txt' } },
      selectedWindow: 0,
    },
    readPalette(),
    {
      selectWindow: () => {},
      reveal: () => {},
      exportJson: () => {},
      compareVariants: () => {},
    },
  );
  assert.match(running.textContent ?? '', /Running: selection in a\.txt/);
  assert.equal(running.getAttribute('data-testid'), 'status');
  assert.equal(running.querySelector('[data-testid="result-label"]'), null);
});

test('pre_classifier is explained with links to the sources; dropout states p and the identity', () => {
  const root = render(makeInspection());
  const pre = byId(root, 'stage-pre-classifier');
  const hrefs = Array.from(pre.querySelectorAll('a')).map((a) => a.getAttribute('href'));
  assert.ok(hrefs.some((h) => h?.endsWith('/distilbert/modeling_distilbert.py')));
  assert.ok(hrefs.some((h) => h?.endsWith('/bert/modeling_bert.py')));
  assert.ok(hrefs.includes('https://arxiv.org/abs/1910.01108'));
  assert.match(pre.textContent ?? '', /pooler/);
  assert.match(pre.textContent ?? '', /tanh/);
  const dropout = byId(root, 'stage-dropout').textContent ?? '';
  assert.match(dropout, /Identity at inference/);
  assert.match(dropout, /p = 0\.2/);
});

test('the export button asks the host to export', () => {
  let asked = 0;
  const root = render(makeInspection(), 0, { exportJson: () => asked++ });
  byId(root, 'export-json').dispatchEvent(new (globalThis as any).window.Event('click'));
  assert.equal(asked, 1);
});
