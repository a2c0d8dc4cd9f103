// A dataset run summarised for people and scripts: the CLI's --json (a stable contract), its text view, its
// HTML page, and the editor's dataset panel all start from this one object.
import type { Dataset, SkippedRows } from './dataset';
import type { HeadStudy } from './headStudy';
import { argmaxRow, computeMetrics, softmaxRows, type ClassMetrics, type ReliabilityBin } from './metrics';
import type { DatasetModel, DatasetRun } from './run';
import { runNow, runSliced, type Steps } from './sliced';
import { labelRecord } from '../types';

/** One example's outcome (probabilities by label, in the model's label order). */
export interface ExampleResult {
  index: number;
  line: number;
  text: string;
  /** Gold label name; null without a label column. */
  label: string | null;
  predicted: string;
  probabilities: Record<string, number>;
  confidence: number;
  /** Top probability minus the runner-up. */
  margin: number;
  truncated: boolean;
}

/** How often each unit of the head's activation is active over the dataset. */
export interface HeadUnitsSummary {
  /** Fraction of examples with the unit > 0, per unit. */
  activeRate: number[];
  /** Units never active on any example. */
  dead: number[];
  /** Mean of the unit's activation over the examples, per unit. */
  meanActivation: number[];
  /**
   * Label -> per unit, the mean over the examples of activation_i * W_classifier[label, i]: what the unit adds to
   * that label's logit on average (logit units; with the bias, the units' sum is the mean logit).
   */
  meanContribution: Record<string, number[]>;
}

/** The --json contract of `distilbert-inspector dataset`. */
export interface DatasetReport {
  model: Pick<DatasetModel, 'name' | 'path' | 'labels' | 'dim' | 'nLayers' | 'maxLength'>;
  dataset: {
    file: string;
    format: string;
    sha256: string;
    columns: string[];
    textColumn: string;
    labelColumn: string | null;
    labelKind: string | null;
    examples: number;
    complete: boolean;
    skipped: SkippedRows;
    truncated: number;
  };
  /** Null without gold labels. */
  metrics: {
    accuracy: number;
    macroF1: number;
    perClass: Record<string, ClassMetrics>;
    ece: number;
    reliability: ReliabilityBin[];
  } | null;
  /** confusion[gold][predicted] in model.labels order; null without gold labels. */
  confusion: number[][] | null;
  examples: ExampleResult[];
  headUnits: HeadUnitsSummary;
  headStudy: HeadStudy | null;
  timing: { runMs: number; fromCache: number; studyMs: number };
}

/** The report of a run; `study` comes from analyse() (offThread.ts), which keeps the fitting off this thread. */
export function buildDatasetReport(
  model: DatasetModel,
  ds: Dataset,
  run: DatasetRun,
  study: HeadStudy | null,
  studyMs = 0,
): DatasetReport {
  return runNow(reportSteps(model, ds, run, study, studyMs));
}

/**
 * buildDatasetReport in slices of a few ms (the same steps, so the same numbers): in one piece it blocked the
 * extension host's event loop ~50 ms for 10,000 full-size rows (the per-unit sums over 10,000 x 768 activations).
 */
export function buildDatasetReportSliced(
  model: DatasetModel,
  ds: Dataset,
  run: DatasetRun,
  study: HeadStudy | null,
  studyMs = 0,
): Promise<DatasetReport> {
  return runSliced(reportSteps(model, ds, run, study, studyMs));
}

function* reportSteps(
  model: DatasetModel,
  ds: Dataset,
  run: DatasetRun,
  study: HeadStudy | null,
  studyMs: number,
): Steps<DatasetReport> {
  const L = run.labels.length;
  const n = run.count;
  const probs = softmaxRows(run.logits, n, L);
  const predicted = Int32Array.from({ length: n }, (_, i) => argmaxRow(run.logits, i, L));
  const examples: ExampleResult[] = [];
  let truncated = 0;
  for (let i = 0; i < n; i++) {
    const p = probs.subarray(i * L, (i + 1) * L);
    const sorted = [...p].sort((a, b) => b - a);
    const probabilities: Record<string, number> = {};
    run.labels.forEach((l, k) => (probabilities[l] = p[k]!));
    truncated += run.truncated[i]!;
    examples.push({
      index: i,
      line: ds.lines[i]!,
      text: ds.texts[i]!,
      label: ds.gold ? run.labels[ds.gold[i]!]! : null,
      predicted: run.labels[predicted[i]!]!,
      probabilities,
      confidence: sorted[0]!,
      margin: sorted[0]! - (sorted[1] ?? 0),
      truncated: run.truncated[i] === 1,
    });
    yield;
  }
  const m = ds.gold ? computeMetrics(run.labels, ds.gold, predicted, probs) : undefined;
  const units = yield* headUnitSteps(run.act, n, run.dim, run.classifierWeight, run.labels);
  return {
    model: {
      name: model.name,
      path: model.path,
      labels: model.labels,
      dim: model.dim,
      nLayers: model.nLayers,
      maxLength: model.maxLength,
    },
    dataset: {
      file: ds.file,
      format: ds.format,
      sha256: ds.sha256,
      columns: ds.columns,
      textColumn: ds.textColumn,
      labelColumn: ds.labelColumn ?? null,
      labelKind: ds.labelKind ?? null,
      examples: n,
      complete: ds.complete,
      skipped: ds.skipped,
      truncated,
    },
    metrics: m
      ? { accuracy: m.accuracy, macroF1: m.macroF1, perClass: m.perClass, ece: m.ece, reliability: m.reliability }
      : null,
    confusion: m ? m.confusion : null,
    examples,
    headUnits: units,
    headStudy: study,
    timing: { runMs: run.ms, fromCache: run.fromCache, studyMs },
  };
}

/** Per-unit activity, dead units and mean contributions of the head's activation (n x dim, row-major). */
export function headUnits(
  act: ArrayLike<number>,
  n: number,
  dim: number,
  classifierWeight: ArrayLike<number>,
  labels: string[],
): HeadUnitsSummary {
  return runNow(headUnitSteps(act, n, dim, classifierWeight, labels));
}

/** headUnits, yielding after each row. */
function* headUnitSteps(
  act: ArrayLike<number>,
  n: number,
  dim: number,
  classifierWeight: ArrayLike<number>,
  labels: string[],
): Steps<HeadUnitsSummary> {
  const active = new Array<number>(dim).fill(0);
  const sum = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      const a = act[i * dim + j]!;
      if (a > 0) active[j]! += 1;
      sum[j]! += a;
    }
    yield;
  }
  const meanActivation = Array.from(sum, (s) => (n ? s / n : 0));
  // The classifier is linear in the activation, so the mean of a_i * W[l, i] is W[l, i] times the mean of a_i.
  const meanContribution = labelRecord<number[]>();
  labels.forEach((l, k) => (meanContribution[l] = meanActivation.map((m, j) => m * classifierWeight[k * dim + j]!)));
  return {
    activeRate: active.map((a) => (n ? a / n : 0)),
    dead: active.flatMap((a, j) => (a === 0 ? [j] : [])),
    meanActivation,
    meanContribution,
  };
}
