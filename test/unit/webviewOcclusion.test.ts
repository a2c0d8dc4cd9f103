// The occlusion heat strip in the panel and its protocol: a hand-made OcclusionResult (values chosen here, so
// every expected colour, order and tooltip is known), the guards, and the rule that an occlusion belongs to one
// result only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';

installDom();
import type { OcclusionResult, OcclusionUnit } from '../../src/core/attribution/occlusion';
import { PanelModel } from '../../src/extension/panel/panelModel';
import {
  isHostToWebview,
  isWebviewToHost,
  reduce,
  type OcclusionState,
  type PanelState,
} from '../../src/shared/protocol';
import type { ViewCallbacks } from '../../src/webview/view';
import { renderPanel } from './webviewHarness/render';

const source = { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 10, selection: true };
const TEXT = 'not a great movie!';

/** "not a great movie!" with NEGATIVE predicted; deltas picked by hand (removed − kept). */
function result(over: Partial<OcclusionResult> = {}): OcclusionResult {
  const base = [1.5, -0.5];
  const words: [string, number, number, number[], number][] = [
    // text, start, end, token indices, Δ NEGATIVE logit
    ['not', 0, 3, [1], -2],
    ['a', 4, 5, [2], 0.1],
    ['great', 6, 11, [3], 1],
    ['movie', 12, 17, [4], -0.5],
    ['!', 17, 18, [5], 0],
  ];
  const soft = (l: number[]) => {
    const e = l.map((x) => Math.exp(x));
    const s = e[0]! + e[1]!;
    return e.map((x) => x / s);
  };
  const bp = soft(base);
  return {
    unit: 'word',
    method: 'removed',
    passGraph: 'full',
    labels: ['NEGATIVE', 'POSITIVE'],
    label: 'NEGATIVE',
    baselineLogits: base,
    baselineProbabilities: bp,
    tokens: [
      { id: 101, text: '[CLS]', start: 0, end: 0, special: true },
      ...words.map(([t, s, e], i) => ({ id: 1000 + i, text: t, start: s, end: e, special: false })),
      { id: 102, text: '[SEP]', start: 18, end: 18, special: true },
    ],
    items: words.map(([t, start, end, tokenIndices, d]) => {
      const logits = [base[0]! + d, base[1]! - d / 2];
      const p = soft(logits);
      return {
        start,
        end,
        text: t,
        tokenIndices,
        logits,
        deltaLogits: [d, -d / 2],
        deltaProbabilities: [p[0]! - bp[0]!, p[1]! - bp[1]!],
      };
    }),
    forwardPasses: 6,
    batches: 1,
    inferenceMs: 3.25,
    totalMs: 4,
    coverage: { windowTokens: 7, textTokens: 5, coveredEnd: TEXT.length, complete: true, textLength: TEXT.length },
    ...over,
  };
}

const render = (state: PanelState, cb: Partial<ViewCallbacks> = {}): HTMLElement =>
  renderPanel(state, { occlude: () => {}, ...cb });

const q = (root: ParentNode, id: string): Element | null => root.querySelector(`[data-testid="${id}"]`);
const qa = (root: ParentNode, id: string): Element[] => Array.from(root.querySelectorAll(`[data-testid="${id}"]`));

function withOcclusion(occlusion: OcclusionState, requestId = 1): PanelState {
  const st = reduce(
    { newest: 0, view: { kind: 'empty' } },
    { type: 'result', requestId, inspection: makeInspection({ text: TEXT }), source },
  )!;
  return reduce(st, { type: 'occlusion', requestId, occlusion })!;
}

