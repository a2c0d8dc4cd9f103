// Taps on an int8 dynamically quantized graph (tiny-distilbert-o17-int8/onnx/model_quantized.onnx, made by
// test/fixtures/make_more_fixtures.py the way onnxruntime's quantize_dynamic QUInt8 does): the head's
// Linear layers are DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul(scales) [-> Add] chains.
// Exact checks are against the quantized graph itself (its own untapped logits, its own decomposition);
// against fp32 (torch's reference.json, the fp32 copy) the tolerance is INT8_TOL, stated below.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PreparedModel, prepareTappedModel } from '../../src/core/onnx/taps';
import { loadOrt } from '../../src/core/engine/ortRuntime';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-unit-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));
process.env['HOME'] = fs.mkdtempSync(path.join(TMP, 'onnx-int8-home-'));
const ort = loadOrt(); // telemetry off, ONNX Runtime's own logging quiet
type Tensor = import('onnxruntime-node').Tensor;

const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'models', 'tiny-distilbert-o17-int8');
const QUANTIZED = path.join(DIR, 'onnx', 'model_quantized.onnx');
const FP32 = path.join(DIR, 'onnx', 'model.onnx');
/**
 * int8 vs fp32, max |diff| over every stage and case. Observed: logits 0.085, cls / last block 0.066,
 * pre_classifier 0.054, ReLU 0.050, first block 0.028 (activations are O(1), each quantized per tensor
 * to 1/255 of its range before each of the 14 MatMulIntegers). Every argmax agrees.
 */
const INT8_TOL = 0.1;
const INT8_LOGITS_TOL = 0.1;

interface Case {
  text: string;
  ids: number[];
  cls: number[];
  preClassifier: number[];
  relu: number[];
  layers: number[][];
  logits: number[];
}
const ref = JSON.parse(fs.readFileSync(path.join(DIR, 'reference.json'), 'utf8')) as { cases: Case[] };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
const int64 = (ids: number[]): Tensor => new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
const feeds = (ids: number[]): Record<string, Tensor> => ({
  input_ids: int64(ids),
  attention_mask: int64(ids.map(() => 1)),
});
const row0 = (t: Tensor): Float32Array => (t.data as Float32Array).subarray(0, t.dims[1]!);
const argmax = (xs: ArrayLike<number>): number => Array.from(xs).indexOf(Math.max(...Array.from(xs)));

