// "Compare Two Texts" in the panel: the protocol (guards, stale rule, reveal requests) and the rendering (texts as
// inert text, labels, logit bars with Δ, one row per stage with the comparison's own figures, contribution moves),
// on fixture Inspections built independently of the core (webviewHarness/inspection.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';

installDom();

import { renderPanel } from './webviewHarness/render';
import { compareTexts, type TextComparison } from '../../src/core/compare/textCompare';
import { PanelModel } from '../../src/extension/panel/panelModel';
import {
  isHostToWebview,
  isPersistedState,
  isTextComparison,
  isWebviewToHost,
  reduce,
  type ComparedText,
  type PanelState,
} from '../../src/shared/protocol';

const evil = '<img src=x onerror="alert(1)"> </pre><script>alert(2)</script>';
const textA = `A gripping film. ${evil}`;
const textB = 'A dull, tedious film that drags.';
const texts: [ComparedText, ComparedText] = [
  {
    what: 'selection 1 in a.md',
    excerpt: textA,
    length: textA.length,
    uri: 'file:///w/a.md',
    start: 10,
    end: 10 + textA.length,
  },
  { what: 'the clipboard', excerpt: textB, length: textB.length },
];

function comparison(): TextComparison {
  const a = makeInspection({ text: textA, seed: 3 });
  // Same seed: the same head weights (one model); B's several windows draw other vectors than A's one.
  const b = makeInspection({ text: textB, seed: 3, windowTokens: 4 });
  return compareTexts(a, b, { topUnits: 5 });
}

const q = (root: ParentNode, id: string): Element | null => root.querySelector(`[data-testid="${id}"]`);
const qa = (root: ParentNode, id: string): Element[] => [...root.querySelectorAll(`[data-testid="${id}"]`)];
const shown = (c: TextComparison): PanelState =>
  reduce({ newest: 0, view: { kind: 'empty' } }, { type: 'comparison', requestId: 2, comparison: c, texts })!;

test('the guards accept a real comparison and reject malformed ones', () => {
  const c = comparison();
  assert.ok(isTextComparison(c));
  assert.ok(isTextComparison(JSON.parse(JSON.stringify(c))));
  assert.ok(isHostToWebview({ type: 'comparison', requestId: 1, comparison: c, texts }));
  const broken = (f: (x: TextComparison) => void): TextComparison => {
    const x = JSON.parse(JSON.stringify(c)) as TextComparison;
    f(x);
    return x;
  };
  assert.ok(!isTextComparison(broken((x) => x.stages[0]!.delta.pop())), 'a Δ vector shorter than dim');
  assert.ok(!isTextComparison(broken((x) => (x.logitDelta = [1]))), 'one logit for two labels');
  assert.ok(
    !isTextComparison(broken((x) => ((x.stages[1]!.stage as { layer: number }).layer = 99))),
    'a block the model does not have',
  );
  assert.ok(!isTextComparison(broken((x) => ((x.a as { label: unknown }).label = 5))));
  assert.ok(!isHostToWebview({ type: 'comparison', requestId: 1, comparison: c, texts: [texts[0]] }), 'two texts');
  assert.ok(
    !isHostToWebview({
      type: 'comparison',
      requestId: 1,
      comparison: c,
      texts: [{ ...texts[0], start: 9, end: 3 }, texts[1]],
    }),
  );
  assert.ok(isWebviewToHost({ type: 'revealCompared', side: 1 }));
  assert.ok(!isWebviewToHost({ type: 'revealCompared', side: 2 }));
  assert.ok(
    !isWebviewToHost({ type: 'revealCompared', side: 0, uri: 'file:///etc/passwd' }),
    'the page cannot name a file',
  );
});

test('stale rule: an older comparison never replaces a newer run; a persisted comparison restores', () => {
  const c = comparison();
  const running: PanelState = { newest: 5, view: { kind: 'running', requestId: 5, what: 'x' } };
  assert.equal(reduce(running, { type: 'comparison', requestId: 4, comparison: c, texts }), undefined);
  const next = reduce(running, { type: 'comparison', requestId: 5, comparison: c, texts });
  assert.equal(next?.view.kind, 'comparison');
  assert.ok(isPersistedState({ version: 1, panel: next, selectedWindow: 0 }));
  // A newer classification replaces the comparison.
  assert.equal(reduce(next!, { type: 'running', requestId: 6, what: 'y' })?.view.kind, 'running');
});

test('the host maps a reveal request to the side’s own document range, and refuses one without a range', () => {
  const m = PanelModel.empty();
  assert.ok(m.comparison(3, comparison(), texts));
  assert.deepEqual(m.revealCompared(0), { uri: 'file:///w/a.md', start: 10, end: 10 + textA.length });
  assert.equal(m.revealCompared(1), undefined, 'the clipboard has no range');
  assert.equal(m.comparison(2, comparison(), texts), undefined, 'stale');
});