test('the buttons ask the host for words or pieces, and are disabled while a run goes', () => {
  const st = reduce(
    { newest: 0, view: { kind: 'empty' } },
    { type: 'result', requestId: 1, inspection: makeInspection(), source },
  )!;
  const asked: OcclusionUnit[] = [];
  const root = render(st, { occlude: (u) => asked.push(u) });
  (q(root, 'occlude-word') as HTMLButtonElement).click();
  (q(root, 'occlude-piece') as HTMLButtonElement).click();
  assert.deepEqual(asked, ['word', 'piece']);
  assert.equal(q(root, 'occlusion'), null, 'nothing shown before it is asked for');
  const running = render(withOcclusion({ kind: 'running', unit: 'word', done: 2, total: 6 }));
  assert.ok((q(running, 'occlude-word') as HTMLButtonElement).hasAttribute('disabled'));
  assert.match(q(running, 'occlusion-status')!.textContent!, /2 of 6 forward passes/);
  assert.match(q(render(withOcclusion({ kind: 'cancelled' })), 'occlusion-status')!.textContent!, /cancelled/);
  assert.equal(
    q(render(withOcclusion({ kind: 'error', message: 'boom <b>x</b>' })), 'occlusion-error')!.textContent,
    'boom <b>x</b>',
  );
  // No callback, no buttons (an older embedding of the view).
  const plain = renderPanel(st);
  assert.equal(q(plain, 'occlude-word'), null);
});

test('the heat strip: one cell per word, coloured by how much removing it lowers the predicted logit', () => {
  const r = result();
  const root = render(withOcclusion({ kind: 'done', result: r, latencyMs: 12.4 }));
  const cells = qa(root, 'heat-cell') as HTMLElement[];
  assert.deepEqual(
    cells.map((c) => c.textContent),
    ['not', 'a', 'great', 'movie', '!'],
  );
  // support = −Δ NEGATIVE: not +2, a −0.1, great −1, movie +0.5, ! 0.
  assert.deepEqual(
    cells.map((c) => Number(c.getAttribute('data-value'))),
    [2, -0.1, -1, 0.5, 0],
  );
  assert.deepEqual(
    cells.map((c) => c.className.split(' ')[1]),
    ['toward', 'against', 'against', 'toward', 'toward'],
  );
  // Strength relative to the largest |Δ| (2), up to a 70% mix of the theme colour.
  const bg = cells.map((c) => c.getAttribute('style') ?? '');
  assert.match(bg[0]!, /var\(--pos\) 70%/);
  assert.match(bg[1]!, /var\(--neg\) 4%/);
  assert.match(bg[2]!, /var\(--neg\) 35%/);
  assert.match(bg[3]!, /var\(--pos\) 18%/);
  assert.ok(cells[4]!.className.includes('joined'), '"!" touches "movie"');
  // Exact values for every label on hover.
  const title = cells[2]!.getAttribute('title')!;
  assert.match(title, /^great · chars 6–11 · 1 piece removed/);
  assert.match(title, /NEGATIVE: Δ logit 1 \(1\.50000 → 2\.50000\), Δ prob 0\.0898907/);
  assert.match(title, /POSITIVE: Δ logit -0\.500000 \(-0\.500000 → -1\), Δ prob -0\.0898907/);
  assert.match(
    q(root, 'occlusion-top')!.textContent!,
    /Most for NEGATIVE: “not” \+2\.000, “movie” \+0\.500\. Most against: “great” −1\.000, “a” −0\.100\./,
  );
  assert.match(
    q(root, 'occlusion-cost')!.textContent!,
    /^6 forward passes in 12 ms \(1 ONNX call; inference 3\.250 ms\)/,
  );
  assert.match(q(root, 'occlusion-cost')!.textContent!, /removed from the sequence/);
  assert.equal(q(root, 'occlusion-coverage'), null);
});

test('the cost line says when the passes ran on the [CLS]-only copy of the graph', () => {
  const root = render(withOcclusion({ kind: 'done', result: result({ passGraph: 'cls-only' }), latencyMs: 12.4 }));
  assert.match(
    q(root, 'occlusion-cost')!.textContent!,
    /^6 forward passes in 12 ms \(1 ONNX call on a copy of the graph whose last block computes only the \[CLS\] row the logits read; inference 3\.250 ms\)/,
  );
});

