// Classification metrics of a dataset run, pure functions over predicted and gold label ids and probabilities.
// Conventions follow scikit-learn: precision/recall/F1 are 0 when undefined (no predictions / no gold rows).

/** Precision, recall and F1 of one label, with its gold count (support). */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** One reliability bin: confidences in [lo, hi), their mean confidence and accuracy. */
export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  confidence: number;
  accuracy: number;
}

/** Metrics of a set of examples. */
export interface Metrics {
  count: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics>;
  /** confusion[gold][predicted], in the model's label order. */
  confusion: number[][];
  /** Expected calibration error over equal-width confidence bins. */
  ece: number;
  reliability: ReliabilityBin[];
}

/** Index of the largest value of row i of a row-major matrix of `width` columns. */
export function argmaxRow(m: ArrayLike<number>, i: number, width: number): number {
  let best = 0;
  for (let k = 1; k < width; k++) if (m[i * width + k]! > m[i * width + best]!) best = k;
  return best;
}

/** Row-wise softmax of logits (n x width). */
export function softmaxRows(logits: ArrayLike<number>, n: number, width: number): Float64Array {
  const out = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < width; k++) max = Math.max(max, logits[i * width + k]!);
    let sum = 0;
    for (let k = 0; k < width; k++) sum += out[i * width + k] = Math.exp(logits[i * width + k]! - max);
    for (let k = 0; k < width; k++) out[i * width + k]! /= sum;
  }
  return out;
}

/**
 * Metrics of the examples listed in `rows` (all when undefined). `probs` is n x labels.length; the confidence of
 * an example is the probability of its predicted label.
 */
export function computeMetrics(
  labels: string[],
  gold: ArrayLike<number>,
  predicted: ArrayLike<number>,
  probs: ArrayLike<number>,
  rows?: ArrayLike<number>,
  bins = 10,
): Metrics {
  const L = labels.length;
  const confusion = Array.from({ length: L }, () => new Array<number>(L).fill(0));
  const binCount = new Array<number>(bins).fill(0);
  const binConf = new Array<number>(bins).fill(0);
  const binCorrect = new Array<number>(bins).fill(0);
  const count = rows ? rows.length : gold.length;
  let correct = 0;
  for (let r = 0; r < count; r++) {
    const i = rows ? rows[r]! : r;
    const g = gold[i]!,
      p = predicted[i]!;
    confusion[g]![p]! += 1;
    const ok = g === p ? 1 : 0;
    correct += ok;
    const conf = probs[i * L + p]!;
    const b = Math.min(bins - 1, Math.floor(conf * bins));
    binCount[b]! += 1;
    binConf[b]! += conf;
    binCorrect[b]! += ok;
  }
  const perClass: Record<string, ClassMetrics> = {};
  let f1Sum = 0;
  labels.forEach((label, k) => {
    const tp = confusion[k]![k]!;
    const support = confusion[k]!.reduce((a, b) => a + b, 0);
    const predictedK = confusion.reduce((a, row) => a + row[k]!, 0);
    const precision = predictedK ? tp / predictedK : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[label] = { precision, recall, f1, support };
    f1Sum += f1;
  });
  let ece = 0;
  const reliability: ReliabilityBin[] = binCount.map((c, b) => {
    const confidence = c ? binConf[b]! / c : 0;
    const accuracy = c ? binCorrect[b]! / c : 0;
    if (count) ece += (c / count) * Math.abs(accuracy - confidence);
    return { lo: b / bins, hi: (b + 1) / bins, count: c, confidence, accuracy };
  });
  return {
    count,
    accuracy: count ? correct / count : 0,
    macroF1: L ? f1Sum / L : 0,
    perClass,
    confusion,
    ece,
    reliability,
  };
}
