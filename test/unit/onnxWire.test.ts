// The wire-format reader/writer under the taps: varints (including ten-byte negative int64), bounds
// checks, positional file reads equal to in-memory reads, and merging of repeated graph records.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { indexModel } from '../../src/core/onnx/graphIndex';
import { readFloats } from '../../src/core/onnx/tensorValues';
import {
  BufferSource,
  FileSource,
  WireError,
  encodeVarint,
  fieldBytes,
  fieldMessage,
  fieldVarint,
  forEachField,
  readVarint,
} from '../../src/core/onnx/wire';

const FIXTURE = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'test',
  'fixtures',
  'models',
  'tiny-distilbert-o17-gemm',
  'onnx',
  'model.onnx',
);

describe('wire format', () => {
  it('round-trips varints, negatives as ten-byte two’s complement', () => {
    const cases: bigint[] = [
      0n,
      1n,
      127n,
      128n,
      300n,
      2n ** 28n - 1n,
      2n ** 28n,
      2n ** 35n + 5n,
      2n ** 53n - 1n,
      2n ** 63n - 1n,
      -1n,
      -(2n ** 63n),
    ];
    for (const v of cases) {
      const buf = encodeVarint(v);
      if (v < 0n) assert.equal(buf.length, 10);
      const got = readVarint(new BufferSource(buf), 0, buf.length);
      assert.equal(got.value, v);
      assert.equal(got.next, buf.length);
    }
    assert.deepEqual([...encodeVarint(300)], [0xac, 0x02]);
  });

  it('walks fields, skipping unknown ones, and rejects overruns', () => {
    const msg = Buffer.concat([fieldVarint(1, 150), fieldBytes(99, 'unknown payload'), fieldBytes(2, 'name')]);
    const seen: number[] = [];
    forEachField(new BufferSource(msg), 0, msg.length, (f) => seen.push(f.no));
    assert.deepEqual(seen, [1, 99, 2]);
    const cut = msg.subarray(0, msg.length - 2);
    assert.throws(() => forEachField(new BufferSource(cut), 0, cut.length, () => undefined), WireError);
    assert.throws(() => forEachField(new BufferSource(Buffer.from([0x0b])), 0, 1, () => undefined), WireError); // wire type 3
  });

  it('reads a file positionally exactly as from memory, even through a tiny window', () => {
    const fromMemory = indexModel(new BufferSource(fs.readFileSync(FIXTURE)));
    const fd = fs.openSync(FIXTURE, 'r');
    try {
      const src = new FileSource(fd, 16);
      const fromFile = indexModel(src);
      assert.deepEqual(
        fromFile.nodes.map((n) => [n.opType, n.name, n.inputs, n.outputs, [...n.attrs.keys()]]),
        fromMemory.nodes.map((n) => [n.opType, n.name, n.inputs, n.outputs, [...n.attrs.keys()]]),
      );
      assert.deepEqual([...fromFile.initializers.values()], [...fromMemory.initializers.values()]);
      assert.deepEqual(fromFile.inputs, ['input_ids', 'attention_mask']);
      assert.deepEqual(fromFile.outputs, ['logits']);
      assert.equal(fromFile.opsets.get(''), 17);
      const w = fromFile.initializers.get('classifier.weight')!;
      assert.deepEqual(readFloats(src, w), readFloats(fromMemory.src, w));
    } finally {
      fs.closeSync(fd);
    }
  });

  it('merges a second graph record the way protobuf does: repeated fields append', () => {
    const original = fs.readFileSync(FIXTURE);
    const before = indexModel(new BufferSource(original));
    const node = fieldMessage(1, [
      fieldBytes(1, 'logits'),
      fieldBytes(2, 'extra'),
      fieldBytes(3, 'x'),
      fieldBytes(4, 'Identity'),
    ]);
    const output = fieldMessage(12, [fieldBytes(1, 'extra')]);
    const merged = indexModel(
      new BufferSource(Buffer.concat([original, fieldBytes(7, Buffer.concat([node, output]))])),
    );
    assert.equal(merged.nodes.length, before.nodes.length + 1);
    assert.deepEqual(merged.outputs, ['logits', 'extra']);
    assert.equal(merged.producer.get('extra')?.opType, 'Identity');
    assert.equal(merged.consumers.get('logits')?.length, 1);
  });
});
