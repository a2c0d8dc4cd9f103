// fp32 vs int8 for the shown result: the same text through onnx/model.onnx and the folder's 8-bit graph
// (onnx/model_int8.onnx, else onnx/model_quantized.onnx),
// logits and probabilities side by side with their difference, and each run's latency.
import type { Inspection } from '../core/types';
import { assertNever, type CompareState, type VariantRun } from '../shared/protocol';
import { exact, h, num, pct, pctPoints, scrollX, signed } from './dom';

export function compareButton(state: CompareState, onCompare: () => void): HTMLElement {
  const running = state.kind === 'running';
  const b = h(
    'button',
    {
      type: 'button',
      'data-testid': 'compare-variants',
      'data-focus-key': 'compare',
      disabled: running,
      title:
        'Run the same text through onnx/model.onnx (fp32) and the 8-bit graph (onnx/model_int8.onnx or model_quantized.onnx) and compare',
    },
    running ? 'Comparing fp32 / int8…' : 'Compare fp32 / int8',
  );
  b.addEventListener('click', () => onCompare());
  return b;
}

/** The comparison section, or null while there is nothing to show yet. */
export function compareSection(ins: Inspection, state: CompareState): HTMLElement | null {
  switch (state.kind) {
    case 'available':
      return null;
    case 'running':
      return h(
        'p',
        { class: 'status running', 'data-testid': 'compare-status', role: 'status', 'aria-busy': 'true' },
        'Running the text through both graphs…',
      );
    case 'error':
      return h('pre', { class: 'error', 'data-testid': 'compare-error' }, state.message);
    case 'done':
      return compareTable(ins, state.runs);
    default:
      return assertNever(state, 'compare state');
  }
}

const ms = (v: number): string => `${v.toFixed(1)} ms`;

function compareTable(ins: Inspection, runs: VariantRun[]): HTMLElement {
  const fp32 = runs.find((r) => r.variant === 'fp32');
  const int8 = runs.find((r) => r.variant === 'quantized');
  if (!fp32 || !int8) return h('p', { class: 'muted' }, 'The comparison is incomplete.');
  const probs = ins.model.problemType !== 'regression';
  const head = [
    'label',
    'fp32 logit',
    'int8 logit',
    'Δ logit (int8 − fp32)',
    ...(probs ? ['fp32 prob', 'int8 prob', 'Δ prob'] : []),
  ];
  const rows = ins.model.labels.map((label, i) => {
    const a = fp32.logits[i] ?? 0;
    const b = int8.logits[i] ?? 0;
    const pa = fp32.probabilities[label] ?? 0;
    const pb = int8.probabilities[label] ?? 0;
    return h(
      'tr',
      { 'data-label': label },
      h('th', { scope: 'row' }, label),
      h('td', { class: 'num', title: exact(a) }, num(a)),
      h('td', { class: 'num', title: exact(b) }, num(b)),
      h('td', { class: 'num', 'data-testid': 'delta-logit', title: exact(b - a) }, signed(b - a)),
      ...(probs
        ? [
            h('td', { class: 'num', title: exact(pa) }, pct(pa)),
            h('td', { class: 'num', title: exact(pb) }, pct(pb)),
            h('td', { class: 'num', title: exact(pb - pa) }, pctPoints(pb - pa, 2)),
          ]
        : []),
    );
  });
  const same = fp32.label === int8.label;
  const file = (p: string): string => p.split(/[\\/]/).pop() ?? p;
  const maxDelta = Math.max(...fp32.logits.map((x, i) => Math.abs(x - (int8.logits[i] ?? 0))));
  return h(
    'section',
    { class: 'card compare', 'data-testid': 'variant-comparison', 'aria-labelledby': 'card-compare' },
    h(
      'header',
      {},
      h('h3', { id: 'card-compare' }, 'fp32 vs int8 on the same text'),
      h('span', { class: 'shape', 'data-testid': 'compare-files' }, `${file(fp32.onnxFile)} · ${file(int8.onnxFile)}`),
    ),
    h(
      'p',
      { class: 'fact' },
      h(
        'span',
        { 'data-testid': 'label-agreement' },
        same
          ? `Labels agree: both pick ${fp32.label}. `
          : `Labels disagree: fp32 picks ${fp32.label}, int8 picks ${int8.label}. `,
      ),
      h(
        'span',
        { 'data-testid': 'max-logit-diff', title: exact(maxDelta) },
        `Largest logit difference ${num(maxDelta)}. `,
      ),
      h(
        'span',
        { 'data-testid': 'latency' },
        `Latency: fp32 ${ms(fp32.latencyMs)} (inference ${ms(fp32.inferenceMs)}), int8 ${ms(int8.latencyMs)} (inference ${ms(int8.inferenceMs)}).`,
      ),
    ),
    scrollX(
      'fp32 and int8 logits and probabilities',
      h(
        'table',
        { class: 'head-table' },
        h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...rows),
      ),
    ),
    h(
      'p',
      { class: 'explain' },
      'The int8 graph was made by dynamic quantization: weights stored as 8-bit integers with a scale per tensor or channel, activations quantized on the fly per call. ',
      'The logits move a little; the latency is the whole call from the editor, one run after the other (the first int8 run includes warming up its session).',
    ),
  );
}
