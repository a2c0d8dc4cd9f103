// How an attribution method takes words out of a window: deleted (the sequence gets shorter, as occlusion does)
// or replaced piece by piece with the mask token (positions stay; ERASER's and DecompX's [MASK] protocol).
// Special tokens and pieces outside every group always stay.
import type { Encoding } from '../types';

/** How absent words are taken out. */
export type Replacement = 'delete' | 'mask';

/** A model input: ids and mask of equal length. */
export interface Variant {
  ids: number[];
  attentionMask: number[];
}

/** The window with the groups whose `present` flag is false taken out. */
export function withPresence(
  enc: Encoding,
  groups: readonly number[][],
  present: ArrayLike<boolean | number>,
  replacement: Replacement,
  maskId?: number,
): Variant {
  const absent = new Set<number>();
  groups.forEach((g, k) => {
    if (!present[k]) for (const i of g) absent.add(i);
  });
  if (replacement === 'mask') {
    if (maskId === undefined) throw new Error('mask replacement needs a mask token');
    return { ids: enc.ids.map((id, i) => (absent.has(i) ? maskId : id)), attentionMask: enc.ids.map(() => 1) };
  }
  const ids = enc.ids.filter((_, i) => !absent.has(i));
  return { ids, attentionMask: ids.map(() => 1) };
}

/**
 * The predicted label's log-odds from logits: for softmax z_y - logsumexp(z_others), for a sigmoid label z_y.
 * An additive scale (unbounded, no saturation near probability 1), used as the value function of SHAP and for
 * occlusion scores.
 */
export function logOdds(logits: readonly number[], label: number, multiLabel: boolean): number {
  if (multiLabel || logits.length === 1) return logits[label]!;
  let max = -Infinity;
  logits.forEach((z, i) => {
    if (i !== label) max = Math.max(max, z);
  });
  let sum = 0;
  logits.forEach((z, i) => {
    if (i !== label) sum += Math.exp(z - max);
  });
  return logits[label]! - (max + Math.log(sum));
}
