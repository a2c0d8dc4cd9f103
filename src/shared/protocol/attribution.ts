// The panel's attribution method picker and attention view in the host/webview protocol: the card states as
// schemas (their types are inferred from them), and the schema of the core's AttributionResult.
import type { WindowAttention } from '../../core/attribution/attention';
import { ATTRIBUTION_METHODS, type AttributionResult } from '../../core/attribution/explain';
import {
  array,
  bool,
  index,
  literal,
  num,
  object,
  optional,
  refine,
  sameType,
  str,
  tagged,
  type Infer,
} from '../schema';
import { hasLength, numbers } from './inspection';
import { errorCase, runStateCases } from './cards';
import { firstWindowFields, itemsInRange } from './results';

export const attributionMethodSchema = literal(...ATTRIBUTION_METHODS);

const attributedItem = object({ start: index, end: index, text: str, tokenIndices: array(index), score: num });

/** An attribution result: ordered item ranges, token indices in range, the faithfulness curves' nine fractions. */
export const attributionResultSchema = refine(
  object({
    method: attributionMethodSchema,
    /** What a score means, in words (units and sign). */
    scoreMeaning: str,
    ...firstWindowFields,
    items: array(attributedItem),
    shap: optional(
      object({
        budget: index,
        exact: bool,
        hierarchy: literal('flat', 'words-phrases-sentences'),
        replacement: literal('delete', 'mask'),
      }),
    ),
  }),
  (x) => itemsInRange(x) && (x.faithfulness === undefined || hasLength(x.faithfulness.fractions, 9)),
);
sameType<Infer<typeof attributionResultSchema>, AttributionResult>(true);

/** The explanation by the picked method of the shown result (occlusion keeps its own OcclusionState). */
export const explanationStateSchema = tagged(
  'kind',
  runStateCases({ method: attributionMethodSchema, done: index, total: index }, attributionResultSchema),
);
/** The explanation by the picked method of the shown result (occlusion keeps its own OcclusionState). */
export type ExplanationState = Infer<typeof explanationStateSchema>;

/** A head of the layer's heads, or -1 for their mean. */
export const isHead = (h: number, heads: number): boolean => Number.isInteger(h) && h >= -1 && h < heads;

/** What the attention view draws: the [CLS] rows of every head, the rollout, and one chosen matrix. */
export const attentionViewSchema = refine(
  object({
    layers: index,
    heads: index,
    seq: index,
    /** The window's tokens as the tokenizer spells them. */
    tokens: array(str),
    /** [layer][head][key], flat (layers x heads x seq). */
    cls: numbers,
    /** Attention rollout's [CLS] row (seq). */
    rollout: numbers,
    /** The head view: layer, head (-1 = the mean of the layer's heads) and its seq x seq matrix, flat, rounded to 1e-4. */
    matrix: object({ layer: index, head: num, values: numbers }),
    inferenceMs: num,
    /** Characters of the text the window covers (the view shows the first window only). */
    coveredEnd: index,
    textLength: index,
  }),
  (x) =>
    hasLength(x.tokens, x.seq) &&
    hasLength(x.cls, x.layers * x.heads * x.seq) &&
    hasLength(x.rollout, x.seq) &&
    x.matrix.layer < x.layers &&
    isHead(x.matrix.head, x.heads) &&
    hasLength(x.matrix.values, x.seq * x.seq),
);
/** What the attention view draws: the [CLS] rows of every head, the rollout, and one chosen matrix. */
export type AttentionView = Infer<typeof attentionViewSchema>;

/** The attention view of the shown result. */
export const attentionStateSchema = tagged('kind', {
  running: {},
  done: { view: attentionViewSchema, latencyMs: num },
  error: errorCase,
});
/** The attention view of the shown result. */
export type AttentionState = Infer<typeof attentionStateSchema>;

export const isExplanationState = explanationStateSchema.is;
export const isAttentionState = attentionStateSchema.is;

/** What the webview needs: [CLS] rows, rollout, and one matrix (a head, or the mean of a layer's heads). */
export function attentionView(
  w: WindowAttention,
  layer: number,
  head: number,
  inferenceMs: number,
  textLength: number,
): AttentionView {
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
