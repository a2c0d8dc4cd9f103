// Live inspection's scheduler with a fake clock and hand-settled runs: debounce, newest wins, stale runs
// aborted, never two in flight, cancel. Also the paragraph rule for an empty selection.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { paragraphAt } from '../../src/core/live/liveRange';
import { LiveScheduler, type Clock, type SchedulerPhase } from '../../src/core/live/scheduler';

/** Timers that fire only when the test advances time. */
class FakeClock implements Clock {
  now = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.now + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
      await flush();
    }
    this.now = end;
    await flush();
  }
  get pendingTimers(): number {
    return this.timers.length;
  }
}

/** Lets settled promises run their callbacks. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** A run the test finishes by hand; it records its job, its abort, and how many runs overlapped it. */
interface Run {
  job: string;
  signal: AbortSignal;
  startedAt: number;
  finish(): void;
  fail(err: unknown): void;
}

function harness(debounceMs = 300, opts: { settleOnAbort?: boolean; same?: boolean } = {}) {
  const clock = new FakeClock();
  const runs: Run[] = [];
  const phases: SchedulerPhase[] = [];
  const errors: unknown[] = [];
  let active = 0;
  let peak = 0;
  const s = new LiveScheduler<string>({
    debounceMs: () => debounceMs,
    clock,
    same: opts.same ? (a, b) => a === b : undefined,
    onPhase: (p) => phases.push(p),
    onError: (err) => errors.push(err),
    run: (job, signal) =>
      new Promise<void>((resolve, reject) => {
        active++;
        peak = Math.max(peak, active);
        const done = (f: () => void) => () => {
          active--;
          f();
        };
        const run: Run = {
          job,
          signal,
          startedAt: clock.now,
          finish: done(resolve),
          fail: (e) => done(() => reject(e))(),
        };
        // A cooperative run (like the engine's) settles once it notices the abort; others keep going.
        if (opts.settleOnAbort !== false) signal.addEventListener('abort', () => run.fail(new Error('CANCELLED')));
        runs.push(run);
      }),
  });
  return { s, clock, runs, phases, errors, peak: () => peak };
}

