// Live inspection's scheduling, apart from the editor so it can be tested with a fake clock:
// - debounced: a job starts only after `debounceMs` without a newer request;
// - newest wins: a request replaces the job waiting for its turn (there is at most one);
// - stale runs cancelled: a request aborts the run in flight (its result would describe old text), unless it
//   asks for the very job that is running (e.g. the cursor moved within the same paragraph);
// - never more than one run in flight: a job whose debounce ends while a run is still settling waits for it.

/** Timers, injectable so tests control time. */
export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** What the scheduler is doing: nothing, counting down to a run, or running one (possibly with one waiting). */
export type SchedulerPhase = 'idle' | 'waiting' | 'running';

export interface SchedulerOptions<T> {
  /** Read on every request, so a settings change applies to the next keystroke. */
  debounceMs: () => number;
  /** Runs one job; must settle soon after `signal` aborts. Its rejection is reported through onError. */
  run: (job: T, signal: AbortSignal) => Promise<void>;
  /** True when two jobs would compute the same thing (then a request does not abort the running one). */
  same?: (a: T, b: T) => boolean;
  onPhase?: (phase: SchedulerPhase) => void;
  onError?: (err: unknown, job: T) => void;
  clock?: Clock;
}

export class LiveScheduler<T> {
  private timer: unknown;
  private pending: T | undefined;
  private hasPending = false;
  private inFlight: { job: T; controller: AbortController } | undefined;
  private disposed = false;
  /** Runs started and not yet settled (aborted ones included): what "in flight" means. */
  private active = 0;
  /** Counters for tests and the log: runs started, and the most ever in flight at once (should stay 1). */
  readonly stats = { started: 0, aborted: 0, peakInFlight: 0 };
  private readonly clock: Clock;

  constructor(private readonly opts: SchedulerOptions<T>) {
    this.clock = opts.clock ?? realClock;
  }

  get phase(): SchedulerPhase {
    if (this.inFlight) return 'running';
    return this.hasPending ? 'waiting' : 'idle';
  }

  /** Asks for `job` to run once things have been quiet for debounceMs. */
  request(job: T): void {
    if (this.disposed) return;
    if (this.inFlight && this.opts.same?.(this.inFlight.job, job)) {
      // The run in flight already computes this; forget anything newer that was waiting.
      this.clearTimer();
      this.hasPending = false;
      this.pending = undefined;
      this.emit();
      return;
    }
    this.abortInFlight();
    this.pending = job;
    this.hasPending = true;
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => this.due(), Math.max(0, this.opts.debounceMs()));
    this.emit();
  }

  /** Drops the waiting job and aborts the running one (live switched off, panel closed). */
  cancel(): void {
    this.clearTimer();
    this.hasPending = false;
    this.pending = undefined;
    this.abortInFlight();
    this.emit();
  }

  dispose(): void {
    this.cancel();
    this.disposed = true;
  }

  private due(): void {
    this.timer = undefined;
    // A run still settling (aborted, or the same job) finishes first; start() picks this job up then.
    if (!this.inFlight) this.startPending();
  }

  private startPending(): void {
    if (!this.hasPending || this.disposed || this.inFlight) return;
    const job = this.pending as T;
    this.hasPending = false;
    this.pending = undefined;
    const controller = new AbortController();
    const mine = { job, controller };
    this.inFlight = mine;
    this.stats.started++;
    this.active++;
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.active);
    this.emit();
    let settled: Promise<void>;
    try {
      settled = Promise.resolve(this.opts.run(job, controller.signal));
    } catch (err) {
      settled = Promise.reject(err);
    }
    settled
      .catch((err: unknown) => {
        if (!controller.signal.aborted) this.opts.onError?.(err, job);
      })
      .finally(() => {
        this.active--;
        if (this.inFlight === mine) this.inFlight = undefined;
        // The next job waits for its own debounce if it is still counting down.
        if (this.timer === undefined) this.startPending();
        this.emit();
      });
  }

  private abortInFlight(): void {
    if (!this.inFlight || this.inFlight.controller.signal.aborted) return;
    this.inFlight.controller.abort();
    this.stats.aborted++;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(): void {
    this.opts.onPhase?.(this.phase);
  }
}
