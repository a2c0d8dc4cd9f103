// The shared shape of every token attribution the inspector offers (occlusion, partition SHAP, attention
// rollout), so the panel, the JSON and the faithfulness table treat them alike: one score per word, positive =
// the word supports the predicted label, with what it cost and how faithful it is.
import type { TokenSpan } from '../types';
import type { Faithfulness } from './faithfulness';
import type { OcclusionCoverage, OcclusionResult, PassGraphKind } from './occlusion';
import type { Replacement } from './perturb';

/** The attribution methods: all forward-only (ONNX Runtime has no backward pass). */
export type AttributionMethod = 'occlusion' | 'shap' | 'rollout';

export const ATTRIBUTION_METHODS: readonly AttributionMethod[] = ['occlusion', 'shap', 'rollout'];

/** Default forward passes a SHAP explanation may use. */
export const DEFAULT_BUDGET = 500;

/** One word and its score. */
export interface AttributedItem {
  start: number;
  end: number;
  text: string;
  /** Indices into AttributionResult.tokens. */
  tokenIndices: number[];
  score: number;
}

/** A token attribution of the text's first window. */
export interface AttributionResult {
  method: AttributionMethod;
  /** What a score means, in words (units and sign). */
  scoreMeaning: string;
  labels: string[];
  label: string;
  baselineLogits: number[];
  baselineProbabilities: number[];
  tokens: TokenSpan[];
  items: AttributedItem[];
  /** Forward passes the attribution itself used (faithfulness' own passes are counted there). */
  forwardPasses: number;
  /** Which graph ran the passes (see OcclusionResult.passGraph). */
  passGraph: PassGraphKind;
  inferenceMs: number;
  totalMs: number;
  coverage: OcclusionCoverage;
  /** SHAP: the pass budget, whether the values are exact (Shapley/Owen) and how absent words were taken out. */
  shap?: { budget: number; exact: boolean; hierarchy: 'flat' | 'words-phrases-sentences'; replacement: Replacement };
  faithfulness?: Faithfulness;
}

/** Human names for the panel and the CLI. */
export const METHOD_NAMES: Record<AttributionMethod, string> = {
  occlusion: 'occlusion',
  shap: 'partition SHAP',
  rollout: 'attention rollout',
};

/** "partition SHAP: 500 forward passes in 812 ms". */
export function describeCost(r: AttributionResult): string {
  return `${METHOD_NAMES[r.method]}: ${r.forwardPasses} forward pass${r.forwardPasses === 1 ? '' : 'es'} in ${Math.round(r.totalMs)} ms`;
}

/** Checks a method name from a user (CLI, message); throws with the list of methods. */
export function parseMethod(s: string): AttributionMethod {
  if ((ATTRIBUTION_METHODS as readonly string[]).includes(s)) return s as AttributionMethod;
  throw new Error(`unknown attribution method "${s}"; use ${ATTRIBUTION_METHODS.join(', ')}`);
}

/**
 * An occlusion run ("Explain by occlusion", by word or piece) in the shared shape, scored as its card colours it:
 * how much removing the item lowers the predicted label's logit.
 */
export function occlusionAttribution(o: OcclusionResult): AttributionResult {
  const y = Math.max(0, o.labels.indexOf(o.label));
  return {
    method: 'occlusion',
    scoreMeaning: `drop in ${o.label}'s logit when the ${o.unit === 'piece' ? 'word piece' : 'word'} is removed`,
    labels: o.labels,
    label: o.label,
    baselineLogits: o.baselineLogits,
    baselineProbabilities: o.baselineProbabilities,
    tokens: o.tokens,
    items: o.items.map((it) => ({
      start: it.start,
      end: it.end,
      text: it.text,
      tokenIndices: it.tokenIndices,
      score: -(it.deltaLogits[y] ?? 0),
    })),
    forwardPasses: o.forwardPasses,
    passGraph: o.passGraph,
    inferenceMs: o.inferenceMs,
    totalMs: o.totalMs,
    coverage: o.coverage,
    ...(o.faithfulness ? { faithfulness: o.faithfulness } : {}),
  };
}
