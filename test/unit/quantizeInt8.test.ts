// The TypeScript int8 quantizer (src/core/quantize). Checked three ways:
// - its weights against an independent numpy implementation of ONNX Runtime's QInt8 math
//   (test/unit/py/int8_reference.py, run by Debian's /usr/bin/python3 with python3-onnx): exactly;
// - the tapped int8 graph against ONNX Runtime running the same int8 graph untapped: exactly;
// - the int8 stages against torch's fp32 values (reference.json) within INT8_TOL, same argmax.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { classifyCpu } from '../../src/core/quantize/cpu';
import { quantizeWeight, roundHalfEven } from '../../src/core/quantize/int8';
import { quantizeModelFile, readQuantizationInfo } from '../../src/core/quantize/quantizeGraph';
import { prepareTappedModel } from '../../src/core/onnx/taps';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'quantize-unit-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));
process.env['HOME'] = fs.mkdtempSync(path.join(TMP, 'home-'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
type Tensor = import('onnxruntime-node').Tensor;

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'models');
const REFERENCE_PY = path.join(ROOT, 'test', 'unit', 'py', 'int8_reference.py');
/**
 * int8 vs torch fp32, max |diff| per stage on the tiny fixtures (dim 32, 2 blocks). Observed with per-channel
 * weights: logits 0.058-0.068, cls 0.048-0.054, pre_classifier 0.044-0.056, ReLU 0.042, first block 0.030-0.037
 * (activations are quantized per tensor to 1/255 of their range before each MatMul).
 */
const INT8_TOL = 0.1;

interface Case {
  text: string;
  ids: number[];
  cls: number[];
  preClassifier: number[];
  relu: number[];
  layers: number[][];
  logits: number[];
}

const int64 = (ids: number[]): Tensor => new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
const feeds = (ids: number[]): Record<string, Tensor> => ({
  input_ids: int64(ids),
  attention_mask: int64(ids.map(() => 1)),
});
const row0 = (t: Tensor): Float32Array => (t.data as Float32Array).subarray(0, t.dims[1]!);
const argmax = (xs: ArrayLike<number>): number => Array.from(xs).indexOf(Math.max(...Array.from(xs)));
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function numpyReference(fp32: string, int8: string, perChannel: boolean, reduceRange: boolean) {
  const r = spawnSync('/usr/bin/python3', [REFERENCE_PY, fp32, int8, perChannel ? '1' : '0', reduceRange ? '1' : '0'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `the numpy reference needs Debian's python3-onnx: ${r.stderr}`);
  return JSON.parse(r.stdout) as {
    checked: number;
    mismatches: string[];
    ops: string[];
    fp32_weights_left: string[];
    max_abs_q: number;
  };
}

describe('int8 weight math', () => {
  it('rounds halves to even like numpy', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001].map(roundHalfEven), [0, 2, 2, 0, -2, -2, 2, 3]);
  });

  it('per-channel scales follow each column, reduce_range keeps |q| <= 64, an all-zero column gets scale 1', () => {
    // [in 2, out 3]: column 0 spans [-2, 1], column 1 [0, 0.5], column 2 is all zero.
    const w = new Float32Array([-2, 0.5, 0, 1, 0.25, 0]);
    const pc = quantizeWeight(w, 2, 3, { perChannel: true, reduceRange: false });
    assert.deepEqual(Array.from(pc.scale), [Math.fround(4 / 254), Math.fround(1 / 254), 1]);
    assert.deepEqual(Array.from(pc.q), [-127, 127, 0, 64, 64, 0]);
    const rr = quantizeWeight(w, 2, 3, { perChannel: false, reduceRange: true });
    assert.deepEqual(Array.from(rr.scale), [Math.fround(4 / 128)]);
    assert.deepEqual(Array.from(rr.q), [-64, 16, 0, 32, 8, 0]);
  });
});

describe('CPU classification for the int8 path', () => {
  it('VNNI or AMX on x86 and every ARM64 get full-range weights; other x86 CPUs reduce_range', () => {
    const flags = (f: string) => `processor\t: 0\nflags\t\t: fpu sse2 avx2 ${f}\n`;
    assert.equal(classifyCpu('x64', flags('avx512f avx512_vnni')).fastInt8, true);
    assert.equal(classifyCpu('x64', flags('avx_vnni')).fastInt8, true);
    assert.equal(classifyCpu('x64', flags('amx_int8 amx_tile')).fastInt8, true);
    assert.equal(classifyCpu('x64', flags('avx512f avx512bw')).fastInt8, false);
    assert.equal(classifyCpu('x64', undefined).fastInt8, false);
    assert.equal(classifyCpu('arm64', undefined).fastInt8, true);
  });
});

