// The head lens card and the what-if experiments in the panel (linkedom): the chart and table show the lens
// entries, the settle point is marked where the label stops changing, and every experiment's logits are the
// exact sums recomputed here with a plain loop from the window's contributions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';
import { withLens } from './webviewHarness/lensFixture';

installDom();
import { renderPanel } from './webviewHarness/render';
import { isHostToWebview, isWebviewToHost, type PanelState } from '../../src/shared/protocol';
import type { Inspection } from '../../src/core/types';
import type { WhatIfState } from '../../src/webview/whatIf';
import type { ViewCallbacks } from '../../src/webview/view';

const state = (ins: Inspection): PanelState => ({
  newest: 1,
  view: {
    kind: 'result',
    requestId: 1,
    inspection: ins,
    source: { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 0, selection: true },
  },
});
const q = (root: ParentNode, id: string): HTMLElement => {
  const el = root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  assert.ok(el, `missing [data-testid=${id}]`);
  return el;
};

/** A panel whose what-if state lives here, re-rendered on every change like main.ts does. */
function interactive(
  ins: Inspection,
  extra: Partial<ViewCallbacks> = {},
): { root: () => HTMLElement; click: (id: string) => void } {
  let st: WhatIfState | undefined;
  let root: HTMLElement;
  const cb: Partial<ViewCallbacks> = {
    ...extra,
    whatIf: {
      get: () => st,
      set(next) {
        st = next;
        root = renderPanel(state(ins), cb);
      },
    },
  };
  root = renderPanel(state(ins), cb);
  return {
    root: () => root,
    click: (id) =>
      q(root, id).dispatchEvent(
        new (globalThis as unknown as { window: { Event: typeof Event } }).window.Event('click'),
      ),
  };
}

/** Chooses an option the way a click does (linkedom's select has no value setter). */
function choose(select: HTMLElement, value: string): void {
  for (const o of Array.from(select.querySelectorAll('option'))) {
    if (o.getAttribute('value') === value) o.setAttribute('selected', '');
    else o.removeAttribute('selected');
  }
}
const near = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-12);

const logitsShown = (root: HTMLElement): number[] =>
  Array.from(q(root, 'whatif-logits').querySelectorAll('.bar-row')).map((r) => Number(r.getAttribute('data-value')));

test('the lens chart has one line per label over every layer and marks where the label settles', () => {
  const ins = withLens(makeInspection({ nLayers: 4, dim: 24 }));
  const w = ins.windows[0]!;
  const root = renderPanel(state(ins));
  const card = q(root, 'stage-lens');
  const chart = q(card, 'lens-chart');
  const series = chart.querySelectorAll('.lens-series');
  assert.equal(series.length, ins.model.labels.length);
  for (const g of Array.from(series)) assert.equal(g.querySelectorAll('circle').length, ins.model.nLayers + 1);
  // Settle: recomputed here from the entries' labels.
  const labels = w.lens!.map((e) => e.label);
  let settle = labels.length - 1;
  while (settle > 0 && labels[settle - 1] === labels[labels.length - 1]) settle--;
  assert.equal(w.lensSettledAt, settle);
  const line = q(chart, 'lens-settle');
  const dots = series[0]!.querySelectorAll('circle');
  assert.equal(line.getAttribute('x1'), dots[settle]!.getAttribute('cx'), 'the settle line stands on the settle layer');
  const rows = Array.from(q(card, 'lens-table').querySelectorAll('tbody tr'));
  assert.equal(rows.length, ins.model.nLayers + 1);
  assert.deepEqual(
    rows.map((r) => r.classList.contains('settle')),
    rows.map((_, i) => i === settle),
  );
  rows.forEach((r, k) => {
    const cells = Array.from(r.querySelectorAll('td')).map((c) => c.textContent);
    assert.equal(cells[0], `${((w.lens![k]!.probabilities[0] ?? 0) * 100).toFixed(1)}%`);
    assert.equal(cells[ins.model.labels.length], w.lens![k]!.label);
  });
  assert.match(
    q(card, 'lens-summary').textContent ?? '',
    new RegExp(`after ${settle === 0 ? 'the embeddings' : `block ${settle}`}`),
  );
  assert.match(q(card, 'why-dense').textContent ?? '', /same number of parameters \(transformers issue 1535\)/);
  assert.ok(q(card, 'why-dense').querySelector('a[href="https://github.com/huggingface/transformers/issues/1535"]'));
});