test('renders both texts as inert text, both labels and the verdict', () => {
  const c = comparison();
  const root = renderPanel(shown(c));
  assert.equal(q(root, 'excerpt-A')!.textContent, textA);
  assert.equal(q(root, 'excerpt-B')!.textContent, textB);
  assert.equal(root.querySelector('img'), null, 'document text never becomes markup');
  assert.equal(root.querySelector('script'), null);
  assert.equal(q(root, 'label-A')!.textContent, c.a.label);
  assert.equal(q(root, 'label-B')!.textContent, c.b.label);
  const verdict = q(root, 'comparison-verdict')!.textContent!;
  assert.ok(verdict.includes(c.labelChanged ? 'The label changes' : `Both are ${c.a.label}`), verdict);
  assert.ok(c.b.mean, 'fixture B has several windows');
  assert.ok(q(root, 'mean-note'), 'a multi-window side is said to be a mean');
  assert.ok(q(root, 'text-B')!.textContent!.includes('token-weighted means'));
});

test('logit bars: A, B and Δ per label with exact values on hover', () => {
  const c = comparison();
  const root = renderPanel(shown(c));
  const blocks = qa(root, 'logit-compare');
  assert.equal(blocks.length, c.model.labels.length);
  blocks.forEach((b, i) => {
    const rows = [...b.querySelectorAll('.bar-row')];
    assert.equal(rows.length, 3);
    assert.equal(Number(rows[0]!.getAttribute('data-value')), c.a.logits[i]);
    assert.equal(Number(rows[1]!.getAttribute('data-value')), c.b.logits[i]);
    assert.equal(Number(rows[2]!.getAttribute('data-value')), c.b.logits[i]! - c.a.logits[i]!);
    assert.ok(rows[2]!.getAttribute('title')!.startsWith(`Δ logit ${c.model.labels[i]}`));
  });
});

test('one row per stage with its cosine, ‖B − A‖, a Δ strip of dim cells and the top units', () => {
  const c = comparison();
  const root = renderPanel(shown(c));
  const rows = qa(root, 'stage-row');
  assert.equal(rows.length, c.model.nLayers + 3);
  rows.forEach((r, k) => {
    const d = c.stages[k]!;
    assert.equal(
      q(r, 'cosine')!.getAttribute('title'),
      d.cosine === null ? 'undefined: a vector is all zeros' : `cos(A, B) = ${d.cosine.toPrecision(6)}`,
    );
    assert.ok(q(r, 'distance')!.getAttribute('title')!.includes(d.distance.toPrecision(6)));
    const cells = r.querySelectorAll('rect[data-unit]');
    assert.equal(cells.length, c.model.dim);
    assert.equal(Number(cells[7]!.getAttribute('data-value')), d.delta[7]);
    const chips = [...r.querySelectorAll('.unit-chip')];
    assert.equal(chips.length, Math.min(4, d.top.length));
    if (d.top[0]) assert.ok(chips[0]!.getAttribute('title')!.startsWith(`unit ${d.top[0].unit}: A `));
  });
  assert.ok(rows[0]!.querySelector('th')!.textContent!.includes('after block 1'));
});

test('the Δ strip is keyboard readable', () => {
  const root = renderPanel(shown(comparison()));
  const strip = q(root, 'delta-strip') as HTMLElement;
  assert.equal(strip.getAttribute('tabindex'), '0');
  strip.dispatchEvent(new (globalThis as unknown as { window: { Event: typeof Event } }).window.Event('focus'));
  const key = (k: string): void => {
    const e = new (globalThis as unknown as { window: { Event: typeof Event } }).window.Event('keydown') as Event & {
      key: string;
    };
    Object.defineProperty(e, 'key', { value: k });
    strip.dispatchEvent(e);
  };
  key('ArrowRight');
  key('ArrowRight');
  const readout = strip.parentElement!.querySelector('output')!;
  assert.ok(readout.textContent!.startsWith('unit 2: Δ '), readout.textContent!);
  key('End');
  assert.ok(readout.textContent!.startsWith(`unit ${comparison().model.dim - 1}: Δ `));
});

test('contribution moves per label add up to the logit change; reveal only where a range exists', () => {
  const c = comparison();
  let revealed: number[] = [];
  const root = renderPanel(shown(c), { revealCompared: (side) => revealed.push(side) });
  const blocks = qa(root, 'contribution-moves');
  assert.equal(blocks.length, c.model.labels.length);
  blocks.forEach((b, i) => {
    const values = [...b.querySelectorAll('.bar-row')].map((r) => Number(r.getAttribute('data-value')));
    assert.equal(values.length, c.contributions[i]!.top.length);
    values.push(Number(q(b, 'contribution-rest')!.getAttribute('data-value')));
    const sum = values.reduce((s, x) => s + x, 0);
    assert.ok(Math.abs(sum - c.logitDelta[i]!) <= 1e-9, `${sum} vs ${c.logitDelta[i]}`);
  });
  (q(root, 'reveal-A') as HTMLButtonElement).click();
  assert.deepEqual(revealed, [0]);
  assert.equal(q(root, 'reveal-B'), null, 'the clipboard cannot be revealed');
  revealed = [];
});
