// Which requests the worker has been asked to cancel. A cancel can arrive after its request has finished (the
// caller aborts while the result is in flight, or disposes with requests pending); remembering those ids would
// grow the set for as long as the worker lives. Only ids of requests still queued or running are kept, and each
// is forgotten when its request ends, so the set never holds more than the requests in flight.

/** Requests in flight and the cancelled subset of them. */
export class CancelTracker {
  private readonly inFlight = new Set<number>();
  private readonly cancelled = new Set<number>();

  /** A request was received (queued). */
  start(id: number): void {
    this.inFlight.add(id);
  }

  /** A cancel message; ignored for a request that already ended or was never seen. */
  cancel(id: number): void {
    if (this.inFlight.has(id)) this.cancelled.add(id);
  }

  isCancelled(id: number): boolean {
    return this.cancelled.has(id);
  }

  /** The request ended (result, error or cancellation). */
  finish(id: number): void {
    this.inFlight.delete(id);
    this.cancelled.delete(id);
  }

  /** Ids remembered, for tests: never more than the requests in flight. */
  get size(): number {
    return this.inFlight.size + this.cancelled.size;
  }
}
