// The panel's attribution method picker and attention view in the host/webview protocol (protocol.ts unions
// these in): states, and their run-time guards (a webview message and persisted state are untrusted input).
import type { WindowAttention } from '../core/attribution/attention';
import { ATTRIBUTION_METHODS, type AttributionMethod, type AttributionResult } from '../core/attribution/explain';
// protocol.ts imports this module too; its guards are only called at run time, after both have loaded.
import { HAS_MESSAGE, NOTHING_MORE, isCardState, isIndex, isNum, isObj, isStr } from './protocol';

/** The explanation by the picked method of the shown result (occlusion keeps its own OcclusionState). */
export type ExplanationState =
  | { kind: 'running'; method: AttributionMethod; done: number; total: number }
  | { kind: 'done'; result: AttributionResult; latencyMs: number }
  | { kind: 'cancelled' }
  | { kind: 'error'; message: string };

/** What the attention view draws: the [CLS] rows of every head, the rollout, and one chosen matrix. */
export interface AttentionView {
  layers: number;
  heads: number;
  seq: number;
  /** The window's tokens as the tokenizer spells them. */
  tokens: string[];
  /** [layer][head][key], flat (layers x heads x seq). */
  cls: number[];
  /** Attention rollout's [CLS] row (seq). */
  rollout: number[];
  /** The head view: layer, head (-1 = the mean of the layer's heads) and its seq x seq matrix, flat, rounded to 1e-4. */
  matrix: { layer: number; head: number; values: number[] };
  inferenceMs: number;
  /** Characters of the text the window covers (the view shows the first window only). */
  coveredEnd: number;
  textLength: number;
}

/** The attention view of the shown result. */
export type AttentionState = { kind: 'running' } | { kind: 'done'; view: AttentionView; latencyMs: number } | { kind: 'error'; message: string };

type Obj = Record<string, unknown>;
const isNumArray = (x: unknown, n: number): x is number[] => Array.isArray(x) && x.length === n && x.every(isNum);

export const isMethod = (x: unknown): x is AttributionMethod => (ATTRIBUTION_METHODS as readonly unknown[]).includes(x);

function isAttributionResult(x: unknown): x is AttributionResult {
  if (!isObj(x) || !isMethod(x.method) || !isStr(x.label) || !isStr(x.scoreMeaning) || !Array.isArray(x.labels) || !x.labels.every(isStr)) return false;
  if (!Array.isArray(x.tokens) || !isIndex(x.forwardPasses) || !isNum(x.totalMs) || !isObj(x.coverage)) return false;
  const tokens = x.tokens.length;
  const f = x.faithfulness;
  if (f !== undefined && !(isObj(f) && isObj(f.deletion) && isNum(f.deletion.comprehensivenessAopc) && isNumArray(f.fractions, 9))) return false;
  return (
    Array.isArray(x.items) &&
    x.items.every(
      (it) =>
        isObj(it) && isIndex(it.start) && isIndex(it.end) && it.start <= it.end && isStr(it.text) && isNum(it.score) &&
        Array.isArray(it.tokenIndices) && it.tokenIndices.every((i) => isIndex(i) && i < tokens),
    )
  );
}

export function isExplanationState(x: unknown): x is ExplanationState {
  return isCardState(x, {
    running: (s) => isMethod(s.method) && isIndex(s.done) && isIndex(s.total),
    done: (s) => isAttributionResult(s.result) && isNum(s.latencyMs),
    cancelled: NOTHING_MORE,
    error: HAS_MESSAGE,
  });
}

function isAttentionView(x: unknown): x is AttentionView {
  if (!isObj(x) || ![x.layers, x.heads, x.seq, x.coveredEnd, x.textLength].every(isIndex) || !isNum(x.inferenceMs)) return false;
  const { layers, heads, seq } = x as { layers: number; heads: number; seq: number };
  const m = x.matrix;
  return (
    Array.isArray(x.tokens) && x.tokens.length === seq && x.tokens.every(isStr) &&
    isNumArray(x.cls, layers * heads * seq) && isNumArray(x.rollout, seq) &&
    isObj(m) && isIndex(m.layer) && m.layer < layers && Number.isInteger(m.head) && (m.head as number) >= -1 && (m.head as number) < heads &&
    isNumArray(m.values, seq * seq)
  );
}

export function isAttentionState(x: unknown): x is AttentionState {
  return isCardState(x, {
    running: NOTHING_MORE,
    done: (s) => isAttentionView(s.view) && isNum(s.latencyMs),
    error: HAS_MESSAGE,
  });
}

/** The webview's attention request: open the view, or pick the head view's layer and head (-1 = mean). */
export function isAttentionRequest(x: Obj): boolean {
  const keys = Object.keys(x).length;
  if (keys === 1) return true;
  return keys === 3 && isIndex(x.layer) && x.layer < 1000 && Number.isInteger(x.head) && (x.head as number) >= -1 && (x.head as number) < 1000;
}

/** What the webview needs: [CLS] rows, rollout, and one matrix (a head, or the mean of a layer's heads). */
export function attentionView(w: WindowAttention, layer: number, head: number, inferenceMs: number, textLength: number): AttentionView {
  const l = Math.min(Math.max(0, layer), w.layers - 1);
  const hd = Math.min(Math.max(-1, head), w.heads - 1);
  const n = w.seq * w.seq;
  const values = new Array<number>(n).fill(0);
  const full = w.full!;
  const heads = hd === -1 ? Array.from({ length: w.heads }, (_, i) => i) : [hd];
  for (const h of heads) {
    const base = (l * w.heads + h) * n;
    for (let i = 0; i < n; i++) values[i]! += full[base + i]! / heads.length;
  }
  // Rounded: the view draws intensities, and 512 x 512 numbers cross the webview boundary as JSON.
  for (let i = 0; i < n; i++) values[i] = Math.round(values[i]! * 1e4) / 1e4;
  const covered = w.tokens.reduce((end, t) => (t.special ? end : Math.max(end, t.end)), 0);
  return {
    layers: w.layers,
    heads: w.heads,
    seq: w.seq,
    tokens: w.tokens.map((t) => t.text),
    cls: Array.from(w.cls),
    rollout: Array.from(w.rollout),
    matrix: { layer: l, head: hd, values },
    inferenceMs,
    coveredEnd: covered,
    textLength,
  };
}
