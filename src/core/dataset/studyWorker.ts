// A short-lived worker thread for the dataset's heavy pure arithmetic (the head study's probe fits and the PCA):
// seconds of CPU on a large dataset that must not run on the caller's thread (the extension host's event loop).
import { parentPort } from 'node:worker_threads';
import { headStudy, type StudyInput } from './headStudy';
import { pca2 } from './projection';

const port = parentPort;
if (!port) throw new Error('studyWorker.js must run as a worker thread');

port.once('message', (msg: { input: StudyInput & { gold: Int32Array | null }; study: boolean; projection: boolean }) => {
  try {
    const { input } = msg;
    const study = msg.study && input.gold ? headStudy({ ...input, gold: input.gold }) : null;
    const projection = msg.projection ? pca2(input.cls, input.count, input.dim) : null;
    port.postMessage({ study, projection });
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
