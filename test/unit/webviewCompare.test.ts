// fp32 / int8 comparison in the panel: the protocol's rule (a comparison belongs to one result) and the rendering
// (side by side values with their difference, both latencies), on a fixture Inspection with perturbed logits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';

installDom();

import { renderPanel } from './webviewHarness/render';
import {
  isHostToWebview,
  isWebviewToHost,
  reduce,
  type CompareState,
  type VariantRun,
} from '../../src/shared/protocol';
import type { Inspection } from '../../src/core/types';

const source = { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 0, selection: true };

function runsFor(ins: Inspection, shift: number[]): VariantRun[] {
  const soft = (l: number[]): number[] => {
    const m = Math.max(...l);
    const e = l.map((x) => Math.exp(x - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  };
  const make = (variant: 'fp32' | 'quantized', logits: number[], latencyMs: number): VariantRun => {
    const p = soft(logits);
    return {
      variant,
      onnxFile: variant === 'fp32' ? 'onnx/model.onnx' : 'onnx/model_quantized.onnx',
      label: ins.model.labels[logits.indexOf(Math.max(...logits))]!,
      logits,
      probabilities: Object.fromEntries(ins.model.labels.map((l, i) => [l, p[i]!])),
      latencyMs,
      inferenceMs: latencyMs / 2,
    };
  };
  const fp = ins.aggregate.logits;
  return [
    make('fp32', fp, 12.5),
    make(
      'quantized',
      fp.map((x, i) => x + (shift[i] ?? 0)),
      7.5,
    ),
  ];
}

const q = (root: ParentNode, id: string): Element | null => root.querySelector(`[data-testid="${id}"]`);

test('no compare button unless the host offers it; clicking it asks the host', () => {
  const ins = makeInspection();
  const plain = reduce(
    { newest: 0, view: { kind: 'empty' } },
    { type: 'result', requestId: 1, inspection: ins, source },
  )!;
  assert.equal(q(renderPanel(plain), 'compare-variants'), null);
  const offered = reduce(
    { newest: 0, view: { kind: 'empty' } },
    { type: 'result', requestId: 1, inspection: ins, source, compare: { kind: 'available' } },
  )!;
  let asked = 0;
  const button = q(renderPanel(offered, { compareVariants: () => asked++ }), 'compare-variants') as HTMLButtonElement;
  assert.ok(button);
  button.click();
  assert.equal(asked, 1);
  assert.ok(isWebviewToHost({ type: 'compareVariants' }));
  assert.ok(
    !isWebviewToHost({ type: 'compareVariants', text: 'x' }),
    'the request carries nothing the page could inject',
  );
});

test('a comparison applies only to its own result; an older one is dropped', () => {
  const ins = makeInspection();
  const st = reduce(
    { newest: 0, view: { kind: 'empty' } },
    { type: 'result', requestId: 3, inspection: ins, source, compare: { kind: 'available' } },
  )!;
  const done: CompareState = { kind: 'done', runs: runsFor(ins, [0.1, -0.2]) };
  assert.equal(reduce(st, { type: 'compare', requestId: 2, compare: done }), undefined);
  const running = reduce(
    { newest: 4, view: { kind: 'running', requestId: 4, what: 'x' } },
    { type: 'compare', requestId: 3, compare: done },
  );
  assert.equal(running, undefined, 'not shown over a newer run');
  const next = reduce(st, { type: 'compare', requestId: 3, compare: done });
  assert.ok(next && next.view.kind === 'result' && next.view.compare?.kind === 'done');
  assert.ok(isHostToWebview({ type: 'compare', requestId: 3, compare: done }));
  assert.ok(
    !isHostToWebview({ type: 'compare', requestId: 3, compare: { kind: 'done', runs: [] } }),
    'two runs are required',
  );
});

test('the table shows both logits, their difference and both latencies', () => {
  const ins = makeInspection({ labels: ['NEGATIVE', 'POSITIVE'] });
  const shift = [0.125, -0.25];
  const runs = runsFor(ins, shift);
  const st = reduce(
    { newest: 0, view: { kind: 'empty' } },
    { type: 'result', requestId: 1, inspection: ins, source, compare: { kind: 'done', runs } },
  )!;
  const root = renderPanel(st);
  const card = q(root, 'variant-comparison');
  assert.ok(card);
  const deltas = Array.from(card.querySelectorAll('[data-testid="delta-logit"]')).map((e) =>
    Number(e.getAttribute('title')),
  );
  deltas.forEach((d, i) => assert.ok(Math.abs(d - shift[i]!) < 1e-9, `Δ ${i}: ${d}`));
  const rows = Array.from(card.querySelectorAll('tbody tr')).map((r) => r.getAttribute('data-label'));
  assert.deepEqual(rows, ins.model.labels);
  const latency = q(card, 'latency')?.textContent ?? '';
  assert.ok(latency.includes('fp32 12.5 ms') && latency.includes('int8 7.5 ms'), latency);
  assert.match(q(card, 'label-agreement')?.textContent ?? '', /^Labels agree: both pick /);
  assert.equal(Number(q(card, 'max-logit-diff')?.getAttribute('title')), 0.25, 'the largest |Δ logit| over labels');
  assert.equal(q(card, 'compare-files')?.textContent, 'model.onnx · model_quantized.onnx');
});

test('the card names the graphs that ran and says when the labels disagree', () => {
  const ins = makeInspection({ labels: ['NEGATIVE', 'POSITIVE'] });
  const [fp32, int8] = runsFor(ins, [0, 0]);
  const flipped = {
    ...int8!,
    onnxFile: '/models/x/onnx/model_int8.onnx',
    label: fp32!.label === 'NEGATIVE' ? 'POSITIVE' : 'NEGATIVE',
  };
  const st = reduce(
    { newest: 0, view: { kind: 'empty' } },
    { type: 'result', requestId: 1, inspection: ins, source, compare: { kind: 'done', runs: [fp32!, flipped] } },
  )!;
  const card = q(renderPanel(st), 'variant-comparison')!;
  assert.equal(q(card, 'compare-files')?.textContent, 'model.onnx · model_int8.onnx');
  assert.match(q(card, 'label-agreement')?.textContent ?? '', /^Labels disagree: fp32 picks \w+, int8 picks \w+\. $/);
});

test('running and error states of the comparison are shown, the button disabled while running', () => {
  const ins = makeInspection();
  const running = renderPanel({
    newest: 1,
    view: { kind: 'result', requestId: 1, inspection: ins, source, compare: { kind: 'running' } },
  });
  assert.ok((q(running, 'compare-variants') as HTMLButtonElement).hasAttribute('disabled'));
  assert.ok(q(running, 'compare-status'));
  const failed = renderPanel({
    newest: 1,
    view: {
      kind: 'result',
      requestId: 1,
      inspection: ins,
      source,
      compare: { kind: 'error', message: '<b>no</b> int8' },
    },
  });
  assert.equal(q(failed, 'compare-error')?.textContent, '<b>no</b> int8');
  assert.equal(failed.querySelector('b'), null, 'messages stay text');
});

test('the panel says which graph computed the numbers, and why auto chose it', () => {
  const ins = makeInspection();
  const int8 = {
    ...ins,
    model: {
      ...ins.model,
      variant: 'int8',
      variantReason: 'int8 graph on an x86 CPU with avx512_vnni',
      onnxFile: '/m/onnx/model_int8.onnx',
    },
  };
  const st = reduce(
    { newest: 0, view: { kind: 'empty' } },
    { type: 'result', requestId: 1, inspection: int8, source },
  )!;
  assert.match(
    q(renderPanel(st), 'model-meta')?.textContent ?? '',
    /Graph: int8 \(\/m\/onnx\/model_int8\.onnx; int8 graph on an x86 CPU with avx512_vnni\)/,
  );
});
