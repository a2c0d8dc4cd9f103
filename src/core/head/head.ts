// The classification head's arithmetic, done exactly on the values tapped from the graph:
//   logits = classifier.weight @ dropout(relu(pre_classifier(cls))) + classifier.bias
// Dropout is the identity at inference, so each logit splits into the bias plus one term per ReLU unit.
import {
  labelRecord,
  type HeadSummary,
  type LogitContribution,
  type ProblemType,
  type Stages,
  type UnitShare,
} from '../types';

/** Logits -> probabilities as transformers does for the problem type (softmax, sigmoid, or raw for regression). */
export function toProbabilities(logits: ArrayLike<number>, problemType: ProblemType): number[] {
  const xs = Array.from(logits);
  if (problemType === 'multi_label_classification') return xs.map((x) => 1 / (1 + Math.exp(-x)));
  if (problemType === 'regression') return xs;
  const max = Math.max(...xs);
  const exps = xs.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** The winning label: argmax of the logits (same order for softmax and sigmoid). */
export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) > (xs[best] as number)) best = i;
  return best;
}

/** Per label: bias + classifier.weight[label][u] * activation[u] for each unit u (the vector the classifier reads). */
export function decomposeLogits(
  activation: ArrayLike<number>,
  classifierWeight: ArrayLike<number>,
  classifierBias: ArrayLike<number>,
  labels: string[],
): Record<string, LogitContribution> {
  const dim = activation.length;
  const out = labelRecord<LogitContribution>();
  labels.forEach((label, l) => {
    const units = new Array<number>(dim);
    for (let u = 0; u < dim; u++) units[u] = (classifierWeight[l * dim + u] as number) * (activation[u] as number);
    out[label] = { bias: classifierBias[l] as number, units };
  });
  return out;
}

/** Units listed toward / against each label unless asked otherwise (CLI --top K). */
export const DEFAULT_TOP_UNITS = 5;

/** The k largest positive shares (largest first) and the k most negative (most negative first); zeros are neither. */
export function topShares(units: number[], k: number): { toward: UnitShare[]; against: UnitShare[] } {
  const shares: UnitShare[] = units.map((value, unit) => ({ unit, value }));
  const toward = shares
    .filter((s) => s.value > 0)
    .sort((a, b) => b.value - a.value)
    .slice(0, k);
  const against = shares
    .filter((s) => s.value < 0)
    .sort((a, b) => a.value - b.value)
    .slice(0, k);
  return { toward, against };
}

/** Norms, how many units the ReLU zeroed, and the units pushing most toward / against each label. */
export function summarizeHead(
  stages: Stages,
  contributions: Record<string, LogitContribution>,
  topK = DEFAULT_TOP_UNITS,
): HeadSummary {
  const zeroedUnits = stages.activation.filter((x) => x === 0).length;
  const topUnits: HeadSummary['topUnits'] = labelRecord();
  for (const [label, c] of Object.entries(contributions)) topUnits[label] = topShares(c.units, topK);
  return {
    zeroedUnits,
    activeUnits: stages.activation.length - zeroedUnits,
    norms: {
      cls: norm(stages.cls),
      preClassifier: norm(stages.preClassifier),
      relu: norm(stages.activation),
      layers: stages.layers.map(norm),
    },
    topUnits,
  };
}

export function norm(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] as number) ** 2;
  return Math.sqrt(s);
}
