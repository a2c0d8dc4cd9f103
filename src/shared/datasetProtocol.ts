// The message protocol between the extension host (DatasetPanel) and the dataset webview. Both ends import it;
// the webview's messages are a schema (src/shared/schema.ts), so their type and guard are one declaration.
import type { HeadStudy } from '../core/dataset/headStudy';
import type { ClassMetrics, ReliabilityBin } from '../core/dataset/metrics';
import { index, literal, refine, str, tagged, type Infer } from './schema';
import type { ProjectionResult } from '../core/dataset/projectionJob';

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
  /** `meanContribution`: label -> per unit, the mean of activation * classifier weight (logit units). */
  headUnits: { activeRate: number[]; dead: number[]; topUnits: { unit: number; rate: number; meanAct: number; topRows: number[] }[]; meanContribution: Record<string, number[]> };
  /** The first projection shown: PCA of the final [CLS] per row. */
  projection: ProjectionResult;
  /** What else can be projected, in the panel's order, with the names it shows. */
  projectionSources: { id: string; name: string }[];
}

/** A projection method the panel offers. */
export type ProjectionMethodId = 'pca' | 'umap';

/** Host -> webview. */
export type DatasetHostMessage =
  | { type: 'progress'; file: string; done: number; total: number; etaMs: number | null }
  | { type: 'dataset'; view: DatasetView }
  | { type: 'error'; message: string }
  /** A projection the webview asked for is under way (phase: reading, pca, neighbours, layout). */
  | { type: 'projectionProgress'; source: string; method: ProjectionMethodId; phase: string; done: number; total: number }
  | { type: 'projection'; projection: ProjectionResult }
  | { type: 'projectionFailed'; source: string; method: ProjectionMethodId; message: string; cancelled: boolean };

export const datasetWebviewMessageSchema = tagged(
  'type',
  {
    ready: {},
    /** Open the Activation Inspector on this row's text. */
    inspectRow: { row: index },
    /** Compute (or read back) a projection; a newer request or `cancelProjection` stops the one under way. */
    // The host checks the block number against the model; here only the shape.
    project: { source: refine(str, (s) => /^(cls|pre|act|block-[1-9]\d{0,3})$/.test(s)), method: literal('pca', 'umap') },
    cancelProjection: {},
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
  return t === 'progress' || t === 'dataset' || t === 'error' || t === 'projectionProgress' || t === 'projection' || t === 'projectionFailed';
}
