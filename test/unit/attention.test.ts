// Attention taps against torch: the softmax output of every block's attention, recorded by
// test/fixtures/make_attention_reference.py from the torch model the fixture was exported from (tolerance 1e-5,
// attention.json's own). The tapped copy is also run on the padded batch directly (padded keys must weigh 0),
// and attention rollout is checked against a plain-loop reference written from the paper's definition (full
// seq x seq matrix products, not the one-row propagation the core uses).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, isolateHome, maxAbsDiff, tempDir } from './helpers';

isolateHome();
import * as ort from 'onnxruntime-node';
import { attentionJson, rollout } from '../../src/core/attribution/attention';
import { Inspector } from '../../src/core/inspector';
import { findAttentionSoftmax, prepareAttentionModel } from '../../src/core/onnx/attentionTaps';
import { indexModel } from '../../src/core/onnx/graphIndex';
import { BufferSource } from '../../src/core/onnx/wire';
import { prepareTappedModel } from '../../src/core/onnx/taps';

interface AttentionRef {
  tolerance: number;
  cases: { text: string; ids: number[]; attention: number[][][][] }[];
  batch: { inputIds: number[][]; attentionMask: number[][]; attention: number[][][][][] };
}

const NAMES = ['tiny-distilbert-o14-gemm', 'tiny-distilbert-o17-gemm'];
const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flatMap(flat) : [a as number]);

/** Rollout from the definition: A_l = (mean_h att_l + I) row-normalised; R = A_L ... A_1; R's row 0. */
function rolloutReference(att: number[][][][]): number[] {
  const n = att[0]![0]!.length;
  let r: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (const layer of att) {
    const a = Array.from({ length: n }, (_, i) => {
      const row = Array.from(
        { length: n },
        (_, j) => layer.reduce((s, h) => s + h[i]![j]!, 0) / layer.length + (i === j ? 1 : 0),
      );
      const sum = row.reduce((x, y) => x + y, 0);
      return row.map((x) => x / sum);
    });
    r = a.map((row) => Array.from({ length: n }, (_, j) => row.reduce((s, x, k) => s + x * r[k]![j]!, 0)));
  }
  return r[0]!;
}

for (const name of NAMES) {
  describe(`attention taps: ${name} vs torch`, () => {
    const dir = path.join(FIXTURES, name);
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'attention.json'), 'utf8')) as AttentionRef;
    const cache = tempDir('dbi-attention-');
    let inspector: Inspector;
    before(async () => {
      inspector = await Inspector.open({ modelDir: dir, cacheDir: cache, threads: 1 });
    });
    after(async () => {
      await inspector.dispose();
      fs.rmSync(cache, { recursive: true, force: true });
    });

    for (const [k, c] of ref.cases.entries()) {
      it(`case ${k}: every layer and head within ${ref.tolerance}; rows sum to 1; rollout = plain loop`, async () => {
        const res = await inspector.attention(c.text, { full: true });
        assert.equal(res.windows.length, 1);
        const w = res.windows[0]!;
        assert.deepEqual(
          w.tokens.map((t) => t.id),
          c.ids,
        );
        assert.equal(w.layers, c.attention.length);
        assert.equal(w.heads, c.attention[0]!.length);
        assert.ok(
          maxAbsDiff(w.full!, flat(c.attention)) <= ref.tolerance,
          `max |diff| ${maxAbsDiff(w.full!, flat(c.attention))}`,
        );
        for (let row = 0; row < w.layers * w.heads * w.seq; row++) {
          const sum = w.full!.subarray(row * w.seq, (row + 1) * w.seq).reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(sum - 1) < 1e-5, `row ${row} sums to ${sum}`);
        }
        // [CLS] rows are query 0 of each head.
        assert.ok(maxAbsDiff(w.cls, flat(c.attention.map((l) => l.map((h) => h[0]!)))) <= ref.tolerance);
        assert.ok(
          maxAbsDiff(w.rollout, rolloutReference(c.attention)) < 1e-5,
          'rollout vs plain loop on torch attention',
        );
        assert.ok(maxAbsDiff(rollout(w.full!, w.layers, w.heads, w.seq), rolloutReference(c.attention)) < 1e-5);
        const json = attentionJson(w);
        assert.deepEqual(json.full!.length, w.layers);
        assert.ok(maxAbsDiff(flat(json.cls), w.cls) === 0);
      });
    }

    it('without full: only the [CLS] rows and the rollout cross over', async () => {
      const res = await inspector.attention(ref.cases[0]!.text);
      assert.equal(res.windows[0]!.full, undefined);
      assert.equal(res.windows[0]!.cls.length, res.windows[0]!.layers * res.windows[0]!.heads * res.windows[0]!.seq);
    });

    it('padded batch: the tapped copy matches torch, padded keys get exactly 0', async () => {
      const tapped = await prepareTappedModel(path.join(dir, 'onnx', 'model.onnx'), cache);
      const plan = await prepareAttentionModel(path.join(dir, 'onnx', 'model.onnx'), tapped.path);
      const again = await prepareAttentionModel(path.join(dir, 'onnx', 'model.onnx'), tapped.path);
      assert.deepEqual(again, plan, 'cached copy reused');
      const session = await ort.InferenceSession.create(plan.path, { intraOpNumThreads: 1 });
      try {
        const { inputIds, attentionMask } = ref.batch;
        const dims = [inputIds.length, inputIds[0]!.length];
        const t = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), dims);
        const out = await session.run({ input_ids: t(inputIds), attention_mask: t(attentionMask) }, plan.outputs);
        const seq = dims[1]!;
        ref.batch.attention.forEach((rowAtt, b) => {
          plan.outputs.forEach((o, l) => {
            const data = out[o]!.data as Float32Array;
            const heads = out[o]!.dims[1]!;
            const mine = data.subarray(b * heads * seq * seq, (b + 1) * heads * seq * seq);
            assert.ok(maxAbsDiff(mine, flat(rowAtt[l])) <= ref.tolerance, `row ${b} layer ${l}`);
            for (let i = 0; i < heads * seq; i++) {
              for (let k = 0; k < seq; k++)
                if (attentionMask[b]![k] === 0)
                  assert.equal(mine[i * seq + k], 0, `padding key ${k} weighs ${mine[i * seq + k]}`);
            }
          });
        });
      } finally {
        await session.release();
      }
    });
  });
}

describe('attention taps: graphs without a separate softmax', () => {
  it('a block whose attention softmax is missing (fused away) is named, with the fix', () => {
    const file = path.join(FIXTURES, 'tiny-distilbert-o17-gemm', 'onnx', 'model.onnx');
    const g = indexModel(new BufferSource(fs.readFileSync(file)));
    assert.equal(findAttentionSoftmax(g, file).length, 2);
    const second = g.nodes.filter((n) => n.opType === 'Softmax')[1]!;
    second.opType = 'Identity';
    assert.throws(
      () => findAttentionSoftmax(g, file),
      (e: Error & { code?: string; hint?: string }) => {
        assert.equal(e.code, 'UNSUPPORTED');
        assert.match(e.message, /model\.onnx: transformer block 2 has 0 Softmax nodes/);
        assert.match(e.hint!, /softmax is a node of its own/);
        return true;
      },
    );
  });
});
