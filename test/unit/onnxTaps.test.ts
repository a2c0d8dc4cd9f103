// The tapped fixtures, run by onnxruntime-node, reproduce torch's value at every stage of the head and
// after every transformer block. Tolerance: 1e-4 absolute (reference.json's `tolerance`; ORT and torch
// agree to ~3e-6 here). The head weights read from the graph are checked independently by recomputing
// pre_classifier and classifier from them.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HeadWeights, PreparedModel, prepareTappedModel } from '../../src/core/onnx/taps';
import { loadOrt } from '../../src/core/engine/ortRuntime';
import { readHeadBeside } from '../../src/core/onnx/tapCache';

/** Everything this file writes lives under one temp folder, removed when its tests end. */
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-unit-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

// onnxruntime-node writes under ~/.cache: point HOME at a temp dir before it is loaded.
process.env['HOME'] = fs.mkdtempSync(path.join(TMP, 'onnx-taps-home-'));
const ort = loadOrt(); // telemetry off, ONNX Runtime's own logging quiet

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'models');
const NAMES = [
  'tiny-distilbert-o14-gemm',
  'tiny-distilbert-o17-gemm',
  'tiny-distilbert-o14-matmul',
  'tiny-distilbert-o17-multilabel',
];
const TOL = 1e-4;

interface Stages {
  cls: number[];
  preClassifier: number[];
  relu: number[];
  layers: number[][];
  logits: number[];
}
interface Reference {
  head: string;
  tolerance: number;
  cases: (Stages & { text: string; ids: number[] })[];
  batch: { inputIds: number[][]; attentionMask: number[][] } & { [K in keyof Stages]: Stages[K][] };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function int64(rows: number[][]): import('onnxruntime-node').Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);
}

/** y = W x + b in float64, W row-major [out][in]. */
function linear(w: Float32Array, b: Float32Array, x: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let o = 0; o < b.length; o++) {
    let s = b[o]!;
    for (let i = 0; i < x.length; i++) s += w[o * x.length + i]! * x[i]!;
    out.push(s);
  }
  return out;
}

function row(t: import('onnxruntime-node').Tensor, r: number): Float32Array {
  const width = t.dims[1]!;
  return (t.data as Float32Array).subarray(r * width, (r + 1) * width);
}

