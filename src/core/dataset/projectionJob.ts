// Runs one projection in its own worker thread (projectionWorker.js beside this file under tsc and webpack),
// cancellable (the thread is terminated), and keeps the result beside the run's vectors so a reopened dataset
// shows a UMAP it already computed at once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { InspectorError } from '../errors';
import type { ProjectionMethod, ProjectionSource, SourceShape } from './projectionSources';
import type { ProjectReply, ProjectRequest } from './projectionWorker';
import { keepJson } from './resultCache';

/** 2-D coordinates of every example from one source and method. */
export interface ProjectionResult {
  source: ProjectionSource;
  method: ProjectionMethod;
  x: number[];
  y: number[];
  /** PCA only: the variance share of each axis. */
  explained: [number, number] | null;
  seed: number;
  ms: number;
}

/** Progress of a projection: what it is doing, and how far (done of total; total 1 for a step without steps). */
export type ProjectionProgress = (phase: string, done: number, total: number) => void;

/** The seed of every UMAP the panel draws: one dataset, one picture. */
export const PROJECTION_SEED = 42;

export async function project(
  run: SourceShape,
  source: ProjectionSource,
  method: ProjectionMethod,
  opts: { seed?: number; signal?: AbortSignal; onProgress?: ProjectionProgress; workerPath?: string } = {},
): Promise<ProjectionResult> {
  const seed = opts.seed ?? PROJECTION_SEED;
  const file = path.join(run.cacheDir, `projection-v1-${source}-${method}-${seed}.json`);
  try {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as ProjectionResult;
    if (cached.x.length === run.count) return cached;
  } catch {
    // not computed yet
  }
  const t0 = performance.now();
  const req: ProjectRequest = {
    cacheDir: run.cacheDir,
    count: run.count,
    dim: run.dim,
    nLayers: run.nLayers,
    source,
    method,
    seed,
  };
  const out = await inWorker(
    opts.workerPath ?? path.join(__dirname, 'projectionWorker.js'),
    req,
    opts.signal,
    opts.onProgress,
  );
  const result: ProjectionResult = {
    source,
    method,
    x: out.x,
    y: out.y,
    explained: out.explained,
    seed,
    ms: performance.now() - t0,
  };
  await keepJson(file, result);
  return result;
}

function inWorker(
  workerPath: string,
  req: ProjectRequest,
  signal: AbortSignal | undefined,
  onProgress: ProjectionProgress | undefined,
): Promise<Extract<ProjectReply, { type: 'done' }>> {
  const cancelled = () => new InspectorError('CANCELLED', 'The projection was cancelled.', '');
  if (signal?.aborted) return Promise.reject(cancelled());
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerPath);
    const stop = () => {
      void worker.terminate();
      reject(cancelled());
    };
    signal?.addEventListener('abort', stop, { once: true });
    const finish = () => {
      signal?.removeEventListener('abort', stop);
      void worker.terminate();
    };
    worker.on('message', (m: ProjectReply) => {
      if (m.type === 'progress') onProgress?.(m.phase, m.done, m.total);
      else {
        finish();
        if (m.type === 'done') resolve(m);
        else reject(new InspectorError('INFERENCE_FAILED', `The projection failed: ${m.message}`, 'See the log.'));
      }
    });
    worker.once('error', (err) => {
      finish();
      reject(
        new InspectorError(
          'WORKER_FAILED',
          `The projection's worker crashed: ${err.message}`,
          'Run it again; see the log.',
        ),
      );
    });
    worker.postMessage(req);
  });
}
