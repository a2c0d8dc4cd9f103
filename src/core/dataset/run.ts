// Runs a dataset through the model: chunks of texts go to the worker (batched across texts there), progress
// reports an ETA, an AbortSignal cancels between chunks and between ONNX calls, and every finished chunk is
// appended to the on-disk cache so a reopened dataset shows at once and an interrupted run resumes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Inspector } from '../inspector';
import { InspectorError } from '../errors';
import { HEAD_NAMES } from '../model/modelConfig';
import { resolveModelFolder, type OnnxVariant } from '../model/modelFolder';
import { atomicWrite, readHeadBeside } from '../onnx/tapCache';
import { buildTaps, HEAD_ACTIVATION, type HeadActivation } from '../onnx/taps';
import type { Dataset } from './dataset';
import { hashFile } from './records';
import { ResultCache, cacheKey, readArray, type ArraySpec } from './resultCache';

/**
 * Every example's vectors, flat row-major (row i of `layers` is [block][dim]). `cls` and `layers` are read from
 * the cache files on first access (the editor never needs them; 100,000 rows of `layers` are 410 MB).
 */
export interface DatasetRun {
  count: number;
  labels: string[];
  dim: number;
  nLayers: number;
  logits: Float32Array;
  cls: Float32Array;
  /** The head's activation output (DistilBERT: ReLU(pre_classifier(cls))). */
  act: Float32Array;
  layers: Float32Array;
  /** The classifier's weight, row-major [label][unit] (an int8 graph's dequantized), for per-unit contributions. */
  classifierWeight: Float32Array;
  tokens: Int32Array;
  truncated: Uint8Array;
  /** Rows that came from the cache rather than the model. */
  fromCache: number;
  ms: number;
  cacheDir: string;
}

/** Progress of a run: rows done of total, and the estimated milliseconds left (undefined at first). */
export type RunProgress = (done: number, total: number, etaMs: number | undefined) => void;

/** How to run. */
export interface RunOptions {
  cacheDir: string;
  signal?: AbortSignal;
  onProgress?: RunProgress;
  /** Texts sent to the worker per request (default 256). */
  chunk?: number;
  batchTokens?: number;
}

/**
 * A model as dataset mode needs it: its shape and a content key from its files, and the inspector only when
 * rows are missing from the cache (a reopened dataset never starts ONNX Runtime).
 */
export interface DatasetModel {
  /** A content key of the model's files, hashed in 1 MB steps off the caller's event loop (268 MB for full size). */
  key: Promise<string>;
  name: string;
  path: string;
  labels: string[];
  dim: number;
  nLayers: number;
  maxLength: number;
  /** The head's names: its dense layer (pre_classifier, BERT's pooler.dense, ...) and activation (ReLU or tanh). */
  head: { denseName: string; activation: HeadActivation };
  /** The classifier's weight (runDataset keeps it in the run's cache). */
  classifierWeight(): Promise<Float32Array>;
  inspector(): Promise<Inspector>;
}

/** Describes the model folder from its files; `open` is called at most once, on the first missing row. */
export function datasetModel(modelDir: string, variant: OnnxVariant, open: () => Promise<Inspector>): DatasetModel {
  const folder = resolveModelFolder(modelDir, variant);
  const { config } = folder;
  const hash = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  let opened: Promise<Inspector> | undefined;
  const key = fileKey(folder.onnxPath).then((onnx) =>
    [onnx, hash(folder.tokenizerPath), config.labels.join(','), config.problemType, config.maxLength].join('|'),
  );
  // Handled here so a model whose run never starts (a file that fails to read) leaves no unhandled rejection;
  // runDataset awaits `key` itself and gets the error.
  key.catch(() => undefined);
  return {
    key,
    name: folder.name,
    path: folder.dir,
    labels: config.labels,
    dim: config.dim,
    nLayers: config.nLayers,
    maxLength: config.maxLength,
    head: { denseName: HEAD_NAMES[config.headKind].denseName, activation: HEAD_ACTIVATION[config.headKind] },
    classifierWeight: async () => {
      // The engine keeps the head beside its tapped copy: read there, parsing a full-size graph on this thread
      // blocked the caller's event loop for ~55 ms at the end of a run.
      if (opened) {
        const w = await readHeadBeside((await opened).info.tappedPath, config.dim, config.labels.length);
        if (w) return w.classifierWeight;
      }
      // Only a run wholly from a cache that lacks the kept weight gets here.
      return buildTaps(folder.onnxPath, config.nLayers, config.headKind).weights.classifierWeight;
    },
    inspector: () => (opened ??= open()),
  };
}

/** An existing inspector as a DatasetModel (tests, and callers that already hold one). */
export function inspectorModel(inspector: Inspector, variant: OnnxVariant = 'fp32'): DatasetModel {
  return datasetModel(inspector.model.path, variant, () => Promise.resolve(inspector));
}

