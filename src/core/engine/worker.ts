// The inference worker thread. ONNX Runtime's Node binding runs a model on the thread that calls it, so the
// model lives here and the caller (the VS Code extension host, the CLI) keeps a free event loop.
// Requests run one at a time in arrival order; a cancel message is seen between ONNX calls.
import { parentPort } from 'node:worker_threads';
import { InspectorError, toInspectorError } from '../errors';
import { CancelTracker } from './cancellation';
import type { FromWorker, ToWorker, WireError } from './messages';
import { runAttention, runExplain } from './explainRun';
import { ModelRuntime, type Checkpoint } from './modelRuntime';
import { runOcclusion } from './occlusionRun';
import { packWindow } from './packing';
import { lowerThisThreadPriority } from './workerPriority';

const port = parentPort;
if (!port) throw new Error('worker.js must run as a worker thread');

lowerThisThreadPriority();

let runtime: ModelRuntime | undefined;
const requests = new CancelTracker();
let queue: Promise<void> = Promise.resolve();

const post = (msg: FromWorker) => port.postMessage(msg);

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'cancel') {
    requests.cancel(msg.id);
    return;
  }
  if (msg.type === 'dispose') {
    // Release the native session on this thread before it ends, rather than having it torn down under a
    // terminate() while ONNX Runtime may still hold its threads.
    queue = queue.then(async () => {
      await runtime?.dispose();
      runtime = undefined;
      port.close();
    });
    return;
  }
  requests.start(msg.id);
  queue = queue.then(() => handle(msg)).catch(() => undefined);
});

/** Runs between ONNX calls: lets queued messages (a cancel) arrive, stops a cancelled request, reports progress. */
function checkpoint(id: number, what: string): Checkpoint {
  return async (done, total) => {
    await new Promise((r) => setImmediate(r));
    if (requests.isCancelled(id)) throw new InspectorError('CANCELLED', `The ${what} was cancelled.`, '');
    if (total > 1) post({ type: 'progress', id, done, total });
  };
}

async function handle(msg: Exclude<ToWorker, { type: 'cancel' | 'dispose' }>): Promise<void> {
  try {
    switch (msg.type) {
      case 'load': {
        const old = runtime;
        runtime = undefined;
        await old?.dispose();
        runtime = await ModelRuntime.load(msg);
        post({ type: 'loaded', id: msg.id, info: runtime.info });
        return;
      }
      case 'inspect': {
        if (!runtime) throw new InspectorError('DISPOSED', 'No model is loaded.', 'Load a model first.');
        const id = msg.id;
        const inspection = await runtime.inspect(msg, checkpoint(id, 'inspection'), (index, w) => {
          const { window, transfer } = packWindow(w);
          port!.postMessage({ type: 'window', id, index, window } satisfies FromWorker, transfer);
        });
        post({ type: 'result', id, inspection: { ...inspection, windows: [] } });
        return;
      }
      case 'occlude': {
        if (!runtime) throw new InspectorError('DISPOSED', 'No model is loaded.', 'Load a model first.');
        const id = msg.id;
        const occlusion = await runOcclusion(runtime, msg, checkpoint(id, 'occlusion'));
        post({ type: 'occlusion', id, occlusion });
        return;
      }
      case 'attention': {
        if (!runtime) throw new InspectorError('DISPOSED', 'No model is loaded.', 'Load a model first.');
        const attention = await runAttention(runtime, msg, checkpoint(msg.id, 'attention view'));
        // The matrices move, not copy: a 512-token window's full attention is tens of MB.
        const transfer = attention.windows.flatMap((w) => [
          w.cls.buffer,
          w.rollout.buffer,
          ...(w.full ? [w.full.buffer] : []),
        ]) as ArrayBuffer[];
        port!.postMessage({ type: 'attention', id: msg.id, attention } satisfies FromWorker, transfer);
        return;
      }
      case 'explain': {
        if (!runtime) throw new InspectorError('DISPOSED', 'No model is loaded.', 'Load a model first.');
        const explanation = await runExplain(runtime, msg, checkpoint(msg.id, 'explanation'));
        post({ type: 'explanation', id: msg.id, explanation });
        return;
      }
      case 'classifyMany': {
        if (!runtime) throw new InspectorError('DISPOSED', 'No model is loaded.', 'Load a model first.');
        const rows = await runtime.classifyMany(msg, checkpoint(msg.id, 'dataset run'));
        const transfer = [
          rows.logits.buffer,
          rows.cls.buffer,
          rows.pre.buffer,
          rows.act.buffer,
          rows.layers.buffer,
          rows.tokens.buffer,
          rows.truncated.buffer,
        ];
        port!.postMessage({ type: 'rows', id: msg.id, rows } satisfies FromWorker, transfer);
        return;
      }
      default: {
        const never: never = msg;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  } catch (err) {
    post({ type: 'error', id: msg.id, error: toWire(err) });
  } finally {
    requests.finish(msg.id);
  }
}

function toWire(err: unknown): WireError {
  const e = toInspectorError(err, 'INFERENCE_FAILED');
  return {
    code: e.code,
    message: e.message,
    hint: e.hint,
    ...(e.hints ? { hints: e.hints } : {}),
    stack: err instanceof Error ? err.stack : undefined,
  };
}
