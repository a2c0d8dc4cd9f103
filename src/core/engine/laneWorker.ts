// One lane of engine/lanes.ts: a worker thread (started by the inference worker, so it inherits its lower
// priority on Linux) holding a single-thread session of the tapped graph, running one sequence per message.
import { parentPort, workerData } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import { engineSessionOptions, loadOrt } from './ortRuntime';
import type { FromLane, LaneOutputs, ToLane } from './lanes';

const port = parentPort;
if (!port) throw new Error('laneWorker.js must run as a worker thread');

const ort = loadOrt();
const opened: Promise<Ort.InferenceSession> = ort.InferenceSession.create(
  (workerData as { file: string }).file,
  engineSessionOptions(1),
);
opened.then(
  () => port.postMessage({ type: 'ready' } satisfies FromLane),
  (err: unknown) => port.postMessage({ type: 'error', id: 0, message: (err as Error).message } satisfies FromLane),
);

port.on('message', (msg: ToLane) => {
  void opened.then(async (session) => {
    if (msg.type === 'close') {
      await session.release();
      port.close();
      return;
    }
    try {
      const feeds: Record<string, Ort.Tensor> = {};
      for (const [name, f] of Object.entries(msg.feeds)) feeds[name] = new ort.Tensor('int64', f.data, f.dims);
      const out = await session.run(feeds, msg.fetches);
      const outputs: LaneOutputs = {};
      const transfer: ArrayBuffer[] = [];
      for (const name of msg.fetches) {
        // A copy the thread owns, so it can be transferred rather than cloned.
        const data = (out[name]!.data as Float32Array).slice();
        outputs[name] = { data, dims: out[name]!.dims };
        transfer.push(data.buffer);
      }
      port.postMessage({ type: 'result', id: msg.id, outputs } satisfies FromLane, transfer);
    } catch (err) {
      port.postMessage({ type: 'error', id: msg.id, message: (err as Error).message } satisfies FromLane);
    }
  });
});
