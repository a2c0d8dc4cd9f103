// The message protocol between the extension host (DatasetPanel) and the dataset webview. Both ends import it;
// the webview's messages are a schema (src/shared/schema.ts), so their type and guard are one declaration.
import type { HeadStudy } from '../core/dataset/headStudy';
import type { ClassMetrics, ReliabilityBin } from '../core/dataset/metrics';
import { index, tagged, type Infer } from './schema';

/** One example as the table shows it: label indices into `labels`, -1 for "no gold label". */
export interface DatasetRow {
  text: string;
  line: number;
  gold: number;
  predicted: number;
  /** Probabilities in label order. */
  probs: number[];
}

/** Everything the dataset panel shows; computed by the host from the core's report. */
export interface DatasetView {
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

export const datasetWebviewMessageSchema = tagged(
  'type',
  {
    ready: {},
    /** Open the Activation Inspector on this row's text. */
    inspectRow: { row: index },
  },
  { strict: true },
);
/** Webview -> host. */
export type DatasetWebviewMessage = Infer<typeof datasetWebviewMessageSchema>;
export const isDatasetWebviewMessage = datasetWebviewMessageSchema.is;

/** The host is trusted; this only keeps a stray message (another extension's, an old format) from rendering. */
export function isDatasetHostMessageType(x: unknown): x is DatasetHostMessage {
  if (typeof x !== 'object' || x === null) return false;
  const t = (x as Record<string, unknown>)['type'];
  return t === 'progress' || t === 'dataset' || t === 'error';
}
