// Attention probabilities as the inspector hands them out, and attention rollout (Abnar & Zuidema 2020,
// "Quantifying Attention Flow in Transformers"): per layer the heads' mean plus the identity (the residual
// connection), rows renormalised, multiplied through the layers; the [CLS] row of the product says how much of
// each input token reaches [CLS]. Pure functions over flat Float32Arrays, so 512-token windows stay cheap.
import type { TokenSpan } from '../types';

/** The attention of one window; `cls` always, `full` only when asked. */
export interface WindowAttention {
  layers: number;
  heads: number;
  /** Tokens of the window, specials included (the matrices are seq x seq). */
  seq: number;
  /** [layer][head][key], flat: the [CLS] query's row of every head (each sums to 1). */
  cls: Float32Array;
  /** [layer][head][query][key], flat; present only when the full matrices were asked for. */
  full?: Float32Array;
  /** Attention rollout's [CLS] row over the window's tokens (sums to 1). */
  rollout: Float64Array;
  tokens: TokenSpan[];
}

/** Attention of every window of a text (the same windows an inspection reads). */
export interface AttentionResult {
  windows: WindowAttention[];
  inferenceMs: number;
}

/** The window attention as the JSON contract has it: nested arrays (layers x heads x keys, and x queries when full). */
export interface AttentionJson {
  layers: number;
  heads: number;
  tokens: number;
  cls: number[][][];
  full?: number[][][][];
  rollout: number[];
}

/**
 * Attention rollout from full attention [layer][head][query][key]: A_l = rownorm(mean_h(att_l) + I),
 * R = A_L ... A_1; returns R's [CLS] (query 0) row. Only the one row is propagated (a row vector times each
 * A_l from the top layer down), so the cost is layers x seq^2 instead of layers x seq^3.
 */
export function rollout(full: Float32Array, layers: number, heads: number, seq: number): Float64Array {
  let row = new Float64Array(seq);
  row[0] = 1;
  const mean = new Float64Array(seq * seq);
  for (let l = layers - 1; l >= 0; l--) {
    mean.fill(0);
    for (let h = 0; h < heads; h++) {
      const base = (l * heads + h) * seq * seq;
      for (let i = 0; i < seq * seq; i++) mean[i]! += full[base + i]!;
    }
    const next = new Float64Array(seq);
    for (let q = 0; q < seq; q++) {
      const w = row[q]!;
      if (w === 0) continue;
      // Row q of mean/heads + I, renormalised: its sum is (sum of mean row)/heads + 1 (2 when rows sum to 1).
      let sum = 1;
      for (let k = 0; k < seq; k++) sum += mean[q * seq + k]! / heads;
      for (let k = 0; k < seq; k++) next[k]! += (w * (mean[q * seq + k]! / heads + (k === q ? 1 : 0))) / sum;
    }
    row = next;
  }
  return row;
}

/** The [CLS] rows [layer][head][key] cut out of full attention. */
export function clsRows(full: Float32Array, layers: number, heads: number, seq: number): Float32Array {
  const out = new Float32Array(layers * heads * seq);
  for (let lh = 0; lh < layers * heads; lh++) out.set(full.subarray(lh * seq * seq, lh * seq * seq + seq), lh * seq);
  return out;
}

/** Nested arrays for JSON output. */
export function attentionJson(w: WindowAttention): AttentionJson {
  const nest = (a: Float32Array, dims: number[]): unknown => {
    if (dims.length === 1) return Array.from(a.subarray(0, dims[0]));
    const step = dims.slice(1).reduce((x, y) => x * y, 1);
    return Array.from({ length: dims[0]! }, (_, i) => nest(a.subarray(i * step, (i + 1) * step), dims.slice(1)));
  };
  const out: AttentionJson = {
    layers: w.layers,
    heads: w.heads,
    tokens: w.seq,
    cls: nest(w.cls, [w.layers, w.heads, w.seq]) as number[][][],
    rollout: Array.from(w.rollout),
  };
  if (w.full) out.full = nest(w.full, [w.layers, w.heads, w.seq, w.seq]) as number[][][][];
  return out;
}