describe('taps on tiny-distilbert-o17-int8 (dynamically quantized)', () => {
  let q: PreparedModel;
  let f: PreparedModel;
  let session: import('onnxruntime-node').InferenceSession;
  let plain: import('onnxruntime-node').InferenceSession;

  before(async () => {
    q = await prepareTappedModel(QUANTIZED, fs.mkdtempSync(path.join(TMP, 'cache-')), {
      expectedLayers: 2,
      headKind: 'distilbert',
    });
    f = await prepareTappedModel(FP32, fs.mkdtempSync(path.join(TMP, 'cache-')), { expectedLayers: 2 });
    session = await ort.InferenceSession.create(q.path, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
    plain = await ort.InferenceSession.create(QUANTIZED, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  });
  after(async () => {
    await session.release();
    await plain.release();
  });

  it('finds both head Linears as MatMulInteger chains and the blocks through shared quantizers', () => {
    const { head, outputs } = q.plan;
    assert.equal(head.preClassifierOp, 'MatMulInteger+Add');
    assert.equal(head.classifierOp, 'MatMulInteger+Add');
    assert.equal(head.quantized, true);
    assert.equal(head.kind, 'distilbert');
    assert.equal(head.activation, 'relu');
    assert.equal(outputs.layers.length, 2);
    assert.equal(outputs.layers[1], outputs.cls);
    assert.ok(outputs.classifierInput, 'the dequantized classifier input is tapped');
    assert.equal(f.plan.head.quantized, false);
    assert.equal(f.plan.outputs.classifierInput, undefined);
    assert.match(head.description, /MatMulInteger\+Add .* <- Relu <- MatMulInteger\+Add/);
  });

  it('dequantized head weights are within half a quantization step of the fp32 weights', () => {
    const step = (w: Float32Array): number => (Math.max(0, ...w) - Math.min(0, ...w)) / 255;
    for (const k of ['preClassifierWeight', 'classifierWeight'] as const) {
      const d = maxAbsDiff(q.weights[k], f.weights[k]);
      assert.ok(d <= step(f.weights[k]) * 0.5 + 1e-6, `${k}: ${d} vs step ${step(f.weights[k])}`);
      assert.ok(d > 0, `${k} should differ from fp32 (it was quantized)`);
    }
    assert.deepEqual(q.weights.preClassifierBias, f.weights.preClassifierBias);
    assert.deepEqual(q.weights.classifierBias, f.weights.classifierBias);
  });

  it('the tapped graph gives exactly the untapped quantized logits', async () => {
    for (const c of ref.cases) {
      const a = row0((await plain.run(feeds(c.ids)))['logits']!);
      const b = row0((await session.run(feeds(c.ids)))[q.plan.outputs.logits]!);
      assert.deepEqual(Array.from(b), Array.from(a), c.text);
    }
  });

  it('contributions (dequantized weight x dequantized input) add up to the quantized logits', async () => {
    const o = q.plan.outputs;
    const w = q.weights;
    let worstRelu = 0;
    for (const c of ref.cases) {
      const out = await session.run(feeds(c.ids));
      const input = row0(out[o.classifierInput!]!);
      const relu = row0(out[o.relu]!);
      const logits = row0(out[o.logits]!);
      const dim = input.length;
      for (let l = 0; l < logits.length; l++) {
        let s = w.classifierBias[l]!;
        for (let u = 0; u < dim; u++) s += w.classifierWeight[l * dim + u]! * input[u]!;
        assert.ok(Math.abs(s - logits[l]!) <= 1e-5, `label ${l}: ${s} vs ${logits[l]}`);
      }
      // The classifier's input is the ReLU output rounded to the activation's quantization grid.
      const grid = Math.max(...relu) / 255;
      worstRelu = Math.max(worstRelu, maxAbsDiff(input, relu) / grid);
      assert.ok(
        input.every((v, u) => (relu[u] === 0) === (v === 0)),
        'ReLU zeros stay exact zeros',
      );
    }
    assert.ok(worstRelu <= 0.5 + 1e-3, `dequantized input within half a step of relu (${worstRelu} steps)`);
  });

  it(`every stage is close to torch's fp32 values (stages <= ${INT8_TOL}, logits <= ${INT8_LOGITS_TOL}), same argmax`, async () => {
    const o = q.plan.outputs;
    for (const c of ref.cases) {
      const out = await session.run(feeds(c.ids));
      const what = JSON.stringify(c.text.slice(0, 30));
      assert.ok(maxAbsDiff(row0(out[o.logits]!), c.logits) <= INT8_LOGITS_TOL, `logits ${what}`);
      assert.equal(argmax(row0(out[o.logits]!)), argmax(c.logits), `argmax ${what}`);
      assert.ok(maxAbsDiff(row0(out[o.cls]!), c.cls) <= INT8_TOL, `cls ${what}`);
      assert.ok(maxAbsDiff(row0(out[o.preClassifier]!), c.preClassifier) <= INT8_TOL, `preClassifier ${what}`);
      assert.ok(maxAbsDiff(row0(out[o.relu]!), c.relu) <= INT8_TOL, `relu ${what}`);
      o.layers.forEach((l, i) => assert.ok(maxAbsDiff(row0(out[l]!), c.layers[i]!) <= INT8_TOL, `layer ${i} ${what}`));
    }
  });

  it('activation scales span the batch, so the plan says to run one sequence per call', async () => {
    assert.equal(q.plan.batchInvariant, false);
    assert.equal(f.plan.batchInvariant, true);
    // Why: the same text alone and next to a longer padded one gets different logits.
    const [a, b] = [ref.cases[3]!.ids, ref.cases[1]!.ids];
    const width = Math.max(a.length, b.length);
    const pad = (ids: number[]): number[] => [...ids, ...new Array<number>(width - ids.length).fill(0)];
    const rows = [pad(a), pad(b)];
    const t = (m: number[][]): Tensor =>
      new ort.Tensor('int64', BigInt64Array.from(m.flat().map(BigInt)), [m.length, width]);
    const batched = (
      await session.run({ input_ids: t(rows), attention_mask: t([a, b].map((ids) => pad(ids.map(() => 1)))) })
    )[q.plan.outputs.logits]!;
    const single = row0((await session.run(feeds(a)))[q.plan.outputs.logits]!);
    const d = maxAbsDiff((batched.data as Float32Array).subarray(0, single.length), single);
    assert.ok(d > 0 && d <= INT8_LOGITS_TOL, `batched vs single: ${d}`);
  });

  it('the fp32 copy in the same folder matches torch at 1e-4', async () => {
    const s = await ort.InferenceSession.create(f.path, { intraOpNumThreads: 1 });
    for (const c of ref.cases) {
      const out = await s.run(feeds(c.ids));
      assert.ok(maxAbsDiff(row0(out[f.plan.outputs.logits]!), c.logits) <= 1e-4);
      assert.ok(maxAbsDiff(row0(out[f.plan.outputs.relu]!), c.relu) <= 1e-4);
    }
    await s.release();
  });

  it('a cached plan is reused, and an architecture wanting tanh is refused', async () => {
    const cache = fs.mkdtempSync(path.join(TMP, 'cache-'));
    await prepareTappedModel(QUANTIZED, cache, { expectedLayers: 2 });
    const again = await prepareTappedModel(QUANTIZED, cache, { expectedLayers: 2, headKind: 'distilbert' });
    assert.equal(again.fromCache, true);
    assert.equal(again.plan.outputs.classifierInput, q.plan.outputs.classifierInput);
    await assert.rejects(prepareTappedModel(QUANTIZED, cache, { headKind: 'bert' }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'NO_HEAD');
      assert.match(e.message, /expected a Tanh/);
      return true;
    });
  });
});
