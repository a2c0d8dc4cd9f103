// The project's question answered on the user's data: does pre_classifier (dense + ReLU) earn its place?
// On a fixed split of the dataset (by a seeded hash of each example's index), compare the real head with
// linear probes fitted in TypeScript on the training half and scored on the other half.
import { argmaxRow } from './metrics';
import { fitProbe, predictProbe, type FitOptions } from './logistic';

/** One row of the study's table. */
export interface StudyRow {
  id: 'head' | 'probe-cls' | 'refit-relu-cls' | `probe-block-${number}`;
  description: string;
  /** Features the probe reads (0 for the real head, which is not fitted). */
  features: number;
  trainAccuracy: number;
  testAccuracy: number;
  iterations?: number;
}

/** The whole study: the split and one row per compared classifier. */
export interface HeadStudy {
  seed: number;
  train: number;
  test: number;
  lambda: number;
  rows: StudyRow[];
}

/** What the study reads from a dataset run. */
export interface StudyInput {
  count: number;
  labels: string[];
  dim: number;
  nLayers: number;
  logits: ArrayLike<number>;
  cls: ArrayLike<number>;
  /** Every block's [CLS], [example][block][dim]; or `layerAt`, one block's rows at a time (read from disk; the array may be reused by the next call). */
  layers?: ArrayLike<number>;
  layerAt?: (block: number) => ArrayLike<number>;
  gold: ArrayLike<number>;
}

/** A 32-bit mix of (seed, index) (splitmix-style): the split does not depend on row order or count. */
export function inTrainSplit(index: number, seed: number): boolean {
  let h = (index ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return (h & 1) === 0;
}

export function headStudy(input: StudyInput, opts: FitOptions & { seed?: number } = {}): HeadStudy {
  const seed = opts.seed ?? 14;
  const lambda = opts.lambda ?? 1e-2;
  const { count, labels, dim, nLayers } = input;
  const L = labels.length;
  const train: number[] = [],
    test: number[] = [];
  for (let i = 0; i < count; i++) (inTrainSplit(i, seed) ? train : test).push(i);
  const accuracy = (rows: number[], predict: (i: number) => number) =>
    rows.length ? rows.filter((i) => predict(i) === input.gold[i]).length / rows.length : 0;
  // One buffer for every fit's standardised rows, and (in the worker) one for every block's rows: a large dataset
  // must not hold a copy per probe until the GC gets round to it.
  const scratch = new Float64Array(train.length * dim);
  const probe = (id: StudyRow['id'], description: string, X: ArrayLike<number>): StudyRow => {
    const p = fitProbe(X, dim, input.gold, train, L, { ...opts, lambda, scratch });
    return {
      id,
      description,
      features: dim,
      trainAccuracy: accuracy(train, (i) => predictProbe(p, X, i)),
      testAccuracy: accuracy(test, (i) => predictProbe(p, X, i)),
      iterations: p.iterations,
    };
  };
  const head = (i: number) => argmaxRow(input.logits, i, L);
  const rows: StudyRow[] = [
    {
      id: 'head',
      description: 'the real head: pre_classifier -> ReLU -> classifier, as fine-tuned',
      features: 0,
      trainAccuracy: accuracy(train, head),
      testAccuracy: accuracy(test, head),
    },
  ];
  rows.push(probe('probe-cls', 'linear probe on the final [CLS] (no pre_classifier)', input.cls));
  // A plain loop: TypedArray.from with a map function goes through a JS array of every value first (1.1 GB for
  // 100,000 x 256). Float32 holds ReLU of float32 values exactly.
  const reluCls = new Float32Array(input.cls.length);
  for (let k = 0; k < reluCls.length; k++) {
    const v = input.cls[k]!;
    reluCls[k] = v > 0 ? v : 0;
  }
  rows.push(probe('refit-relu-cls', 'pre_classifier bypassed: classifier refitted on ReLU([CLS])', reluCls));
  for (let l = 0; l < nLayers; l++) {
    const X = input.layerAt ? input.layerAt(l) : layerRows(input.layers!, count, nLayers, dim, l);
    const id = `probe-block-${l + 1}` as const,
      description = `linear probe on [CLS] after block ${l + 1}`;
    // DistilBERT's head reads the last block's [CLS] unchanged: the same features need no second fit.
    rows.push(sameValues(X, input.cls) ? { ...rows[1]!, id, description } : probe(id, description, X));
  }
  return { seed, train: train.length, test: test.length, lambda, rows };
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Block l's [CLS] of every example, out of the [example][block][dim] array. */
export function layerRows(
  layers: ArrayLike<number>,
  count: number,
  nLayers: number,
  dim: number,
  l: number,
): Float32Array {
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const from = (i * nLayers + l) * dim;
    for (let j = 0; j < dim; j++) out[i * dim + j] = layers[from + j]!;
  }
  return out;
}
