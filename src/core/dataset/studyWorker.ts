// A short-lived worker thread for the dataset's heavy pure arithmetic (the head study's probe fits and the PCA):
// seconds of CPU on a large dataset that must not run on the caller's thread (the extension host's event loop).
import { parentPort } from 'node:worker_threads';
import { headStudy, type StudyInput } from './headStudy';
import { pca2 } from './projection';
import { readArray, readBlockRows } from './resultCache';

const port = parentPort;
if (!port) throw new Error('studyWorker.js must run as a worker thread');

/** What the caller sends: the run's shape and cache folder (the vectors are read here, not cloned across). */
export interface StudyRequest {
  cacheDir: string;
  count: number;
  labels: string[];
  dim: number;
  nLayers: number;
  gold: Int32Array | null;
  study: boolean;
  projection: boolean;
}

port.once('message', (msg: StudyRequest) => {
  try {
    const count = msg.count;
    let block: Float32Array | undefined;
    const input: Omit<StudyInput, 'gold'> & { gold: Int32Array | null } = {
      count,
      labels: msg.labels,
      dim: msg.dim,
      nLayers: msg.nLayers,
      logits: readArray(msg.cacheDir, 'logits').subarray(0, count * msg.labels.length),
      cls: readArray(msg.cacheDir, 'cls').subarray(0, count * msg.dim),
      // One block at a time: the whole [row][block][dim] file would be the worker's largest allocation by far.
      layerAt: (l) =>
        readBlockRows(
          msg.cacheDir,
          'layers',
          count,
          msg.nLayers,
          msg.dim,
          l,
          (block ??= new Float32Array(count * msg.dim)),
        ),
      gold: msg.gold,
    };
    const study = msg.study && input.gold ? headStudy({ ...input, gold: input.gold }) : null;
    const projection = msg.projection ? pca2(input.cls, input.count, input.dim) : null;
    port.postMessage({ study, projection });
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