test('switching units off recomputes the logits exactly; the top-k and keep-only buttons pick the right units', () => {
  const ins = withLens(makeInspection({ dim: 32, seed: 5 }));
  const w = ins.windows[0]!;
  const labels = ins.model.labels;
  const expected = (off: Set<number>) =>
    labels.map((l) => {
      const c = w.contributions[l]!;
      let s = c.bias;
      for (let u = 0; u < c.units.length; u++) if (!off.has(u)) s += c.units[u]!;
      return s;
    });
  const p = interactive(ins);
  assert.match(q(p.root(), 'whatif-result').textContent ?? '', /Experiment, not the model: no unit switched off/);
  assert.ok(logitsShown(p.root()).every((x, i) => Math.abs(x - w.logits[i]!) < 1e-12));

  const unitButton = p.root().querySelector<HTMLElement>('[data-testid^="whatif-unit-"][aria-pressed]')!;
  const unit = Number(unitButton.getAttribute('data-testid')!.replace('whatif-unit-', ''));
  p.click(`whatif-unit-${unit}`);
  assert.equal(q(p.root(), `whatif-unit-${unit}`).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(logitsShown(p.root()), expected(new Set([unit])));
  p.click(`whatif-unit-${unit}`);
  assert.deepEqual(logitsShown(p.root()), expected(new Set()), 'clicking again switches it back on');

  const label = labels.find((l) => l !== w.label)!; // not the default choice, so the select really matters
  const byToward = w.contributions[label]!.units.map((v, u) => ({ u, v }))
    .filter((x) => x.v > 0)
    .sort((a, b) => b.v - a.v)
    .slice(0, 5)
    .map((x) => x.u);
  choose(q(p.root(), 'whatif-label'), label);
  p.click('whatif-off-top');
  assert.deepEqual(logitsShown(p.root()), expected(new Set(byToward)));
  choose(q(p.root(), 'whatif-label'), label);
  p.click('whatif-keep-top');
  const all = new Set(Array.from({ length: ins.model.dim }, (_, u) => u).filter((u) => !byToward.includes(u)));
  assert.deepEqual(logitsShown(p.root()), expected(all));
});

test("bypass and no-activation show the core's experiments, labelled as experiments", () => {
  const ins = withLens(makeInspection({ dim: 16 }));
  const w = ins.windows[0]!;
  const p = interactive(ins);
  p.click('whatif-bypass');
  assert.deepEqual(logitsShown(p.root()), w.experiments!.bypassDense.logits);
  assert.match(q(p.root(), 'whatif-result').textContent ?? '', /Experiment, not the model: pre_classifier bypassed/);
  assert.equal(q(p.root(), 'whatif-bypass').getAttribute('aria-pressed'), 'true');
  p.click('whatif-noact');
  assert.deepEqual(logitsShown(p.root()), w.experiments!.noActivation.logits);
  assert.match(q(p.root(), 'whatif-result').textContent ?? '', /no ReLU/);
  p.click('whatif-reset');
  assert.ok(near(logitsShown(p.root()), w.logits));
});

test('BERT and RoBERTa heads name the experiments in their own terms', () => {
  const p = interactive(withLens(makeInspection({ dim: 16, head: 'roberta' })));
  assert.equal(q(p.root(), 'whatif-bypass').textContent, 'Bypass classifier.dense');
  assert.equal(q(p.root(), 'whatif-noact').textContent, 'No tanh');
});

test('the token lens: a button asks for it, and the strip shows one reading per word piece, marked as not what the model reads', () => {
  let asked = 0;
  const root = renderPanel(state(withLens(makeInspection())), { tokenLens: () => asked++ });
  q(root, 'token-lens-button').dispatchEvent(
    new (globalThis as unknown as { window: { Event: typeof Event } }).window.Event('click'),
  );
  assert.equal(asked, 1);
  const ins = withLens(makeInspection(), { tokenLens: true });
  const w = ins.windows[0]!;
  const strip = q(renderPanel(state(ins)), 'token-lens');
  const items = Array.from(strip.querySelectorAll('li'));
  assert.equal(items.length, w.tokens.length);
  items.forEach((li, i) => {
    const e = w.tokenLens![i]!;
    assert.equal(li.querySelector('.tl-piece')!.textContent, w.tokens[i]!.text);
    assert.equal(
      li.querySelector('.tl-label')!.textContent,
      `${e.label} ${((e.probabilities[ins.model.labels.indexOf(e.label)] ?? 0) * 100).toFixed(1)}%`,
    );
  });
  assert.match(strip.parentElement!.textContent ?? '', /what the head would read if it looked here instead of \[CLS\]/);
});

test('every what-if control is a native, labelled control (keyboard reachable)', () => {
  const root = interactive(withLens(makeInspection())).root();
  const card = q(root, 'stage-whatif');
  for (const b of Array.from(card.querySelectorAll('button'))) assert.equal(b.getAttribute('type'), 'button');
  for (const i of Array.from(card.querySelectorAll('input, select')))
    assert.ok(i.getAttribute('aria-label'), 'labelled');
});

test('a result without a lens (saved before it existed) renders without the lens cards', () => {
  const root = renderPanel(state(makeInspection()));
  assert.equal(root.querySelector('[data-testid="stage-lens"]'), null);
  assert.ok(root.querySelector('[data-testid="stage-classifier"]'));
});

test('the protocol accepts the token lens request and rejects a malformed lens', () => {
  assert.ok(isWebviewToHost({ type: 'tokenLens' }));
  assert.ok(!isWebviewToHost({ type: 'tokenLens', extra: 1 }));
  const ins = withLens(makeInspection(), { tokenLens: true });
  const msg = {
    type: 'result',
    requestId: 1,
    inspection: ins,
    source: { uri: 'file:///a', fileName: 'a', baseOffset: 0, selection: false },
  };
  assert.ok(isHostToWebview(JSON.parse(JSON.stringify(msg))));
  const bad = JSON.parse(JSON.stringify(msg));
  bad.inspection.windows[0].lens[1].logits = ['x'];
  assert.ok(!isHostToWebview(bad));
  const short = JSON.parse(JSON.stringify(msg));
  short.inspection.windows[0].tokenLens.pop();
  assert.ok(!isHostToWebview(short), 'one token lens entry per token');
});