test('keyboard: one tab stop, arrows move, Enter selects the word in the editor; click too', () => {
  const revealed: [number, number][] = [];
  const root = render(withOcclusion({ kind: 'done', result: result(), latencyMs: 1 }), {
    reveal: (s, e) => revealed.push([s, e]),
  });
  const cells = qa(root, 'heat-cell') as HTMLElement[];
  assert.deepEqual(
    cells.map((c) => c.getAttribute('tabindex')),
    ['0', '-1', '-1', '-1', '-1'],
  );
  const key = (el: HTMLElement, k: string) => {
    const ev = new (globalThis as unknown as { window: { Event: typeof Event } }).window.Event('keydown', {
      bubbles: true,
    });
    Object.assign(ev, { key: k });
    el.dispatchEvent(ev);
  };
  key(cells[0]!, 'ArrowRight');
  assert.equal(cells[1]!.getAttribute('tabindex'), '0');
  assert.equal(cells[0]!.getAttribute('tabindex'), '-1');
  key(cells[1]!, 'End');
  assert.equal(cells[4]!.getAttribute('tabindex'), '0');
  key(cells[4]!, 'Enter');
  cells[2]!.click();
  // Offsets in the inspected text; the host adds the source's baseOffset.
  assert.deepEqual(revealed, [
    [17, 18],
    [6, 11],
  ]);
});

test('pieces show the tokenizer spelling; a longer text says where the occlusion stopped', () => {
  const r = result({
    unit: 'piece',
    coverage: { windowTokens: 7, textTokens: 40, coveredEnd: 18, complete: false, textLength: 200 },
  });
  r.tokens[3] = { ...r.tokens[3]!, text: '##great' };
  const root = render(withOcclusion({ kind: 'done', result: r, latencyMs: 1 }));
  assert.equal((qa(root, 'heat-cell')[2] as HTMLElement).textContent, '##great');
  assert.match(
    q(root, 'occlusion-coverage')!.textContent!,
    /first window only: 7 tokens, chars 0–18 of 200; the 35 pieces after that were not occluded/,
  );
});

test('protocol: guards accept a real occlusion and refuse malformed ones', () => {
  const r = result();
  assert.ok(isHostToWebview({ type: 'occlusion', requestId: 1, occlusion: { kind: 'done', result: r, latencyMs: 5 } }));
  assert.ok(
    isHostToWebview({
      type: 'occlusion',
      requestId: 1,
      occlusion: { kind: 'running', unit: 'piece', done: 0, total: 3 },
    }),
  );
  assert.ok(isHostToWebview({ type: 'occlusion', requestId: 1, occlusion: { kind: 'cancelled' } }));
  const bad: unknown[] = [
    { ...r, unit: 'letter' },
    { ...r, method: 'masked' },
    { ...r, baselineLogits: [1] },
    { ...r, items: [{ ...r.items[0]!, deltaLogits: [1, 2, 3] }] },
    { ...r, items: [{ ...r.items[0]!, tokenIndices: [99] }] },
    { ...r, items: [{ ...r.items[0]!, start: 5, end: 2 }] },
    { ...r, items: [{ ...r.items[0]!, text: 3 }] },
    { ...r, coverage: { ...r.coverage, complete: 'no' } },
    { ...r, forwardPasses: -1 },
  ];
  for (const b of bad)
    assert.ok(
      !isHostToWebview({ type: 'occlusion', requestId: 1, occlusion: { kind: 'done', result: b, latencyMs: 5 } }),
      JSON.stringify(b).slice(0, 80),
    );
  assert.ok(!isHostToWebview({ type: 'occlusion', requestId: 1, occlusion: { kind: 'running', unit: 'word' } }));
  assert.ok(!isHostToWebview({ type: 'occlusion', requestId: 1, occlusion: { kind: 'error' } }));
  assert.ok(isWebviewToHost({ type: 'occlude', unit: 'word' }));
  assert.ok(isWebviewToHost({ type: 'occlude', unit: 'piece' }));
  assert.ok(!isWebviewToHost({ type: 'occlude' }));
  assert.ok(
    !isWebviewToHost({ type: 'occlude', unit: 'word', text: 'x' }),
    'the request carries nothing the page could inject',
  );
});

