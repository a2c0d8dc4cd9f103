// Faithfulness of an attribution (ERASER, DeYoung et al. 2020): take the top k% words by attribution out of the
// text and see the predicted label's probability drop (comprehensiveness), or keep only them and see how much
// of it remains (sufficiency: a small drop is good). Each is averaged over k = 10, 20, ..., 90% (AOPC). Words
// are taken out by deletion or by [MASK] replacement; each protocol favours attributions measured its own way,
// so both are reported.
import { toProbabilities } from '../head/head';
import type { Encoding, ProblemType } from '../types';
import { withPresence, type Replacement, type Variant } from './perturb';

/** The fractions of words removed (or kept). */
export const FRACTIONS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Forward passes of a faithfulness score at most: both protocols, removing and keeping the top words. */
export const FAITHFULNESS_PASSES = 2 * 2 * FRACTIONS.length;

/** One protocol's curves and their areas. */
export interface ProtocolScores {
  /** p(label | text) - p(label | text without the top k%), per fraction. */
  comprehensiveness: number[];
  /** p(label | text) - p(label | only the top k%), per fraction. */
  sufficiency: number[];
  comprehensivenessAopc: number;
  sufficiencyAopc: number;
}

/** Faithfulness of one explanation, for the label the text is predicted as. */
export interface Faithfulness {
  label: string;
  fractions: number[];
  /** Words removed (or kept) at each fraction. */
  counts: number[];
  deletion: ProtocolScores;
  /** Absent when the tokenizer has no mask token. */
  mask?: ProtocolScores;
  forwardPasses: number;
}

/** Words taken out at fraction f of n words: round(f n), at least 1 and at most n. */
export function topCount(n: number, f: number): number {
  return Math.min(n, Math.max(1, Math.round(f * n)));
}

/** Item indices by score, highest first (ties: earlier word first). */
export function ranking(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** The variants one protocol needs: per fraction, the text without the top words, then with only them. */
export function faithfulnessVariants(
  enc: Encoding,
  groups: readonly number[][],
  scores: readonly number[],
  replacement: Replacement,
  maskId?: number,
): Variant[] {
  const order = ranking(scores);
  const out: Variant[] = [];
  for (const keepTop of [false, true]) {
    for (const f of FRACTIONS) {
      const top = new Set(order.slice(0, topCount(groups.length, f)));
      const present = groups.map((_, k) => (top.has(k) ? keepTop : !keepTop));
      out.push(withPresence(enc, groups, present, replacement, maskId));
    }
  }
  return out;
}

/** Scores from the label's probability on the full text and on faithfulnessVariants' variants (same order). */
export function protocolScores(base: number, probs: readonly number[]): ProtocolScores {
  const n = FRACTIONS.length;
  const comprehensiveness = probs.slice(0, n).map((p) => base - p);
  const sufficiency = probs.slice(n, 2 * n).map((p) => base - p);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    comprehensiveness,
    sufficiency,
    comprehensivenessAopc: mean(comprehensiveness),
    sufficiencyAopc: mean(sufficiency),
  };
}

/**
 * Faithfulness of `scores` (one per group, higher = more for label `y`), running the 18 variants of each protocol
 * through `logitsOf` (deletion; [MASK] too when the tokenizer has one). Every attribution, whichever command
 * made it, is scored here. `forwardPasses` counts the variants run.
 */
export async function measureFaithfulness(
  enc: Encoding,
  groups: readonly number[][],
  scores: readonly number[],
  target: { y: number; label: string; baseLogits: readonly number[]; problemType: ProblemType; maskId?: number },
  logitsOf: (variants: Variant[]) => Promise<number[][]>,
): Promise<Faithfulness> {
  const { y, problemType, maskId } = target;
  const p0 = toProbabilities(target.baseLogits, problemType)[y]!;
  let passes = 0;
  const score = async (rep: Replacement): Promise<ProtocolScores> => {
    const variants = faithfulnessVariants(enc, groups, scores, rep, maskId);
    passes += variants.length;
    return protocolScores(
      p0,
      (await logitsOf(variants)).map((z) => toProbabilities(z, problemType)[y]!),
    );
  };
  const deletion = await score('delete');
  const mask = maskId !== undefined ? await score('mask') : undefined;
  return {
    label: target.label,
    fractions: FRACTIONS,
    counts: FRACTIONS.map((f) => topCount(groups.length, f)),
    deletion,
    ...(mask ? { mask } : {}),
    forwardPasses: passes,
  };
}

/** "removing the top 20% words drops POSITIVE by 0.41": the panel's and the report's one-line summary. */
export function describeFaithfulness(f: Faithfulness, fraction = 0.2): string {
  const i = f.fractions.indexOf(fraction);
  const s = f.mask ?? f.deletion;
  const drop = s.comprehensiveness[i] ?? s.comprehensivenessAopc;
  const how = f.mask ? 'masking' : 'removing';
  return `${how} the top ${Math.round(fraction * 100)}% words drops ${f.label} by ${drop.toFixed(2)} (AOPC comprehensiveness ${s.comprehensivenessAopc.toFixed(2)}, sufficiency ${s.sufficiencyAopc.toFixed(2)})`;
}
