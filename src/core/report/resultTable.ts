// The label | probability | logit table: the result section shows the aggregate's, each detailed window's
// classifier stage its own (regression models have one score column instead).
import type { Inspection } from '../types';
import { mdText } from './escape';
import { fmt } from './svg';

/** Regression heads give a score, not probabilities. */
export const isRegression = (ins: Inspection): boolean => ins.model.problemType === 'regression';

/** label | probability | logit rows, in logit order. */
export function resultRows(
  ins: Inspection,
  probabilities: Record<string, number>,
  logits: number[],
  winner: string,
): string[][] {
  return ins.model.labels.map((l, i) => {
    const name = l === winner ? `**${mdText(l)}**` : mdText(l);
    const logit = fmt(logits[i] ?? 0);
    return isRegression(ins) ? [name, logit] : [name, fmt(probabilities[l] ?? 0), logit];
  });
}

export function resultHead(ins: Inspection): { head: string[]; right: boolean[] } {
  return isRegression(ins)
    ? { head: ['label', 'score (logit)'], right: [false, true] }
    : { head: ['label', 'probability', 'logit'], right: [false, true, true] };
}
