// The dataset panel's view of a report: what the extension host posts to the webview, built here (no vscode) so
// the benchmark measures the same code the editor runs. Built in slices: per-row and per-unit loops over 10,000
// full-size rows would otherwise block the extension host's event loop.
import * as path from 'node:path';
import type { HeadStudy } from './headStudy';
import type { ProjectionResult } from './projectionJob';
import type { DatasetReport } from './report';
import type { DatasetRun } from './run';
import { runSliced, type Steps } from './sliced';
import { topRows } from './topRows';

/** One example as the table shows it: label indices into `labels`, -1 for "no gold label". */
export interface DatasetRow {
  text: string;
  line: number;
  gold: number;
  predicted: number;
  /** Probabilities in label order. */
  probs: number[];
}

/**
 * What the panel needs to come back after a window reload (the webview persists it with setState): the file
 * and its content hash, how it was read, and the model folder whose cached results it showed.
 */
export interface DatasetSource {
  file: string;
  sha256: string;
  textColumn: string;
  labelColumn: string | null;
  labelMap: Record<string, string> | null;
  modelPath: string;
  variant: string;
}

/** Everything the dataset panel shows; built from the core's report by datasetView. */
export interface DatasetView {
  source: DatasetSource;
  file: string;
  fileName: string;
  modelName: string;
  labels: string[];
  textColumn: string;
  labelColumn: string | null;
  skipped: number;
  fromCache: number;
  runMs: number;
  rows: DatasetRow[];
  metrics: DatasetReport['metrics'];
  confusion: number[][] | null;
  headStudy: HeadStudy | null;
  /** `meanContribution`: label -> per unit, the mean of activation * classifier weight (logit units). */
  headUnits: {
    activeRate: number[];
    dead: number[];
    topUnits: { unit: number; rate: number; meanAct: number; topRows: number[] }[];
    meanContribution: Record<string, number[]>;
  };
  /** The first projection shown: PCA of the final [CLS] per row. */
  projection: ProjectionResult;
  /** What else can be projected, in the panel's order, with the names it shows. */
  projectionSources: { id: string; name: string }[];
}

/** How many of the most often active units the panel details, and how many top rows each. */
const TOP_UNITS = 20;
const TOP_ROWS = 3;

/** The panel's view of a report, built in slices of a few ms between which the event loop runs. */
export function datasetView(
  report: DatasetReport,
  run: DatasetRun,
  projection: ProjectionResult,
  projectionSources: DatasetView['projectionSources'],
  source: DatasetSource,
): Promise<DatasetView> {
  return runSliced(viewSteps(report, run, projection, projectionSources, source));
}

function* viewSteps(
  report: DatasetReport,
  run: DatasetRun,
  projection: ProjectionResult,
  projectionSources: DatasetView['projectionSources'],
  source: DatasetSource,
): Steps<DatasetView> {
  const labels = report.model.labels;
  const n = run.count,
    dim = run.dim;
  // The most often active units, with their mean activation and the rows that drive them hardest.
  const order = report.headUnits.activeRate
    .map((r, j) => [r, j] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, TOP_UNITS);
  const topUnits: DatasetView['headUnits']['topUnits'] = [];
  for (const [rate, unit] of order) {
    // The report's mean is the same row-order sum the view once recomputed here: one pass over the rows fewer.
    topUnits.push({
      unit,
      rate,
      meanAct: report.headUnits.meanActivation[unit]!,
      topRows: topRows(run.act, n, dim, unit, TOP_ROWS),
    });
    yield;
  }
  const rows: DatasetView['rows'] = [];
  for (const e of report.examples) {
    rows.push({
      text: e.text,
      line: e.line,
      gold: e.label === null ? -1 : labels.indexOf(e.label),
      predicted: labels.indexOf(e.predicted),
      probs: labels.map((l) => e.probabilities[l]!),
    });
    yield;
  }
  return {
    source,
    file: report.dataset.file,
    fileName: path.basename(report.dataset.file),
    modelName: report.model.name,
    labels,
    textColumn: report.dataset.textColumn,
    labelColumn: report.dataset.labelColumn,
    skipped: report.dataset.skipped.emptyText + report.dataset.skipped.noLabel,
    fromCache: report.timing.fromCache,
    runMs: report.timing.runMs,
    rows,
    metrics: report.metrics,
    confusion: report.confusion,
    headStudy: report.headStudy,
    headUnits: {
      activeRate: report.headUnits.activeRate,
      dead: report.headUnits.dead,
      topUnits,
      meanContribution: report.headUnits.meanContribution,
    },
    projection,
    projectionSources,
  };
}
