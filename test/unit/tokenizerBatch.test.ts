// padBatch: the row-major int64 layout ONNX Runtime expects, right padding, mask 1 on real tokens only.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { padBatch } from '../../src/core/tokenizer/textTokenizer';

describe('padBatch', () => {
  it('pads every row on the right to the longest, with a 1/0 attention mask', () => {
    const b = padBatch([{ ids: [2, 10, 11, 3] }, { ids: [2, 3] }, { ids: [2, 12, 3] }], 0);
    assert.equal(b.batch, 3);
    assert.equal(b.seqLen, 4);
    assert.deepEqual([...b.inputIds], [2n, 10n, 11n, 3n, 2n, 3n, 0n, 0n, 2n, 12n, 3n, 0n]);
    assert.deepEqual([...b.attentionMask], [1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n, 1n, 1n, 1n, 0n]);
  });
  it('uses the given pad id (not always 0)', () => {
    const b = padBatch([{ ids: [5] }, { ids: [5, 6, 7] }], 1);
    assert.deepEqual([...b.inputIds], [5n, 1n, 1n, 5n, 6n, 7n]);
    assert.deepEqual([...b.attentionMask], [1n, 0n, 0n, 1n, 1n, 1n]);
  });
  it('equal lengths need no padding; an empty batch is empty', () => {
    const b = padBatch([{ ids: [1, 2] }, { ids: [3, 4] }], 0);
    assert.deepEqual([...b.attentionMask], [1n, 1n, 1n, 1n]);
    const e = padBatch([], 0);
    assert.deepEqual([e.batch, e.seqLen, e.inputIds.length, e.attentionMask.length], [0, 0, 0, 0]);
  });
  it('rejects a bad pad id', () => {
    assert.throws(() => padBatch([{ ids: [1] }], -1), RangeError);
    assert.throws(() => padBatch([{ ids: [1] }], 0.5), RangeError);
  });
});
