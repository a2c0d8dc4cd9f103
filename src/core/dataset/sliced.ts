// Long pure loops that may run on the extension host's thread, written once as generators that yield after each
// small step (a row, a unit): run to the end at once (CLI, tests), or in slices of a few milliseconds with the
// event loop let through between them, so 10,000 full-size rows never block the editor for tens of ms.

/** A computation that yields between small steps and returns its result. */
export type Steps<T> = Generator<void, T, void>;

/** Runs the steps to the end without letting the event loop through. */
export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs the steps in slices of about `sliceMs` of wall time, with a setImmediate turn of the event loop between slices. */
export async function runSliced<T>(steps: Steps<T>, sliceMs = 4): Promise<T> {
  let t = performance.now();
  for (let k = 1; ; k++) {
    const r = steps.next();
    if (r.done) return r.value;
    // Reading the clock every 16 steps keeps its cost out of the per-row loops.
    if ((k & 15) === 0 && performance.now() - t > sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      t = performance.now();
    }
  }
}
