// The method picker, the explanation card and the attention view in the panel: hand-made results (values chosen
// here, so every expected text is known), the protocol guards and the one-result rule, and the host's
// AttentionView builder against a plain average over heads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';

installDom();
import {
  attentionView,
  isHostToWebview,
  isViewState,
  isWebviewToHost,
  reduce,
  type AttentionState,
  type ExplanationState,
  type PanelState,
} from '../../src/shared/protocol';
import { renderPanel } from './webviewHarness/render';
import { attentionWindow as window, shapResult } from './webviewHarness/attribution';

const source = { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 0, selection: true };
const TEXT = 'not a great movie';

function resultState(extra: { explanation?: ExplanationState; attention?: AttentionState } = {}): PanelState {
  return {
    newest: 1,
    view: {
      kind: 'result',
      requestId: 1,
      inspection: makeInspection({ text: TEXT, dim: 8, nLayers: 2, seed: 3 }),
      source,
      ...extra,
    },
  };
}

test('the method picker posts the picked method; the SHAP card says method, cost and faithfulness', () => {
  const picked: string[] = [];
  const root = renderPanel(resultState({ explanation: { kind: 'done', result: shapResult(), latencyMs: 50 } }), {
    explain: (m) => picked.push(m),
    attention: () => {},
  });
  for (const m of ['occlusion', 'shap', 'rollout'])
    (root.querySelector(`[data-testid="method-${m}"]`) as HTMLElement).click();
  assert.deepEqual(picked, ['occlusion', 'shap', 'rollout']);
  assert.equal(root.querySelector('[data-testid="method-shap"]')!.getAttribute('aria-pressed'), 'true');
  assert.equal(
    root.querySelector('[data-testid="explanation-cost"]')!.textContent,
    'partition SHAP: 16 forward passes in 42 ms',
  );
  // 20% of the words with [MASK]: 0.5 * 0.2 + 0.31 = 0.41.
  assert.equal(
    root.querySelector('[data-testid="explanation-faithfulness"]')!.textContent,
    'Faithfulness: masking the top 20% words drops NEGATIVE by 0.41 (AOPC comprehensiveness 0.56, sufficiency 0.25).',
  );
  const cells = [...root.querySelectorAll('[data-testid="explanation-cell"]')];
  assert.deepEqual(
    cells.map((c) => c.textContent),
    ['not', 'a', 'great', 'movie'],
  );
  assert.deepEqual(
    cells.map((c) => c.className.split(' ')[1]),
    ['toward', 'toward', 'against', 'toward'],
  );
  assert.match(root.textContent!, /Exact Shapley values\./);
});

test('a running explanation disables the picker and shows progress', () => {
  const root = renderPanel(resultState({ explanation: { kind: 'running', method: 'shap', done: 40, total: 500 } }), {
    explain: () => {},
    attention: () => {},
  });
  assert.equal((root.querySelector('[data-testid="method-rollout"]') as HTMLButtonElement).disabled, true);
  assert.equal(
    root.querySelector('[data-testid="explanation-status"]')!.textContent,
    'Explaining by partition SHAP… 40 of about 500 forward passes.',
  );
});

test('attention view: one strip per layer x (mean + heads), picking one asks for its matrix', () => {
  const w = window(5);
  const view = attentionView(w, 1, 0, 12, 17);
  const asked: [number | undefined, number | undefined][] = [];
  const root = renderPanel(resultState({ attention: { kind: 'done', view, latencyMs: 30 } }), {
    explain: () => {},
    attention: (l, h) => asked.push([l, h]),
  });
  const strips = [...root.querySelectorAll('[data-testid="attention-strip"]')];
  assert.equal(strips.length, 2 * 3);
  (strips[4] as HTMLElement).click(); // layer 2, head 1
  (root.querySelector('[data-testid="attention-open"]') as HTMLElement).click();
  assert.deepEqual(asked, [
    [1, 0],
    [undefined, undefined],
  ]);
  assert.equal(
    root.querySelector('[data-testid="attention-matrix-title"]')!.textContent,
    'Head view: layer 2, head 1 (rows: query, columns: key)',
  );
  // Layer 2 head 1 puts everything on key (1 + 0) % 5 = 1 ("w1").
  assert.match(strips[4]!.getAttribute('aria-label')!, /attends most to “w1”/);
});

test('attentionView: the mean of heads is the plain average; values rounded to 1e-4', () => {
  const w = window(4);
  const v = attentionView(w, 0, -1, 1, 10);
  for (let q = 0; q < 4; q++) {
    for (let k = 0; k < 4; k++) {
      let mean = 0;
      for (let h = 0; h < 2; h++) mean += w.full![((0 * 2 + h) * 4 + q) * 4 + k]! / 2;
      assert.equal(v.matrix.values[q * 4 + k], mean);
    }
  }
  assert.deepEqual(attentionView(w, 9, 7, 1, 10).matrix.layer, 1, 'layer clamped');
  assert.equal(v.cls.length, 2 * 2 * 4);
});

test('guards and the one-result rule', () => {
  const view = attentionView(window(3), 0, 0, 1, 3);
  assert.ok(isHostToWebview({ type: 'attention', requestId: 1, attention: { kind: 'done', view, latencyMs: 1 } }));
  assert.ok(
    !isHostToWebview({
      type: 'attention',
      requestId: 1,
      attention: { kind: 'done', view: { ...view, cls: [1] }, latencyMs: 1 },
    }),
  );
  assert.ok(
    isHostToWebview({
      type: 'explanation',
      requestId: 1,
      explanation: { kind: 'done', result: shapResult(), latencyMs: 1 },
    }),
  );
  assert.ok(
    !isHostToWebview({
      type: 'explanation',
      requestId: 1,
      explanation: { kind: 'running', method: 'lime', done: 0, total: 0 },
    }),
  );
  assert.ok(isWebviewToHost({ type: 'explain', method: 'rollout' }));
  assert.ok(!isWebviewToHost({ type: 'explain', method: 'gradients' }));
  assert.ok(isWebviewToHost({ type: 'attention' }));
  assert.ok(isWebviewToHost({ type: 'attention', layer: 2, head: -1 }));
  assert.ok(!isWebviewToHost({ type: 'attention', layer: 2 }));
  assert.ok(!isWebviewToHost({ type: 'attention', layer: -1, head: 0 }));
  const state = resultState();
  assert.equal(
    reduce(state, { type: 'explanation', requestId: 2, explanation: { kind: 'cancelled' } }),
    undefined,
    'another result: dropped',
  );
  const next = reduce(state, { type: 'attention', requestId: 1, attention: { kind: 'running' } })!;
  assert.equal(next.view.kind === 'result' && next.view.attention?.kind, 'running');
  assert.ok(isViewState(next.view));
});
