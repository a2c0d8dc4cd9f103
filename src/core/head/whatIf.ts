// What-if on the head's units (an experiment on the head, not the model): the classifier is linear in the
// activation's output, so switching units off just drops their terms from each logit, exactly, with no model run.
import type { HeadExperiment, LogitContribution, ProblemType } from '../types';
import { argmax, toProbabilities } from './head';

/** Which experiment the panel shows: units switched off, the dense layer bypassed, or no activation. */
export type WhatIf = { kind: 'units'; off: number[] } | { kind: 'bypassDense' } | { kind: 'noActivation' };

/** Logits with the units in `off` removed: bias + the sum of the other units' terms, per label. */
export function logitsWithout(
  contributions: Record<string, LogitContribution>,
  labels: string[],
  off: Iterable<number>,
): number[] {
  const gone = new Set(off);
  return labels.map((l) => {
    const c = contributions[l];
    if (!c) return NaN;
    let s = c.bias;
    for (let u = 0; u < c.units.length; u++) if (!gone.has(u)) s += c.units[u]!;
    return s;
  });
}

/** The k units whose terms push `label`'s logit up the most (positive terms only). */
export function topToward(contributions: Record<string, LogitContribution>, label: string, k: number): number[] {
  const units = contributions[label]?.units ?? [];
  return units
    .map((value, unit) => ({ unit, value }))
    .filter((x) => x.value > 0)
    .sort((a, b) => b.value - a.value)
    .slice(0, Math.max(0, k))
    .map((x) => x.unit);
}

/** Every unit except the k that push `label` up the most: "keep only the top k". */
export function allBut(dim: number, keep: number[]): number[] {
  const kept = new Set(keep);
  const off: number[] = [];
  for (let u = 0; u < dim; u++) if (!kept.has(u)) off.push(u);
  return off;
}

/** The experiment's logits, probabilities and label; the two head variants come precomputed with the window. */
export function runWhatIf(
  w: {
    contributions: Record<string, LogitContribution>;
    experiments?: { bypassDense: HeadExperiment; noActivation: HeadExperiment };
  },
  labels: string[],
  problemType: ProblemType,
  what: WhatIf,
): HeadExperiment | undefined {
  if (what.kind !== 'units') return w.experiments?.[what.kind];
  const logits = logitsWithout(w.contributions, labels, what.off);
  return { logits, probabilities: toProbabilities(logits, problemType), label: labels[argmax(logits)]! };
}
