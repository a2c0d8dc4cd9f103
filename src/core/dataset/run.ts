// Runs a dataset through the model: chunks of texts go to the worker (batched across texts there), progress
// reports an ETA, an AbortSignal cancels between chunks and between ONNX calls, and every finished chunk is
// appended to the on-disk cache so a reopened dataset shows at once and an interrupted run resumes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Inspector } from '../inspector';
import { InspectorError } from '../errors';
import type { Dataset } from './dataset';
import { ResultCache, cacheKey, type ArraySpec } from './resultCache';

/** Every example's vectors, flat row-major (row i of `layers` is [block][dim]). */
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

export async function runDataset(inspector: Inspector, ds: Dataset, opts: RunOptions): Promise<DatasetRun> {
  const t0 = performance.now();
  const { labels, dim, nLayers } = inspector.model;
  const n = ds.texts.length;
  const specs: ArraySpec[] = [
    { name: 'logits', kind: 'f32', width: labels.length },
    { name: 'cls', kind: 'f32', width: dim },
    { name: 'act', kind: 'f32', width: dim },
    { name: 'layers', kind: 'f32', width: nLayers * dim },
    { name: 'tokens', kind: 'i32', width: 1 },
    { name: 'truncated', kind: 'u8', width: 1 },
  ];
  const key = cacheKey([modelKey(inspector), ds.sha256, ds.format, ds.textColumn, String(n), String(inspector.model.maxLength)]);
  const cache = new ResultCache(opts.cacheDir, key, specs, n);
  let done = cache.rowsDone();
  const fromCache = done;
  if (done === 0) cache.reset();
  const arrays = cache.load(done);
  const chunk = opts.chunk ?? 256;
  const tRun = performance.now();
  opts.onProgress?.(done, n, done === n ? 0 : undefined);
  while (done < n) {
    if (opts.signal?.aborted) throw new InspectorError('CANCELLED', `The dataset run was cancelled after ${done} of ${n} examples; the rest resumes next time.`, '');
    const end = Math.min(n, done + chunk);
    const start = done;
    const rows = await inspector.classifyMany(ds.texts.slice(start, end), {
      batchTokens: opts.batchTokens,
      signal: opts.signal,
      onProgress: (d) => report(start + d),
    });
    for (const s of specs) arrays[s.name]!.set(rows[s.name as keyof typeof rows] as Float32Array, start * s.width);
    cache.append(rows as unknown as Record<string, Float32Array<ArrayBuffer>>, end - start, start);
    done = end;
    report(done);
  }
  return {
    count: n,
    labels,
    dim,
    nLayers,
    logits: arrays['logits'] as Float32Array,
    cls: arrays['cls'] as Float32Array,
    act: arrays['act'] as Float32Array,
    layers: arrays['layers'] as Float32Array,
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

/** The tapped graph's folder is named by the ONNX file's sha256; the tokenizer's and the labels complete the key. */
function modelKey(inspector: Inspector): string {
  const onnx = path.basename(path.dirname(inspector.info.tappedPath));
  let tokenizer = '';
  try {
    tokenizer = createHash('sha256').update(fs.readFileSync(path.join(inspector.model.path, 'tokenizer.json'))).digest('hex');
  } catch {
    // the model loaded, so its tokenizer.json was readable a moment ago; a vanished file only weakens the key
  }
  return [onnx, tokenizer, inspector.model.labels.join(','), inspector.model.problemType].join('|');
}