test('an occlusion applies only to its own result: never under a newer result or a run', () => {
  const done: OcclusionState = { kind: 'done', result: result(), latencyMs: 1 };
  const st = reduce(
    { newest: 0, view: { kind: 'empty' } },
    { type: 'result', requestId: 3, inspection: makeInspection(), source },
  )!;
  assert.equal(reduce(st, { type: 'occlusion', requestId: 2, occlusion: done }), undefined);
  assert.equal(
    reduce(
      { newest: 4, view: { kind: 'running', requestId: 4, what: 'x' } },
      { type: 'occlusion', requestId: 3, occlusion: done },
    ),
    undefined,
  );
  const next = reduce(st, { type: 'occlusion', requestId: 3, occlusion: done })!;
  assert.ok(next.view.kind === 'result' && next.view.occlusion?.kind === 'done');
  // A newer result replaces the view: the old occlusion is gone with it.
  const newer = reduce(next, { type: 'result', requestId: 5, inspection: makeInspection(), source })!;
  assert.ok(newer.view.kind === 'result' && newer.view.occlusion === undefined);
  assert.ok(isHostToWebview({ type: 'restore', state: next }), 'a restored panel keeps its occlusion');
  // A window reload while the occlusion ran: the run died with the old host, and the panel says so.
  const running = reduce(st, {
    type: 'occlusion',
    requestId: 3,
    occlusion: { kind: 'running', unit: 'word', done: 1, total: 9 },
  })!;
  const restored = PanelModel.fromPersisted({ version: 1, panel: running, selectedWindow: 0 }).snapshot;
  assert.ok(restored.view.kind === 'result' && restored.view.occlusion?.kind === 'error');
});

test('the occlusion card states its faithfulness like every other strip, and the guard checks it', () => {
  const scores = (xs: number[]) => ({
    comprehensiveness: xs,
    sufficiency: xs.map((x) => x / 4),
    comprehensivenessAopc: xs.reduce((a, b) => a + b) / xs.length,
    sufficiencyAopc: xs.reduce((a, b) => a + b) / xs.length / 4,
  });
  const fractions = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  const faithfulness = {
    label: 'NEGATIVE',
    fractions,
    counts: fractions.map((f) => Math.max(1, Math.round(f * 5))),
    deletion: scores(fractions.map((f) => f / 2)),
    mask: scores(fractions.map((f) => f)),
    forwardPasses: 36,
  };
  const r = result({ faithfulness });
  const line = q(
    render(withOcclusion({ kind: 'done', result: r, latencyMs: 5 })),
    'occlusion-faithfulness',
  )!.textContent!;
  // The [MASK] protocol's drop at 20% (0.2) and its areas (mean of 0.1..0.9 = 0.5; sufficiency a quarter of it).
  assert.equal(
    line,
    `Faithfulness: masking the top 20% words drops NEGATIVE by ${(0.2).toFixed(2)} (AOPC comprehensiveness ${(0.5).toFixed(2)}, sufficiency ${(0.125).toFixed(2)}).`,
  );
  assert.equal(
    q(render(withOcclusion({ kind: 'done', result: result(), latencyMs: 5 })), 'occlusion-faithfulness'),
    null,
    'none asked, none shown',
  );
  assert.ok(isHostToWebview({ type: 'occlusion', requestId: 1, occlusion: { kind: 'done', result: r, latencyMs: 5 } }));
  assert.ok(
    !isHostToWebview({
      type: 'occlusion',
      requestId: 1,
      occlusion: { kind: 'done', result: { ...r, faithfulness: { ...faithfulness, deletion: 'x' } }, latencyMs: 5 },
    }),
  );
});