for (const name of NAMES) {
  describe(`taps on ${name}`, () => {
    const dir = path.join(FIXTURES, name);
    const onnxPath = path.join(dir, 'onnx', 'model.onnx');
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8')) as Reference;
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
      dim: number;
      n_layers: number;
      id2label: object;
    };
    let prepared: PreparedModel;
    let session: import('onnxruntime-node').InferenceSession;

    before(async () => {
      prepared = await prepareTappedModel(onnxPath, fs.mkdtempSync(path.join(TMP, 'onnx-taps-cache-')), {
        expectedLayers: config.n_layers,
      });
      session = await ort.InferenceSession.create(prepared.path, {
        graphOptimizationLevel: 'all',
        intraOpNumThreads: 1,
      });
    });

    it('finds the head and blocks by data flow', () => {
      const { plan } = prepared;
      assert.deepEqual(plan.inputNames, ['input_ids', 'attention_mask']);
      assert.equal(plan.head.dim, config.dim);
      assert.equal(plan.head.numLabels, Object.keys(config.id2label).length);
      assert.equal(plan.head.preClassifierOp, ref.head === 'matmul' ? 'MatMul+Add' : 'Gemm');
      assert.equal(plan.head.classifierOp, 'Gemm');
      assert.equal(plan.outputs.layers.length, config.n_layers);
      // The last block's [CLS] row is the vector pre_classifier reads, so that tap is shared.
      assert.equal(plan.outputs.layers.at(-1), plan.outputs.cls);
      assert.equal(
        new Set([plan.outputs.cls, plan.outputs.preClassifier, plan.outputs.relu, ...plan.outputs.layers]).size,
        2 + config.n_layers,
      );
      assert.equal(prepared.fromCache, false);
    });

    it('keeps the original bytes and appends one record', () => {
      const original = fs.readFileSync(onnxPath);
      const tapped = fs.readFileSync(prepared.path);
      assert.ok(tapped.length > original.length && tapped.length < original.length + 4096);
      assert.ok(tapped.subarray(0, original.length).equals(original), 'tapped file must start with the original bytes');
      assert.equal(tapped[original.length], (7 << 3) | 2, 'the appended record is ModelProto field 7 (graph)');
    });

    it(`matches torch at every stage for each text (|diff| <= ${TOL})`, async () => {
      assert.ok(ref.tolerance <= TOL);
      const o = prepared.plan.outputs;
      for (const c of ref.cases) {
        const out = await session.run({ input_ids: int64([c.ids]), attention_mask: int64([c.ids.map(() => 1)]) });
        const at = (k: string): import('onnxruntime-node').Tensor => out[k]!;
        assert.deepEqual(at(o.cls).dims, [1, config.dim]);
        assert.deepEqual(at(o.logits).dims, [1, prepared.plan.head.numLabels]);
        const what = `${name} "${c.text.slice(0, 30)}"`;
        assert.ok(maxAbsDiff(row(at(o.cls), 0), c.cls) <= TOL, `cls ${what}`);
        assert.ok(maxAbsDiff(row(at(o.preClassifier), 0), c.preClassifier) <= TOL, `preClassifier ${what}`);
        assert.ok(maxAbsDiff(row(at(o.relu), 0), c.relu) <= TOL, `relu ${what}`);
        assert.ok(maxAbsDiff(row(at(o.logits), 0), c.logits) <= TOL, `logits ${what}`);
        o.layers.forEach((l, i) => {
          assert.deepEqual(at(l).dims, [1, config.dim]);
          assert.ok(maxAbsDiff(row(at(l), 0), c.layers[i]!) <= TOL, `layer ${i} ${what}`);
        });
      }
    });

    it('matches torch on a padded batch, row by row', async () => {
      const b = ref.batch;
      const o = prepared.plan.outputs;
      const out = await session.run({ input_ids: int64(b.inputIds), attention_mask: int64(b.attentionMask) });
      for (let r = 0; r < b.inputIds.length; r++) {
        assert.ok(maxAbsDiff(row(out[o.cls]!, r), b.cls[r]!) <= TOL);
        assert.ok(maxAbsDiff(row(out[o.preClassifier]!, r), b.preClassifier[r]!) <= TOL);
        assert.ok(maxAbsDiff(row(out[o.relu]!, r), b.relu[r]!) <= TOL);
        assert.ok(maxAbsDiff(row(out[o.logits]!, r), b.logits[r]!) <= TOL);
        o.layers.forEach((l, i) =>
          assert.ok(maxAbsDiff(row(out[l]!, r), b.layers[r]![i]!) <= TOL, `batch row ${r} layer ${i}`),
        );
      }
    });

    it("the head kept beside the tapped copy reads back as the graph's weights, bit for bit", async () => {
      const kept = await readHeadBeside(prepared.path, config.dim, prepared.plan.head.numLabels);
      assert.ok(kept);
      for (const k of ['classifierWeight', 'classifierBias', 'preClassifierWeight', 'preClassifierBias'] as const)
        assert.deepEqual(Array.from(kept[k]), Array.from(prepared.weights[k]), k);
      assert.equal(await readHeadBeside(prepared.path, config.dim + 1, prepared.plan.head.numLabels), undefined);
    });

    it('relu tap is max(0, preClassifier); head weights recompute pre_classifier and classifier', async () => {
      const o = prepared.plan.outputs;
      const w: HeadWeights = prepared.weights;
      assert.equal(w.preClassifierWeight.length, config.dim * config.dim);
      assert.equal(w.classifierWeight.length, prepared.plan.head.numLabels * config.dim);
      for (const c of ref.cases) {
        const out = await session.run({ input_ids: int64([c.ids]), attention_mask: int64([c.ids.map(() => 1)]) });
        const cls = row(out[o.cls]!, 0);
        const pre = row(out[o.preClassifier]!, 0);
        const relu = row(out[o.relu]!, 0);
        assert.deepEqual(
          Array.from(relu),
          Array.from(pre, (v) => Math.max(0, v)),
        );
        assert.ok(
          maxAbsDiff(linear(w.preClassifierWeight, w.preClassifierBias, cls), pre) <= 1e-5,
          'pre_classifier from HeadWeights',
        );
        assert.ok(
          maxAbsDiff(linear(w.classifierWeight, w.classifierBias, relu), row(out[o.logits]!, 0)) <= 1e-5,
          'classifier from HeadWeights',
        );
      }
    });

    it('gives the same logits as the untapped graph', async () => {
      const plain = await ort.InferenceSession.create(onnxPath, {
        graphOptimizationLevel: 'all',
        intraOpNumThreads: 1,
      });
      const c = ref.cases[0]!;
      const feeds = { input_ids: int64([c.ids]), attention_mask: int64([c.ids.map(() => 1)]) };
      const a = (await plain.run(feeds))['logits']!;
      const b = (await session.run(feeds, [prepared.plan.outputs.logits]))[prepared.plan.outputs.logits]!;
      assert.ok(maxAbsDiff(a.data as Float32Array, b.data as Float32Array) <= 1e-6);
      await plain.release();
    });
  });
}