for (const [name, layers] of [
  ['tiny-distilbert-o17-gemm', 2],
  ['tiny-distilbert-o14-matmul', 2],
] as const) {
  describe(`quantizing ${name}`, () => {
    const fp32 = path.join(FIXTURES, name, 'onnx', 'model.onnx');
    const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'reference.json'), 'utf8')) as { cases: Case[] };

    for (const opts of [
      { perChannel: true, reduceRange: false },
      { perChannel: false, reduceRange: false },
      { perChannel: true, reduceRange: true },
    ]) {
      it(`weights equal the numpy reference exactly (${JSON.stringify(opts)})`, async () => {
        const out = path.join(TMP, `${name}-${opts.perChannel}-${opts.reduceRange}.onnx`);
        const stats = await quantizeModelFile(fp32, out, opts);
        const r = numpyReference(fp32, out, opts.perChannel, opts.reduceRange);
        assert.equal(r.checked, stats.matmuls + stats.gemms);
        assert.ok(r.checked >= 6 * layers + 2, `every projection and both head Linears (${r.checked})`);
        assert.deepEqual(r.mismatches, []);
        assert.deepEqual(r.fp32_weights_left, [], 'the fp32 weights are dropped');
        assert.ok(
          r.ops.includes('DynamicQuantizeLinear') && r.ops.includes('MatMulInteger') && !r.ops.includes('Gemm'),
        );
        assert.ok(opts.reduceRange ? r.max_abs_q <= 64 : r.max_abs_q === 127, `max |q| ${r.max_abs_q}`);
        assert.deepEqual(readQuantizationInfo(out), { weights: 'int8', ...opts });
        assert.equal(readQuantizationInfo(fp32), undefined);
      });
    }

    it('the tapper finds the head and every block; taps equal the untapped int8 graph and stay near torch fp32', async () => {
      const out = path.join(TMP, `${name}-taps.onnx`);
      await quantizeModelFile(fp32, out, { perChannel: true, reduceRange: false });
      const q = await prepareTappedModel(out, fs.mkdtempSync(path.join(TMP, 'cache-')), {
        expectedLayers: layers,
        headKind: 'distilbert',
      });
      assert.equal(q.plan.head.preClassifierOp, 'MatMulInteger+Add');
      assert.equal(q.plan.head.classifierOp, 'MatMulInteger+Add');
      assert.equal(q.plan.head.quantized, true);
      assert.equal(q.plan.batchInvariant, false, 'dynamic activation scales span the batch: one row per call');
      assert.equal(q.plan.outputs.layers.length, layers);
      const tapped = await ort.InferenceSession.create(q.path, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
      const plain = await ort.InferenceSession.create(out, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
      const o = q.plan.outputs;
      for (const c of ref.cases) {
        const t = await tapped.run(feeds(c.ids));
        const p = await plain.run(feeds(c.ids));
        assert.deepEqual(
          Array.from(row0(t[o.logits]!)),
          Array.from(row0(p['logits']!)),
          `tapped = untapped: ${c.text}`,
        );
        const pre = row0(t[o.preClassifier]!);
        assert.deepEqual(
          Array.from(row0(t[o.relu]!)),
          Array.from(pre, (v) => Math.max(0, v)),
          'ReLU of the tapped pre_classifier',
        );
        // The logit decomposition adds up to the int8 logits (dequantized weight x dequantized classifier input).
        const input = row0(t[o.classifierInput!]!);
        const logits = row0(t[o.logits]!);
        for (let l = 0; l < logits.length; l++) {
          let s = q.weights.classifierBias[l]!;
          for (let u = 0; u < input.length; u++) s += q.weights.classifierWeight[l * input.length + u]! * input[u]!;
          assert.ok(Math.abs(s - logits[l]!) <= 1e-5, `label ${l}: ${s} vs ${logits[l]}`);
        }
        assert.equal(argmax(logits), argmax(c.logits), `argmax ${c.text}`);
        for (const [stage, got, want] of [
          ['logits', logits, c.logits],
          ['cls', row0(t[o.cls]!), c.cls],
          ['preClassifier', pre, c.preClassifier],
          ['relu', row0(t[o.relu]!), c.relu],
          ...o.layers.map((l, i) => [`layer ${i}`, row0(t[l]!), c.layers[i]!] as const),
        ] as const) {
          assert.ok(maxAbsDiff(got, want) <= INT8_TOL, `${stage} ${c.text}: ${maxAbsDiff(got, want)}`);
        }
      }
      await tapped.release();
      await plain.release();
    });
  });
}

describe('quantizer input checks', () => {
  it('refuses a file that is not ONNX and leaves no output behind', async () => {
    const bad = path.join(TMP, 'bad.onnx');
    fs.writeFileSync(bad, Buffer.from('not a model at all'));
    const out = path.join(TMP, 'bad-out', 'model_int8.onnx');
    await assert.rejects(quantizeModelFile(bad, out, { perChannel: true, reduceRange: false }));
    assert.equal(fs.existsSync(out), false);
    assert.deepEqual(fs.existsSync(path.dirname(out)) ? fs.readdirSync(path.dirname(out)) : [], []);
  });
});

describe('quantizing BERT and RoBERTa heads (dense + tanh)', () => {
  for (const [name, kind] of [
    ['tiny-bert-o17', 'bert'],
    ['tiny-roberta-o17', 'roberta'],
  ] as const) {
    it(`${name}: both head Linears become int8 chains the tapper finds; same argmax as torch`, async () => {
      const out = path.join(TMP, `${name}-int8.onnx`);
      await quantizeModelFile(path.join(FIXTURES, name, 'onnx', 'model.onnx'), out, {
        perChannel: true,
        reduceRange: false,
      });
      const q = await prepareTappedModel(out, fs.mkdtempSync(path.join(TMP, 'cache-')), {
        expectedLayers: 2,
        headKind: kind,
      });
      assert.equal(q.plan.head.preClassifierOp, 'MatMulInteger+Add');
      assert.equal(q.plan.head.classifierOp, 'MatMulInteger+Add');
      assert.equal(q.plan.head.activation, 'tanh');
      const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'reference.json'), 'utf8')) as { cases: Case[] };
      const s = await ort.InferenceSession.create(q.path, { intraOpNumThreads: 1 });
      for (const c of ref.cases) {
        const f = feeds(c.ids);
        if (q.plan.inputNames.includes('token_type_ids')) f['token_type_ids'] = int64(c.ids.map(() => 0));
        const logits = row0((await s.run(f))[q.plan.outputs.logits]!);
        assert.equal(argmax(logits), argmax(c.logits), c.text);
        assert.ok(maxAbsDiff(logits, c.logits) <= INT8_TOL, `${c.text}: ${maxAbsDiff(logits, c.logits)}`);
      }
      await s.release();
    });
  }
});
