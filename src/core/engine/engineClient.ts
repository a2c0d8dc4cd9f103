// The caller's side of the inference worker: request ids, promises, cancellation, and a clean failure when
// the worker dies (every pending request is rejected; the next load starts a fresh worker).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { InspectorError } from '../errors';
import type { AttentionResult } from '../attribution/attention';
import type { AttributionResult } from '../attribution/explain';
import type { OcclusionResult } from '../attribution/occlusion';
import type { Inspection, WindowResult } from '../types';
import { unpackWindow } from './packing';
import type {
  AttentionRequest,
  ClassifyManyRequest,
  ExplainRequest,
  FromWorker,
  InspectRequest,
  LoadInfo,
  LoadRequest,
  OccludeRequest,
  RowBlock,
  ToWorker,
} from './messages';
import { disableOrtTelemetry } from './ortRuntime';

interface Pending {
  /** Windows of an inspection, arriving one message each before the result. */
  windows: WindowResult[];
  resolve(value: unknown): void;
  reject(err: InspectorError): void;
  onProgress?: (done: number, total: number) => void;
}

/** Where the compiled worker lives: next to this file under tsc (out/) and under webpack (dist/). */
export function defaultWorkerPath(): string {
  return path.join(__dirname, 'worker.js');
}

export class EngineClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  constructor(private readonly workerPath = defaultWorkerPath()) {}

  load(req: LoadRequest): Promise<LoadInfo> {
    return this.request<LoadInfo>({ type: 'load', ...req });
  }

  inspect(
    req: InspectRequest,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<Inspection> {
    return this.request<Inspection>({ type: 'inspect', ...req }, signal, onProgress);
  }

  /** Occlusion of one window; progress counts forward passes. */
  occlude(
    req: OccludeRequest,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<OcclusionResult> {
    return this.request<OcclusionResult>({ type: 'occlude', ...req }, signal, onProgress);
  }

  /** Attention probabilities of the text's windows (a second, attention-tapped session; opened on first use). */
  attention(
    req: AttentionRequest,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<AttentionResult> {
    return this.request<AttentionResult>({ type: 'attention', ...req }, signal, onProgress);
  }

  /** One attribution (occlusion, SHAP or rollout) of the first window; progress counts forward passes. */
  explain(
    req: ExplainRequest,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<AttributionResult> {
    return this.request<AttributionResult>({ type: 'explain', ...req }, signal, onProgress);
  }

  /** Dataset mode: one chunk of texts; progress counts texts. */
  classifyMany(
    req: ClassifyManyRequest,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<RowBlock> {
    return this.request<RowBlock>({ type: 'classifyMany', ...req }, signal, onProgress);
  }

  /** Cancels what is pending, lets the worker release its session and end; terminates it if it does not. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const w = this.worker;
    this.worker = undefined;
    // Pending requests are what the worker may still be working on: cancel them before failing them here.
    for (const id of this.pending.keys()) w?.postMessage({ type: 'cancel', id } satisfies ToWorker);
    this.failAll(new InspectorError('DISPOSED', 'The model was unloaded.', ''));
    if (!w) return;
    w.ref(); // keep the process alive until the worker has really ended
    const ended = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), DISPOSE_GRACE_MS);
      w.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    w.postMessage({ type: 'dispose' } satisfies ToWorker);
    if (!(await ended)) {
      // Still busy in native code after the grace period: stop it, but never let dispose hang on it.
      w.unref();
      void w.terminate();
    }
  }

  private request<T>(
    msg: { type: 'load' | 'inspect' | 'occlude' | 'attention' | 'explain' | 'classifyMany' } & Record<string, unknown>,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<T> {
    // Already cancelled: no worker is started or asked.
    if (signal?.aborted) return Promise.reject(cancelled());
    if (this.disposed)
      return Promise.reject(new InspectorError('DISPOSED', 'The model was unloaded.', 'Open it again.'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
        this.settle(id);
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        windows: [],
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v as T);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
        onProgress,
      });
      worker.ref();
      worker.postMessage({ ...msg, id } as ToWorker);
    });
  }

  /** An idle worker must not keep a CLI process alive; a pending request must. */
  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // The worker's environment is copied from this thread's, and only this thread can set the real one that
    // ONNX Runtime's native code reads: telemetry goes off here, before the binding loads anywhere.
    disableOrtTelemetry();
    const worker = new Worker(this.workerPath);
    worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    worker.on('error', (err) => this.onDeath(worker, `the inference worker crashed: ${err.message}`));
    worker.on('exit', (code) => this.onDeath(worker, `the inference worker exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private onMessage(msg: FromWorker): void {
    const p = this.pending.get(msg.id);
    if (!p) return; // cancelled or already failed
    switch (msg.type) {
      case 'progress':
        p.onProgress?.(msg.done, msg.total);
        return;
      case 'loaded':
        this.settle(msg.id);
        p.resolve(msg.info);
        return;
      case 'window':
        p.windows[msg.index] = unpackWindow(msg.window);
        return;
      case 'result':
        this.settle(msg.id);
        p.resolve({ ...msg.inspection, windows: p.windows });
        return;
      case 'occlusion':
        this.settle(msg.id);
        p.resolve(msg.occlusion);
        return;
      case 'attention':
        this.settle(msg.id);
        p.resolve(msg.attention);
        return;
      case 'explanation':
        this.settle(msg.id);
        p.resolve(msg.explanation);
        return;
      case 'rows':
        this.settle(msg.id);
        p.resolve(msg.rows);
        return;
      case 'error': {
        this.settle(msg.id);
        const e = new InspectorError(
          msg.error.code as InspectorError['code'],
          msg.error.message,
          msg.error.hint,
          msg.error.hints,
        );
        if (msg.error.stack) e.stack = msg.error.stack;
        p.reject(e);
        return;
      }
      default: {
        const never: never = msg;
        throw new Error(`unknown worker message ${JSON.stringify(never)}`);
      }
    }
  }

  private onDeath(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(
      new InspectorError(
        'WORKER_FAILED',
        `Inference stopped: ${why}.`,
        'Run the command again; see the log for details.',
      ),
    );
  }

  private failAll(err: InspectorError): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** How long a disposing worker may take to release its session and end by itself. */
const DISPOSE_GRACE_MS = 3000;

function cancelled(): InspectorError {
  return new InspectorError('CANCELLED', 'The inspection was cancelled.', '');
}
