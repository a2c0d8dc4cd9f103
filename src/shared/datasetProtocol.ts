// The message protocol between the extension host (DatasetPanel) and the dataset webview. Both ends import it;
// the webview's messages are a schema (src/shared/schema.ts), so their type and guard are one declaration.
import type { DatasetSource, DatasetView } from '../core/dataset/view';
import type { ProjectionResult } from '../core/dataset/projectionJob';
import { index, literal, refine, str, tagged, type Infer } from './schema';

// The view's types live in the core (src/core/dataset/view.ts builds it); both ends use them from here.
export type { DatasetRow, DatasetSource, DatasetView } from '../core/dataset/view';

/** A projection method the panel offers. */
export type ProjectionMethodId = 'pca' | 'umap';

/** Host -> webview. */
export type DatasetHostMessage =
  | { type: 'progress'; file: string; done: number; total: number; etaMs: number | null }
  | { type: 'dataset'; view: DatasetView }
  | { type: 'error'; message: string }
  /** A projection the webview asked for is under way (phase: reading, pca, neighbours, layout). */
  | {
      type: 'projectionProgress';
      source: string;
      method: ProjectionMethodId;
      phase: string;
      done: number;
      total: number;
    }
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
    project: {
      source: refine(str, (s) => /^(cls|pre|act|block-[1-9]\d{0,3})$/.test(s)),
      method: literal('pca', 'umap'),
    },
    cancelProjection: {},
  },
  { strict: true },
);
/** Webview -> host. */
export type DatasetWebviewMessage = Infer<typeof datasetWebviewMessageSchema>;
export const isDatasetWebviewMessage = datasetWebviewMessageSchema.is;

/** The persisted source, if `state` (a webview's saved state: data from disk, checked like input) holds a well-formed one. */
export function datasetSourceOf(state: unknown): DatasetSource | undefined {
  const s = (typeof state === 'object' && state !== null ? (state as Record<string, unknown>)['source'] : undefined) as
    Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null) return undefined;
  const str = (k: string) => typeof s[k] === 'string' && (s[k] as string).length > 0;
  const map = s['labelMap'];
  const mapOk =
    map === null ||
    (typeof map === 'object' &&
      !Array.isArray(map) &&
      Object.values(map as object).every((v) => typeof v === 'string'));
  const labelOk = s['labelColumn'] === null || str('labelColumn');
  if (
    !['file', 'sha256', 'textColumn', 'modelPath', 'variant'].every(str) ||
    !labelOk ||
    !mapOk ||
    !/^[0-9a-f]{64}$/.test(s['sha256'] as string)
  )
    return undefined;
  return s as unknown as DatasetSource;
}

/** The host is trusted; this only keeps a stray message (another extension's, an old format) from rendering. */
export function isDatasetHostMessageType(x: unknown): x is DatasetHostMessage {
  if (typeof x !== 'object' || x === null) return false;
  const t = (x as Record<string, unknown>)['type'];
  return (
    t === 'progress' ||
    t === 'dataset' ||
    t === 'error' ||
    t === 'projectionProgress' ||
    t === 'projection' ||
    t === 'projectionFailed'
  );
}