export async function runDataset(model: DatasetModel, ds: Dataset, opts: RunOptions): Promise<DatasetRun> {
  const t0 = performance.now();
  const { labels, dim, nLayers } = model;
  const n = ds.texts.length;
  const specs: ArraySpec[] = [
    { name: 'logits', kind: 'f32', width: labels.length },
    { name: 'cls', kind: 'f32', width: dim },
    { name: 'pre', kind: 'f32', width: dim },
    { name: 'act', kind: 'f32', width: dim },
    { name: 'layers', kind: 'f32', width: nLayers * dim },
    { name: 'tokens', kind: 'i32', width: 1 },
    { name: 'truncated', kind: 'u8', width: 1 },
  ];
  const key = cacheKey([await model.key, ds.sha256, ds.format, ds.textColumn, String(n)]);
  const cache = new ResultCache(opts.cacheDir, key, specs, n);
  let done = cache.rowsDone();
  const fromCache = done;
  if (done === 0) cache.reset();
  // [CLS], every block's [CLS] and the dense layer's output stay on disk: only the study and projection workers
  // read them (from the files; see projectionSources.ts).
  const arrays = cache.load(
    done,
    specs.filter((s) => !ON_DISK_ONLY.has(s.name)).map((s) => s.name),
  );
  const onDisk: Record<string, Float32Array> = {};
  const chunk = opts.chunk ?? 256;
  const tRun = performance.now();
  opts.onProgress?.(done, n, done === n ? 0 : undefined);
  while (done < n) {
    if (opts.signal?.aborted)
      throw new InspectorError(
        'CANCELLED',
        `The dataset run was cancelled after ${done} of ${n} examples; the rest resumes next time.`,
        '',
      );
    const end = Math.min(n, done + chunk);
    const start = done;
    const inspector = await model.inspector();
    const rows = await inspector.classifyMany(ds.texts.slice(start, end), {
      batchTokens: opts.batchTokens,
      signal: opts.signal,
      onProgress: (d) => report(start + d),
    });
    for (const s of specs) arrays[s.name]?.set(rows[s.name as keyof typeof rows] as Float32Array, start * s.width);
    await cache.append(rows as unknown as Record<string, Float32Array<ArrayBuffer>>, end - start, start);
    done = end;
    report(done);
  }
  return {
    count: n,
    labels,
    dim,
    nLayers,
    logits: arrays['logits'] as Float32Array,
    get cls() {
      return (onDisk['cls'] ??= readArray(cache.dir, 'cls').subarray(0, n * dim));
    },
    act: arrays['act'] as Float32Array,
    get layers() {
      return (onDisk['layers'] ??= readArray(cache.dir, 'layers').subarray(0, n * nLayers * dim));
    },
    classifierWeight: await classifierWeight(model, cache.dir),
    tokens: arrays['tokens'] as Int32Array,
    truncated: arrays['truncated'] as Uint8Array,
    fromCache,
    ms: performance.now() - t0,
    cacheDir: cache.dir,
  };

  function report(d: number): void {
    const ran = d - fromCache;
    const elapsed = performance.now() - tRun;
    opts.onProgress?.(d, n, ran > 0 ? (elapsed / ran) * (n - d) : undefined);
  }
}

/** The classifier's weight, from the run's cache folder or else from the graph (then kept there). */
async function classifierWeight(model: DatasetModel, dir: string): Promise<Float32Array> {
  const file = path.join(dir, 'classifier-weight.f32');
  const want = model.labels.length * model.dim;
  try {
    const w = readArray(dir, 'classifier-weight');
    if (w.length === want) return w;
  } catch {
    // not kept yet
  }
  const w = await model.classifierWeight();
  if (w.length !== want)
    throw new InspectorError(
      'GRAPH_INVALID',
      `${model.path}: the classifier has ${w.length} weights, config.json implies ${want}.`,
      'Export config.json and the ONNX file together.',
    );
  try {
    await atomicWrite(file, (tmp) => fs.promises.writeFile(tmp, new Uint8Array(w.buffer, w.byteOffset, w.byteLength)));
  } catch {
    // an unwritable cache only costs the next reopen another read of the graph
  }
  return w;
}

/**
 * The ONNX file's sha256, remembered per (path, size, mtime) for this process: hashing a full-size model takes
 * most of a second, which a reopened dataset should not pay twice.
 */
function fileKey(file: string): Promise<string> {
  const st = fs.statSync(file);
  const id = `${path.resolve(file)}|${st.size}|${st.mtimeMs}`;
  let key = FILE_KEYS.get(id);
  if (!key) {
    // A stream, not a readSync loop: hashing a full-size graph synchronously blocked the caller for ~300 ms.
    key = hashFile(file);
    FILE_KEYS.set(id, key);
    key.catch(() => FILE_KEYS.delete(id));
  }
  return key;
}

const FILE_KEYS = new Map<string, Promise<string>>();
/** Run arrays the caller never holds in memory. */
const ON_DISK_ONLY = new Set(['cls', 'layers', 'pre']);
