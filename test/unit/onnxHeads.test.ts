// Taps on the BERT (pooler dense + tanh) and RoBERTa (classifier.dense + tanh) fixtures, run by
// onnxruntime-node: torch's padded batch row by row (1e-4), the head weights recomputing both Linears,
// and the tapped graph giving the untapped logits. Single texts are checked through the Inspector in heads.test.ts.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PreparedModel, prepareTappedModel, type HeadKind } from '../../src/core/onnx/taps';
import { loadOrt } from '../../src/core/engine/ortRuntime';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-unit-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));
process.env['HOME'] = fs.mkdtempSync(path.join(TMP, 'onnx-heads-home-'));
const ort = loadOrt(); // telemetry off, ONNX Runtime's own logging quiet
type Tensor = import('onnxruntime-node').Tensor;

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'models');
const TOL = 1e-4;

interface Batch {
  inputIds: number[][];
  attentionMask: number[][];
  cls: number[][];
  preClassifier: number[][];
  relu: number[][];
  layers: number[][][];
  logits: number[][];
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
const int64 = (rows: number[][]): Tensor =>
  new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);
const row = (t: Tensor, r: number): Float32Array =>
  (t.data as Float32Array).subarray(r * t.dims[1]!, (r + 1) * t.dims[1]!);
function linear(w: Float32Array, b: Float32Array, x: ArrayLike<number>): number[] {
  return Array.from(b, (bias, o) => {
    let s = bias;
    for (let i = 0; i < x.length; i++) s += w[o * x.length + i]! * x[i]!;
    return s;
  });
}

for (const [name, kind, weightNames] of [
  ['tiny-bert-o17', 'bert', ['bert.pooler.dense.weight', 'classifier.weight']],
  ['tiny-roberta-o17', 'roberta', ['classifier.dense.weight', 'classifier.out_proj.weight']],
] as [string, HeadKind, string[]][]) {
  describe(`taps on ${name}`, () => {
    const dir = path.join(FIXTURES, name);
    const onnxPath = path.join(dir, 'onnx', 'model.onnx');
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8')) as { batch: Batch };
    let p: PreparedModel;
    let session: import('onnxruntime-node').InferenceSession;
    before(async () => {
      p = await prepareTappedModel(onnxPath, fs.mkdtempSync(path.join(TMP, 'cache-')), {
        expectedLayers: 2,
        headKind: kind,
      });
      session = await ort.InferenceSession.create(p.path, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
    });
    after(() => session.release());

    it('finds dense -> Tanh -> classifier over the [CLS] row, by data flow', () => {
      assert.equal(p.plan.head.kind, kind);
      assert.equal(p.plan.head.activation, 'tanh');
      assert.equal(p.plan.batchInvariant, true);
      assert.deepEqual(
        p.plan.inputNames,
        kind === 'bert' ? ['input_ids', 'attention_mask', 'token_type_ids'] : ['input_ids', 'attention_mask'],
      );
      assert.equal(p.plan.outputs.layers.length, 2);
      assert.match(
        p.plan.head.description,
        new RegExp(
          `Gemm \\(${weightNames[1]!.replace(/\./g, '\\.')} 2x32\\) <- Tanh <- Gemm \\(${weightNames[0]!.replace(/\./g, '\\.')} 32x32\\)`,
        ),
      );
    });

    const feeds = (ids: number[][], mask: number[][]): Record<string, Tensor> => ({
      input_ids: int64(ids),
      attention_mask: int64(mask),
      ...(kind === 'bert' ? { token_type_ids: int64(ids.map((r) => r.map(() => 0))) } : {}),
    });

    it(`matches torch on a padded batch at every stage (|diff| <= ${TOL})`, async () => {
      const b = ref.batch;
      const o = p.plan.outputs;
      const out = await session.run(feeds(b.inputIds, b.attentionMask));
      for (let r = 0; r < b.inputIds.length; r++) {
        assert.ok(maxAbsDiff(row(out[o.cls]!, r), b.cls[r]!) <= TOL, `cls row ${r}`);
        assert.ok(maxAbsDiff(row(out[o.preClassifier]!, r), b.preClassifier[r]!) <= TOL, `dense row ${r}`);
        assert.ok(maxAbsDiff(row(out[o.relu]!, r), b.relu[r]!) <= TOL, `tanh row ${r}`);
        assert.ok(maxAbsDiff(row(out[o.logits]!, r), b.logits[r]!) <= TOL, `logits row ${r}`);
        o.layers.forEach((l, i) =>
          assert.ok(maxAbsDiff(row(out[l]!, r), b.layers[r]![i]!) <= TOL, `layer ${i} row ${r}`),
        );
      }
    });

    it('head weights recompute the dense layer and the classifier; the tap is tanh(dense)', async () => {
      const b = ref.batch;
      const o = p.plan.outputs;
      const out = await session.run(feeds(b.inputIds, b.attentionMask));
      for (let r = 0; r < b.inputIds.length; r++) {
        const pre = row(out[o.preClassifier]!, r);
        const act = row(out[o.relu]!, r);
        assert.ok(
          maxAbsDiff(linear(p.weights.preClassifierWeight, p.weights.preClassifierBias, row(out[o.cls]!, r)), pre) <=
            1e-5,
        );
        assert.ok(maxAbsDiff(Array.from(pre, Math.tanh), act) <= 1e-6);
        assert.ok(
          maxAbsDiff(linear(p.weights.classifierWeight, p.weights.classifierBias, act), row(out[o.logits]!, r)) <= 1e-5,
        );
      }
    });

    it('gives the untapped graph its own logits', async () => {
      const plain = await ort.InferenceSession.create(onnxPath, {
        graphOptimizationLevel: 'all',
        intraOpNumThreads: 1,
      });
      const b = ref.batch;
      const a = (await plain.run(feeds(b.inputIds, b.attentionMask)))['logits']!;
      const t = (await session.run(feeds(b.inputIds, b.attentionMask), [p.plan.outputs.logits]))[
        p.plan.outputs.logits
      ]!;
      assert.ok(maxAbsDiff(a.data as Float32Array, t.data as Float32Array) <= 1e-6);
      await plain.release();
    });
  });
}
