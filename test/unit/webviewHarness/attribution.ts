// Hand-made attribution and attention results for the webview tests (values chosen so expected texts are known).
import type { WindowAttention } from '../../../src/core/attribution/attention';
import type { AttributionResult } from '../../../src/core/attribution/explain';
import { FRACTIONS } from '../../../src/core/attribution/faithfulness';

/** A SHAP result over "not a great movie" with NEGATIVE predicted. */
export function shapResult(): AttributionResult {
  const words: [string, number, number, number][] = [
    ['not', 0, 3, 1.2],
    ['a', 4, 5, 0.01],
    ['great', 6, 11, -0.8],
    ['movie', 12, 17, 0.3],
  ];
  const curve = FRACTIONS.map((f) => 0.5 * f);
  return {
    method: 'shap',
    passGraph: 'cls-only',
    scoreMeaning: "Shapley value of the word for NEGATIVE's log-odds",
    labels: ['NEGATIVE', 'POSITIVE'],
    label: 'NEGATIVE',
    baselineLogits: [1, -1],
    baselineProbabilities: [0.88, 0.12],
    tokens: [
      { id: 101, text: '[CLS]', start: 0, end: 0, special: true },
      ...words.map(([t, s, e], i) => ({ id: 1000 + i, text: t, start: s, end: e, special: false })),
      { id: 102, text: '[SEP]', start: 17, end: 17, special: true },
    ],
    items: words.map(([text, start, end, score], i) => ({ text, start, end, score, tokenIndices: [i + 1] })),
    forwardPasses: 16,
    inferenceMs: 10,
    totalMs: 42,
    coverage: { windowTokens: 6, textTokens: 4, coveredEnd: 17, complete: true, textLength: 17 },
    shap: { budget: 500, exact: true, hierarchy: 'flat', replacement: 'mask' },
    faithfulness: {
      label: 'NEGATIVE',
      fractions: FRACTIONS,
      counts: FRACTIONS.map(() => 1),
      deletion: { comprehensiveness: curve, sufficiency: curve, comprehensivenessAopc: 0.25, sufficiencyAopc: 0.25 },
      mask: {
        comprehensiveness: curve.map((x) => x + 0.31),
        sufficiency: curve,
        comprehensivenessAopc: 0.56,
        sufficiencyAopc: 0.25,
      },
      forwardPasses: 36,
    },
  };
}

/** A 2-layer, 2-head window of `seq` tokens whose attention is known: head h of layer l puts weight on key (l + h) % seq. */
export function attentionWindow(seq: number): WindowAttention {
  const layers = 2;
  const heads = 2;
  const full = new Float32Array(layers * heads * seq * seq);
  for (let l = 0; l < layers; l++)
    for (let h = 0; h < heads; h++)
      for (let q = 0; q < seq; q++) full[((l * heads + h) * seq + q) * seq + ((l + h) % seq)] = 1;
  const cls = new Float32Array(layers * heads * seq);
  for (let lh = 0; lh < layers * heads; lh++) cls.set(full.subarray(lh * seq * seq, lh * seq * seq + seq), lh * seq);
  const tokens = Array.from({ length: seq }, (_, i) => ({
    id: i,
    text: i === 0 ? '[CLS]' : `w${i}`,
    start: i,
    end: i + 1,
    special: i === 0,
  }));
  return { layers, heads, seq, cls, full, rollout: new Float64Array(seq).fill(1 / seq), tokens };
}

/** A realistic-looking window: `layers` x `heads` softmax rows over `seq` tokens from a seeded generator. */
export function randomAttention(seq: number, layers: number, heads: number, seed = 5): WindowAttention {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const full = new Float32Array(layers * heads * seq * seq);
  for (let r = 0; r < layers * heads * seq; r++) {
    const q = r % seq;
    let sum = 0;
    for (let k = 0; k < seq; k++) {
      const near = Math.exp(-Math.abs(k - q) / (2 + (r % 7)));
      const v = Math.exp(4 * rnd() * rnd()) * (0.2 + near) * (k === 0 || k === seq - 1 ? 3 : 1);
      full[r * seq + k] = v;
      sum += v;
    }
    for (let k = 0; k < seq; k++) full[r * seq + k]! /= sum;
  }
  const cls = new Float32Array(layers * heads * seq);
  for (let lh = 0; lh < layers * heads; lh++) cls.set(full.subarray(lh * seq * seq, lh * seq * seq + seq), lh * seq);
  const tokens = Array.from({ length: seq }, (_, i) => ({
    id: i,
    text: i === 0 ? '[CLS]' : i === seq - 1 ? '[SEP]' : `w${i}`,
    start: i,
    end: i + 1,
    special: i === 0 || i === seq - 1,
  }));
  const rollout = new Float64Array(seq).map((_, i) => cls[i]!);
  return { layers, heads, seq, cls, full, rollout, tokens };
}
