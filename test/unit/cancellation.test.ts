// The worker's cancelled-request bookkeeping stays bounded: cancels that arrive after their request ended
// (an abort racing the result, a dispose with requests pending) are not remembered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelTracker } from '../../src/core/engine/cancellation';

describe('worker cancellation bookkeeping', () => {
  it('cancels a request in flight and forgets it when it ends', () => {
    const t = new CancelTracker();
    t.start(1);
    t.start(2);
    t.cancel(2);
    assert.equal(t.isCancelled(1), false);
    assert.equal(t.isCancelled(2), true);
    t.finish(2);
    t.finish(1);
    assert.equal(t.size, 0);
  });

  it('ignores cancels that arrive after the result, however many', () => {
    const t = new CancelTracker();
    for (let id = 1; id <= 10_000; id++) {
      t.start(id);
      t.finish(id);
      t.cancel(id); // the caller aborted while the result was on its way back
    }
    t.cancel(99_999); // an id the worker never saw
    assert.equal(t.size, 0);
    assert.equal(t.isCancelled(10_000), false);
  });
});
