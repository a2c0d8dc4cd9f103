// Side-by-side single-thread sessions for a dynamically quantized (int8) graph. Such a graph runs one sequence per
// ONNX call (its activation scales are taken over the whole batch), and one 2-thread session leaves cores idle in
// its serial parts (quantizing activations, softmax) and wakes its pool for every op; two 1-thread sessions, each
// on its own sequence, keep both cores busy. On 2 idle cores (bench/concurrency.ts, three runs) 64-token calls ran
// 1.34-1.43x faster side by side and 512-token calls 1.09-1.26x; at load 22-25 (an earlier run) 64-token calls were
// 0.83x. A file's long windows and occlusion's and the explanations' passes use them. Each lane is a worker thread
// with its own session of the same graph (about 200 MB each for a full-size int8 model), opened on first use and
// closed after a minute without use. A result does not depend on which session computed it (test/unit/lanes.test.ts).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { InspectorError } from '../errors';

/** Int64 feeds of one call, by input name. */
export type LaneFeeds = Record<string, { data: BigInt64Array; dims: readonly number[] }>;
/** Float outputs of one call, by output name. */
export type LaneOutputs = Record<string, { data: Float32Array; dims: readonly number[] }>;

/** Messages to a lane. */
export type ToLane = { type: 'run'; id: number; feeds: LaneFeeds; fetches: string[] } | { type: 'close' };
/** Messages from a lane. */
export type FromLane =
  | { type: 'ready' }
  | { type: 'result'; id: number; outputs: LaneOutputs }
  | { type: 'error'; id: number; message: string };

/** A file's windows go to lanes when one is at least this long (short files gain little and pay for the opening). */
export const LANE_MIN_TOKENS = 256;
/** A run needs at least this many calls to use lanes: opening them costs about a session load. */
export const LANE_MIN_WINDOWS = 4;
/** Passes (occlusion, explanations) open the lanes when they read at least this many tokens in all (a 64-token
 * text's occlusion reads ~3,500); fewer run on the session unless the lanes are open already. */
export const LANE_MIN_PASS_TOKENS = 2048;
const IDLE_CLOSE_MS = 60_000;

interface Lane {
  worker: Worker;
  pending: Map<number, { resolve(o: LaneOutputs): void; reject(e: Error): void }>;
}

export class Lanes {
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private free: Lane[];
  private waiting: ((lane: Lane) => void)[] = [];

  private constructor(
    private readonly lanes: Lane[],
    private readonly onIdle: () => void,
  ) {
    this.free = [...lanes];
  }

  get count(): number {
    return this.lanes.length;
  }

  /** Opens `count` lanes on `file` (the tapped graph); `onIdle` runs when they are about to close after a minute unused. */
  static async open(file: string, count: number, onIdle: () => void): Promise<Lanes> {
    const started = await Promise.allSettled(Array.from({ length: count }, () => startLane(file)));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      // No lane thread may outlive a failed opening: it would keep the process alive for nothing.
      for (const r of started) if (r.status === 'fulfilled') void r.value.worker.terminate();
      throw failed.reason;
    }
    return new Lanes(
      started.map((r) => (r as PromiseFulfilledResult<Lane>).value),
      onIdle,
    );
  }

  /** One ONNX call on the next free lane. */
  async run(feeds: LaneFeeds, fetches: string[]): Promise<LaneOutputs> {
    clearTimeout(this.idleTimer);
    const lane = this.free.pop() ?? (await new Promise<Lane>((r) => this.waiting.push(r)));
    const id = this.nextId++;
    try {
      return await new Promise<LaneOutputs>((resolve, reject) => {
        lane.pending.set(id, { resolve, reject });
        lane.worker.ref();
        lane.worker.postMessage({ type: 'run', id, feeds, fetches } satisfies ToLane);
      });
    } finally {
      lane.worker.unref();
      lane.pending.delete(id);
      const next = this.waiting.shift();
      if (next) next(lane);
      else this.free.push(lane);
      // Forgotten first (the next run opens new lanes), then closed.
      if (this.free.length === this.lanes.length)
        this.idleTimer = setTimeout(() => (this.onIdle(), void this.close()), IDLE_CLOSE_MS).unref();
    }
  }

  /**
   * `fn` on every item, as many at a time as there are lanes, each lane taking the next item when it is free. The
   * first failure (or cancel) stops the others; all settle before it is thrown, so nothing of this run still
   * arrives when the next request starts.
   */
  async each<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    let stop = false;
    const lane = async () => {
      while (!stop && next < items.length)
        await fn(items[next++]!).catch((err: unknown) => ((stop = true), Promise.reject(err)));
    };
    const failed = (await Promise.allSettled(Array.from({ length: this.count }, lane))).find(
      (r) => r.status === 'rejected',
    );
    if (failed) throw failed.reason;
  }

  /** Releases every lane's session and ends its thread. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    await Promise.all(
      this.lanes.map(
        (l) =>
          new Promise<void>((resolve) => {
            l.worker.once('exit', () => resolve());
            l.worker.ref();
            l.worker.postMessage({ type: 'close' } satisfies ToLane);
          }),
      ),
    );
  }
}

/** Lanes on one file, opened on first use, forgotten when they close after idling or fail to open. */
export class LaneSlot {
  private lanes: Promise<Lanes> | undefined;

  constructor(
    readonly file: string,
    private readonly count: number,
  ) {}

  get isOpen(): boolean {
    return this.lanes !== undefined;
  }

  /** The open lanes; undefined when they fail to open (the run then stays on a session). */
  open(): Promise<Lanes | undefined> {
    this.lanes ??= Lanes.open(this.file, this.count, () => (this.lanes = undefined));
    this.lanes.catch(() => (this.lanes = undefined));
    return this.lanes.catch(() => undefined);
  }

  async close(): Promise<void> {
    const lanes = await this.lanes?.catch(() => undefined);
    this.lanes = undefined;
    await lanes?.close();
  }
}

function startLane(file: string): Promise<Lane> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'laneWorker.js'), { workerData: { file } });
    const lane: Lane = { worker, pending: new Map() };
    const fail = (message: string) => {
      const err = new InspectorError(
        'INFERENCE_FAILED',
        `ONNX Runtime failed: ${message}`,
        'See the log; try a shorter window.',
      );
      for (const p of lane.pending.values()) p.reject(err);
      lane.pending.clear();
      reject(err);
      void worker.terminate();
    };
    worker.on('message', (msg: FromLane) => {
      // From here on an idle lane never keeps its thread alive; a call or a close in flight does (run, close).
      if (msg.type === 'ready') {
        resolve(lane);
        worker.unref();
      } else if (msg.type === 'result') lane.pending.get(msg.id)?.resolve(msg.outputs);
      else if (msg.id === 0) fail(msg.message);
      else
        lane.pending
          .get(msg.id)
          ?.reject(
            new InspectorError(
              'INFERENCE_FAILED',
              `ONNX Runtime failed: ${msg.message}`,
              'See the log; try a shorter window.',
            ),
          );
    });
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => {
      if (lane.pending.size > 0) fail(`a lane thread ended (exit code ${code})`);
    });
  });
}