describe('LiveScheduler', () => {
  test('debounce: a burst of requests runs once, debounceMs after the last one, with the newest job', async () => {
    const { s, clock, runs } = harness(300);
    s.request('a');
    await clock.advance(100);
    s.request('b');
    await clock.advance(299);
    assert.equal(runs.length, 0, 'nothing runs while requests keep coming');
    assert.equal(s.phase, 'waiting');
    s.request('c');
    await clock.advance(299);
    assert.equal(runs.length, 0);
    await clock.advance(1);
    assert.deepEqual(
      runs.map((r) => [r.job, r.startedAt]),
      [['c', 699]],
    );
    assert.equal(s.phase, 'running');
    runs[0]!.finish();
    await flush();
    assert.equal(s.phase, 'idle');
    assert.equal(s.stats.started, 1);
  });

  test('a request during a run aborts it (stale), and the newest job runs after its own debounce', async () => {
    const { s, clock, runs, peak } = harness(300);
    s.request('a');
    await clock.advance(300);
    assert.equal(runs.length, 1);
    s.request('b');
    assert.equal(runs[0]!.signal.aborted, true, 'the stale run is aborted at once');
    await flush();
    s.request('c');
    await clock.advance(300);
    assert.deepEqual(
      runs.map((r) => r.job),
      ['a', 'c'],
      '"b" was replaced by "c" before its turn',
    );
    assert.equal(runs[1]!.startedAt, 600, 'debounceMs after the last request (at 300)');
    runs[1]!.finish();
    await flush();
    assert.equal(peak(), 1);
    assert.equal(s.stats.peakInFlight, 1);
    assert.equal(s.stats.aborted, 1);
  });

  test('never two in flight: a run that ignores its abort delays the next one until it settles', async () => {
    const { s, clock, runs, peak } = harness(100, { settleOnAbort: false });
    s.request('a');
    await clock.advance(100);
    s.request('b');
    assert.equal(runs[0]!.signal.aborted, true);
    await clock.advance(1000);
    assert.equal(runs.length, 1, '"b" waits: "a" has not settled');
    assert.equal(s.phase, 'running');
    s.request('c'); // newest wins while waiting
    await clock.advance(100);
    assert.equal(runs.length, 1);
    runs[0]!.finish(); // "a" finally settles; "c" is due, so it starts right away
    await flush();
    assert.deepEqual(
      runs.map((r) => r.job),
      ['a', 'c'],
    );
    assert.equal(runs[1]!.signal.aborted, false);
    runs[1]!.finish();
    await flush();
    assert.equal(peak(), 1);
    assert.equal(s.stats.peakInFlight, 1);
    assert.equal(s.phase, 'idle');
  });

  test('a job still in its debounce when the run settles waits for the debounce', async () => {
    const { s, clock, runs } = harness(300, { settleOnAbort: false });
    s.request('a');
    await clock.advance(300);
    s.request('b');
    await clock.advance(50);
    runs[0]!.finish();
    await flush();
    assert.equal(runs.length, 1, '"b" still has 250 ms of quiet to wait');
    await clock.advance(250);
    assert.deepEqual(
      runs.map((r) => [r.job, r.startedAt]),
      [
        ['a', 300],
        ['b', 600],
      ],
    );
  });

  test('asking again for the running job keeps it running and drops what was waiting', async () => {
    const { s, clock, runs } = harness(300, { same: true });
    s.request('a');
    await clock.advance(300);
    s.request('a'); // e.g. the cursor moved inside the same paragraph
    assert.equal(runs[0]!.signal.aborted, false);
    assert.equal(clock.pendingTimers, 0);
    runs[0]!.finish();
    await flush();
    assert.equal(runs.length, 1);
    assert.equal(s.phase, 'idle');
  });

  test('cancel drops the waiting job and aborts the run; dispose stops everything', async () => {
    const { s, clock, runs, errors } = harness(300);
    s.request('a');
    await clock.advance(300);
    s.request('b');
    s.cancel();
    await clock.advance(1000);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.signal.aborted, true);
    assert.equal(s.phase, 'idle');
    assert.deepEqual(errors, [], "an aborted run's rejection is not an error");
    s.dispose();
    s.request('c');
    await clock.advance(1000);
    assert.equal(runs.length, 1);
  });

  test('a failing run is reported once through onError and does not stop later runs', async () => {
    const { s, clock, runs, errors } = harness(0);
    s.request('a');
    await clock.advance(0);
    runs[0]!.fail(new Error('model folder missing'));
    await flush();
    assert.equal(errors.length, 1);
    s.request('b');
    await clock.advance(0);
    assert.deepEqual(
      runs.map((r) => r.job),
      ['a', 'b'],
    );
  });

  test('phases are reported as they change', async () => {
    const { s, clock, runs, phases } = harness(10);
    s.request('a');
    await clock.advance(10);
    runs[0]!.finish();
    await flush();
    assert.deepEqual([...new Set(phases)], ['waiting', 'running', 'idle']);
    assert.equal(phases[phases.length - 1], 'idle');
  });
});

describe('paragraphAt', () => {
  const lines = ['# Title', '', 'one', 'two', 'three', '', '', 'four', ''];
  const blank = (i: number): boolean => lines[i]!.trim() === '';
  test('the block of non-blank lines around the cursor', () => {
    assert.deepEqual(paragraphAt(3, lines.length, blank), { first: 2, last: 4 });
    assert.deepEqual(paragraphAt(2, lines.length, blank), { first: 2, last: 4 });
    assert.deepEqual(paragraphAt(0, lines.length, blank), { first: 0, last: 0 });
    assert.deepEqual(paragraphAt(7, lines.length, blank), { first: 7, last: 7 });
  });
  test('a blank line or a line outside the document has no paragraph', () => {
    assert.equal(paragraphAt(1, lines.length, blank), undefined);
    assert.equal(paragraphAt(8, lines.length, blank), undefined);
    assert.equal(paragraphAt(-1, lines.length, blank), undefined);
    assert.equal(paragraphAt(9, lines.length, blank), undefined);
  });
});
