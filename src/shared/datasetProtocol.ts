// The message protocol between the extension host (DatasetPanel) and the dataset webview. Both ends import it;
// the guard checks what the webview sends (untrusted input to the host).
import type { HeadStudy } from '../core/dataset/headStudy';
import type { ClassMetrics, ReliabilityBin } from '../core/dataset/metrics';

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

/** Everything the dataset panel shows; computed by the host from the core's report. */
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
  metrics: { accuracy: number; macroF1: number; perClass: Record<string, ClassMetrics>; ece: number; reliability: ReliabilityBin[] } | null;
  confusion: number[][] | null;
  headStudy: HeadStudy | null;
  headUnits: { activeRate: number[]; dead: number[]; topUnits: { unit: number; rate: number; meanAct: number; topRows: number[] }[] };
  /** 2-D PCA of the final [CLS] per row. */
  projection: { x: number[]; y: number[]; explained: [number, number] };
}

/** Host -> webview. */
export type DatasetHostMessage =
  | { type: 'progress'; file: string; done: number; total: number; etaMs: number | null }
  | { type: 'dataset'; view: DatasetView }
  | { type: 'error'; message: string };

/** Webview -> host. */
export type DatasetWebviewMessage =
  | { type: 'ready' }
  /** Open the Activation Inspector on this row's text. */
  | { type: 'inspectRow'; row: number };

export function isDatasetWebviewMessage(x: unknown): x is DatasetWebviewMessage {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const m = x as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
      return Object.keys(m).length === 1;
    case 'inspectRow':
      return Number.isSafeInteger(m['row']) && (m['row'] as number) >= 0 && Object.keys(m).length === 2;
    default:
      return false;
  }
}

/** The persisted source, if `state` (a webview's saved state: data from disk, checked like input) holds a well-formed one. */
export function datasetSourceOf(state: unknown): DatasetSource | undefined {
  const s = (typeof state === 'object' && state !== null ? (state as Record<string, unknown>)['source'] : undefined) as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null) return undefined;
  const str = (k: string) => typeof s[k] === 'string' && (s[k] as string).length > 0;
  const map = s['labelMap'];
  const mapOk = map === null || (typeof map === 'object' && !Array.isArray(map) && Object.values(map as object).every((v) => typeof v === 'string'));
  const labelOk = s['labelColumn'] === null || str('labelColumn');
  if (!['file', 'sha256', 'textColumn', 'modelPath', 'variant'].every(str) || !labelOk || !mapOk || !/^[0-9a-f]{64}$/.test(s['sha256'] as string)) return undefined;
  return s as unknown as DatasetSource;
}

/** The host is trusted; this only keeps a stray message (another extension's, an old format) from rendering. */
export function isDatasetHostMessageType(x: unknown): x is DatasetHostMessage {
  if (typeof x !== 'object' || x === null) return false;
  const t = (x as Record<string, unknown>)['type'];
  return t === 'progress' || t === 'dataset' || t === 'error';
}
