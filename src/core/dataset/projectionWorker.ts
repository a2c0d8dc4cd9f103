// A worker thread for one projection (PCA or UMAP of one source): tens of seconds of CPU for UMAP on a large
// dataset, reported as it goes; the caller cancels by terminating the thread.
import { parentPort } from 'node:worker_threads';
import { pca2 } from './projection';
import { sourceRows, type ProjectionMethod, type ProjectionSource, type SourceShape } from './projectionSources';
import { umap2 } from './umap';

const port = parentPort;
if (!port) throw new Error('projectionWorker.js must run as a worker thread');

/** What the caller sends: which rows (read here from the cache files), which method, the seed. */
export interface ProjectRequest extends SourceShape {
  source: ProjectionSource;
  method: ProjectionMethod;
  seed: number;
}

/** What comes back: progress while working, then the coordinates or an error. */
export type ProjectReply =
  | { type: 'progress'; phase: 'reading' | 'neighbours' | 'layout' | 'pca'; done: number; total: number }
  | { type: 'done'; x: number[]; y: number[]; explained: [number, number] | null }
  | { type: 'error'; message: string };

const post = (m: ProjectReply) => port.postMessage(m);

port.once('message', (req: ProjectRequest) => {
  try {
    post({ type: 'progress', phase: 'reading', done: 0, total: 1 });
    const X = sourceRows(req, req.source);
    if (req.method === 'pca') {
      post({ type: 'progress', phase: 'pca', done: 0, total: 1 });
      const p = pca2(X, req.count, req.dim);
      post({ type: 'done', x: p.x, y: p.y, explained: p.explained });
    } else {
      const p = umap2(X, req.count, req.dim, {
        seed: req.seed,
        onProgress: (phase, done, total) => post({ type: 'progress', phase, done, total }),
      });
      post({ type: 'done', x: p.x, y: p.y, explained: null });
    }
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
