// Hand-built ONNX graphs (written with the wire writer) for forms torch 1.13 does not produce on our
// fixtures, and for the error cases: heads that are not DistilBERT's, missing logits, truncated files.
// The variant graphs are run by onnxruntime-node and compared with a plain JS computation.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { GraphError, prepareTappedModel } from '../../src/core/onnx/taps';
import { fieldBytes, fieldMessage, fieldVarint } from '../../src/core/onnx/wire';
import { loadOrt } from '../../src/core/engine/ortRuntime';

/** Everything this file writes lives under one temp folder, removed when its tests end. */
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-unit-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

process.env['HOME'] = fs.mkdtempSync(path.join(TMP, 'onnx-crafted-home-'));
const ort = loadOrt(); // telemetry off, ONNX Runtime's own logging quiet

const FIXTURE = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'test',
  'fixtures',
  'models',
  'tiny-distilbert-o14-gemm',
  'onnx',
  'model.onnx',
);
const D = 4;

// ---- a minimal ONNX builder ----
type Attr = Buffer;
const attrInt = (name: string, v: number): Attr =>
  Buffer.concat([fieldBytes(1, name), fieldVarint(3, v), fieldVarint(20, 2)]);
const attrInts = (name: string, v: number[]): Attr =>
  Buffer.concat([fieldBytes(1, name), ...v.map((x) => fieldVarint(8, x)), fieldVarint(20, 7)]);
const node = (op: string, inputs: string[], outputs: string[], attrs: Attr[] = []): Buffer =>
  fieldMessage(1, [
    ...inputs.map((i) => fieldBytes(1, i)),
    ...outputs.map((o) => fieldBytes(2, o)),
    fieldBytes(3, `n_${outputs[0]}`),
    fieldBytes(4, op),
    ...attrs.map((a) => fieldBytes(5, a)),
  ]);
function floats(name: string, dims: number[], values: number[]): Buffer {
  const raw = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => raw.writeFloatLE(v, i * 4));
  return fieldMessage(5, [
    ...dims.map((d) => fieldVarint(1, d)),
    fieldVarint(2, 1),
    fieldBytes(8, name),
    fieldBytes(9, raw),
  ]);
}
function ints(name: string, dims: number[], values: number[]): Buffer {
  const raw = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => raw.writeBigInt64LE(BigInt(v), i * 8));
  return fieldMessage(5, [
    ...dims.map((d) => fieldVarint(1, d)),
    fieldVarint(2, 7),
    fieldBytes(8, name),
    fieldBytes(9, raw),
  ]);
}
/** An int8 initializer (TensorProto data_type 3), as dynamic quantization stores weights. */
function int8(name: string, dims: number[], n: number): Buffer {
  const raw = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37) % 255));
  return fieldMessage(5, [
    ...dims.map((d) => fieldVarint(1, d)),
    fieldVarint(2, 3),
    fieldBytes(8, name),
    fieldBytes(9, raw),
  ]);
}
/** y = dequantized MatMulInteger(DynamicQuantizeLinear(x), W): the op chain of ORT's dynamic quantization. */
function quantizedLinear(g: Buffer[], x: string, w: string, out: string, quantizeInput = true): void {
  if (quantizeInput) g.push(node('DynamicQuantizeLinear', [x], [`${x}.q`, `${x}.s`, `${x}.z`]));
  g.push(int8(w, [D, D], D * D), node('MatMulInteger', [`${x}.q`, w, `${x}.z`], [`${out}.i32`]));
  g.push(node('Cast', [`${out}.i32`], [`${out}.f`], [attrInt('to', 1)]), node('Mul', [`${out}.f`, `${x}.s`], [out]));
}
/** ValueInfoProto: float tensor with symbolic/fixed dims (field 11 input, 12 output). */
function valueInfo(field: number, name: string, dims: (number | string)[]): Buffer {
  const shape = fieldMessage(
    2,
    dims.map((d) => fieldMessage(1, [typeof d === 'number' ? fieldVarint(1, d) : fieldBytes(2, d)])),
  );
  const tensorType = fieldMessage(1, [fieldVarint(1, 1), shape]);
  return fieldMessage(field, [fieldBytes(1, name), fieldMessage(2, [tensorType])]);
}
function model(graph: Buffer[]): Buffer {
  return Buffer.concat([
    fieldVarint(1, 8),
    fieldBytes(2, 'crafted'),
    fieldMessage(7, graph),
    fieldMessage(8, [fieldBytes(1, ''), fieldVarint(2, 14)]),
  ]);
}
function write(buf: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(TMP, 'onnx-crafted-')), 'model.onnx');
  fs.writeFileSync(file, buf);
  return file;
}
const seq = (n: number, scale: number, offset = 0): number[] =>
  Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + offset) * scale);

/**
 * x [b, s, D] -> two "blocks" (x fanned out to 3 projections, summed) -> hidden[:, 0:1] Slice + Squeeze
 * -> pre_classifier Gemm(transB=0, weight shared via Identity) -> Relu -> classifier MatMul without bias.
 */
function variantGraph(): { file: string; wPre: number[]; bPre: number[]; wCls: number[] } {
  const g: Buffer[] = [];
  let h = 'x';
  for (let b = 0; b < 2; b++) {
    for (const p of ['q', 'k', 'v'])
      g.push(
        floats(`W${b}${p}`, [D, D], seq(D * D, 0.5, b * 3 + p.charCodeAt(0))),
        node('MatMul', [h, `W${b}${p}`], [`${b}${p}`]),
      );
    g.push(
      node('Add', [`${b}q`, `${b}k`], [`${b}qk`]),
      node('Add', [`${b}qk`, `${b}v`], [`${b}sum`]),
      node('Tanh', [`${b}sum`], [`h${b + 1}`]),
    );
    h = `h${b + 1}`;
  }
  const wPre = seq(D * D, 0.7, 9); // stored [in, out] since transB = 0
  const bPre = seq(D, 0.3, 2);
  const wCls = seq(D * 2, 0.9, 5); // MatMul weight [in, out]
  g.push(ints('starts', [1], [0]), ints('ends', [1], [1]), ints('axes', [1], [1]), ints('sq', [1], [1]));
  g.push(node('Slice', [h, 'starts', 'ends', 'axes'], ['cls3d']), node('Squeeze', ['cls3d', 'sq'], ['cls']));
  g.push(floats('pre.w', [D, D], wPre), floats('pre.b', [D], bPre), node('Identity', ['pre.w'], ['pre.w.shared']));
  g.push(
    node('Gemm', ['cls', 'pre.w.shared', 'pre.b'], ['pre'], [attrInt('transB', 0)]),
    node('Relu', ['pre'], ['relu']),
  );
  g.push(floats('cls.w', [D, 2], wCls), node('MatMul', ['relu', 'cls.w'], ['logits']));
  g.push(valueInfo(11, 'x', ['batch', 'seq', D]), valueInfo(12, 'logits', ['batch', 2]));
  return { file: write(model(g)), wPre, bPre, wCls };
}

/** A pooler-style head: [CLS] -> Gemm -> Tanh -> Gemm -> logits (no ReLU). */
function headGraph(opts: { activation: string; outputName?: string; select?: 'gather' | 'mean' }): string {
  const g: Buffer[] = [floats('W', [D, D], seq(D * D, 0.5)), ints('zero', [], [0]), ints('axes', [1], [1])];
  g.push(
    node(
      opts.select === 'mean' ? 'ReduceMean' : 'Gather',
      opts.select === 'mean' ? ['x'] : ['x', 'zero'],
      ['cls'],
      [opts.select === 'mean' ? attrInts('axes', [1]) : attrInt('axis', 1)],
    ),
  );
  g.push(
    floats('pre.w', [D, D], seq(D * D, 0.7)),
    floats('pre.b', [D], seq(D, 0.1)),
    node('Gemm', ['cls', 'pre.w', 'pre.b'], ['pre'], [attrInt('transB', 1)]),
  );
  g.push(node(opts.activation, ['pre'], ['act']));
  g.push(
    floats('c.w', [2, D], seq(2 * D, 0.7)),
    floats('c.b', [2], [0.1, -0.1]),
    node('Gemm', ['act', 'c.w', 'c.b'], [opts.outputName ?? 'logits'], [attrInt('transB', 1)]),
  );
  g.push(valueInfo(11, 'x', ['batch', 'seq', D]), valueInfo(12, opts.outputName ?? 'logits', ['batch', 2]));
  return write(model(g));
}

async function graphError(file: string, expectedLayers?: number): Promise<GraphError> {
  const cache = fs.mkdtempSync(path.join(TMP, 'onnx-crafted-cache-'));
  try {
    await prepareTappedModel(file, cache, expectedLayers === undefined ? {} : { expectedLayers });
  } catch (e) {
    assert.ok(e instanceof GraphError, `expected GraphError, got ${String(e)}`);
    assert.ok(e.hint.length > 0);
    return e;
  }
  assert.fail(`${file} was tapped but should not have been`);
}

describe('head variants (hand-built graphs run by onnxruntime-node)', () => {
  it('Slice+Squeeze [CLS], Gemm transB=0 behind Identity, MatMul classifier without bias', async () => {
    const v = variantGraph();
    const p = await prepareTappedModel(v.file, fs.mkdtempSync(path.join(TMP, 'onnx-crafted-cache-')), {
      expectedLayers: 2,
    });
    assert.equal(p.plan.head.preClassifierOp, 'Gemm');
    assert.equal(p.plan.head.classifierOp, 'MatMul');
    assert.deepEqual(p.plan.inputNames, ['x']);
    // HeadWeights are [out][in]: the stored [in][out] matrices come back transposed.
    assert.deepEqual(
      Array.from(p.weights.preClassifierWeight),
      Array.from({ length: D * D }, (_, k) => Math.fround(v.wPre[(k % D) * D + Math.floor(k / D)]!)),
    );
    assert.deepEqual(
      Array.from(p.weights.classifierWeight),
      Array.from({ length: 2 * D }, (_, k) => Math.fround(v.wCls[(k % D) * 2 + Math.floor(k / D)]!)),
    );
    assert.deepEqual(Array.from(p.weights.classifierBias), [0, 0]);

    const session = await ort.InferenceSession.create(p.path);
    const x = Float32Array.from(seq(2 * 3 * D, 1, 0.5));
    const out = await session.run({ x: new ort.Tensor('float32', x, [2, 3, D]) });
    const o = p.plan.outputs;
    const h1 = out[o.layers[0]!]!;
    const h2 = out[o.layers[1]!]!;
    assert.deepEqual(h1.dims, [2, D]);
    assert.deepEqual(Array.from(out[o.cls]!.data as Float32Array), Array.from(h2.data as Float32Array));
    for (let r = 0; r < 2; r++) {
      const cls = (out[o.cls]!.data as Float32Array).subarray(r * D, r * D + D);
      const pre = (out[o.preClassifier]!.data as Float32Array).subarray(r * D, r * D + D);
      for (let j = 0; j < D; j++) {
        let s = v.bPre[j]!;
        for (let i = 0; i < D; i++) s += cls[i]! * v.wPre[i * D + j]!;
        assert.ok(Math.abs(s - pre[j]!) < 1e-5);
      }
      // Block 1's [CLS] row recomputed from x: tanh(x0 (Wq + Wk + Wv)).
      for (let j = 0; j < D; j++) {
        let s = 0;
        for (const pch of ['q', 'k', 'v']) {
          const w = seq(D * D, 0.5, pch.charCodeAt(0));
          for (let i = 0; i < D; i++) s += x[r * 3 * D + i]! * w[i * D + j]!;
        }
        assert.ok(Math.abs(Math.tanh(s) - (h1.data as Float32Array)[r * D + j]!) < 1e-5);
      }
    }
    await session.release();
  });
});

describe('dynamically quantized graphs (structure only)', () => {
  /** Two blocks whose q/k/v projections are MatMulInteger behind one shared DynamicQuantizeLinear. */
  function quantizedBlocks(g: Buffer[]): string {
    let h = 'x';
    for (let b = 0; b < 2; b++) {
      g.push(node('DynamicQuantizeLinear', [h], [`${h}.q`, `${h}.s`, `${h}.z`]));
      for (const p of ['q', 'k', 'v']) quantizedLinear(g, h, `W${b}${p}`, `${b}${p}`, false);
      g.push(
        node('Add', [`${b}q`, `${b}k`], [`${b}qk`]),
        node('Add', [`${b}qk`, `${b}v`], [`${b}sum`]),
        node('Tanh', [`${b}sum`], [`h${b + 1}`]),
      );
      h = `h${b + 1}`;
    }
    g.push(ints('zero', [], [0]), node('Gather', [h, 'zero'], ['cls'], [attrInt('axis', 1)]));
    return 'cls';
  }

  it('counts blocks whose projections read one shared DynamicQuantizeLinear; an fp32 head is tapped', async () => {
    const g: Buffer[] = [];
    const cls = quantizedBlocks(g);
    g.push(
      floats('pre.w', [D, D], seq(D * D, 0.7)),
      floats('pre.b', [D], seq(D, 0.1)),
      node('Gemm', [cls, 'pre.w', 'pre.b'], ['pre'], [attrInt('transB', 1)]),
    );
    g.push(
      node('Relu', ['pre'], ['relu']),
      floats('c.w', [2, D], seq(2 * D, 0.7)),
      node('Gemm', ['relu', 'c.w'], ['logits'], [attrInt('transB', 1)]),
    );
    g.push(valueInfo(11, 'x', ['batch', 'seq', D]), valueInfo(12, 'logits', ['batch', 2]));
    const p = await prepareTappedModel(write(model(g)), fs.mkdtempSync(path.join(TMP, 'onnx-crafted-cache-')), {
      expectedLayers: 2,
    });
    assert.equal(p.plan.outputs.layers.length, 2);
    assert.equal(p.plan.outputs.layers[1], 'cls');
  });

  it('a quantized classifier (int8 weight, no weight zero point, weight scale 1) is tapped and dequantized', async () => {
    const g: Buffer[] = [];
    const cls = quantizedBlocks(g);
    g.push(
      floats('pre.w', [D, D], seq(D * D, 0.7)),
      node('Gemm', [cls, 'pre.w'], ['pre'], [attrInt('transB', 1)]),
      node('Relu', ['pre'], ['relu']),
    );
    quantizedLinear(g, 'relu', 'c.w', 'c.mm');
    g.push(floats('c.b', [D], seq(D, 0.1)), node('Add', ['c.b', 'c.mm'], ['logits']));
    g.push(valueInfo(11, 'x', ['batch', 'seq', D]), valueInfo(12, 'logits', ['batch', D]));
    const p = await prepareTappedModel(write(model(g)), fs.mkdtempSync(path.join(TMP, 'onnx-crafted-cache-')), {
      expectedLayers: 2,
    });
    assert.equal(p.plan.head.classifierOp, 'MatMulInteger+Add');
    assert.equal(p.plan.head.preClassifierOp, 'Gemm');
    assert.equal(p.plan.head.quantized, true);
    // int8 payload (i * 37) % 255 read as signed bytes, stored [in][out], returned [out][in].
    const signed = (k: number): number => (((k * 37) % 255) << 24) >> 24;
    assert.deepEqual(
      Array.from(p.weights.classifierWeight),
      Array.from({ length: D * D }, (_, k) => signed((k % D) * D + Math.floor(k / D))),
    );
    const session = await ort.InferenceSession.create(p.path);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(seq(3 * D, 1, 0.5)), [1, 3, D]) });
    const input = out[p.plan.outputs.classifierInput!]!.data as Float32Array;
    const logits = out['logits']!.data as Float32Array;
    for (let l = 0; l < D; l++) {
      let s = p.weights.classifierBias[l]!;
      for (let u = 0; u < D; u++) s += p.weights.classifierWeight[l * D + u]! * input[u]!;
      assert.ok(Math.abs(s - logits[l]!) <= 1e-4 * Math.max(1, Math.abs(s)), `logit ${l}: ${s} vs ${logits[l]}`);
    }
    await session.release();
  });

  it('per-channel int8 weights (scale and zero point per output column), as quantize_dynamic(per_channel=True) writes', async () => {
    const g: Buffer[] = [];
    const cls = quantizedBlocks(g);
    g.push(
      floats('pre.w', [D, D], seq(D * D, 0.7)),
      node('Gemm', [cls, 'pre.w'], ['pre'], [attrInt('transB', 1)]),
      node('Relu', ['pre'], ['relu']),
    );
    const scales = [0.01, 0.02, 0.03, 0.04];
    const zps = [0, 1, -2, 3];
    g.push(node('DynamicQuantizeLinear', ['relu'], ['relu.q', 'relu.s', 'relu.z']), int8('c.w', [D, D], D * D));
    g.push(
      fieldMessage(5, [
        fieldVarint(1, D),
        fieldVarint(2, 3),
        fieldBytes(8, 'c.zp'),
        fieldBytes(9, Buffer.from(Int8Array.from(zps).buffer)),
      ]),
    );
    g.push(floats('c.ws', [D], scales), node('MatMulInteger', ['relu.q', 'c.w', 'relu.z', 'c.zp'], ['c.i32']));
    g.push(
      node('Cast', ['c.i32'], ['c.f'], [attrInt('to', 1)]),
      node('Mul', ['c.ws', 'relu.s'], ['c.scales']),
      node('Mul', ['c.scales', 'c.f'], ['c.mm']),
    );
    g.push(floats('c.b', [D], seq(D, 0.1)), node('Add', ['c.mm', 'c.b'], ['logits']));
    g.push(valueInfo(11, 'x', ['batch', 'seq', D]), valueInfo(12, 'logits', ['batch', D]));
    const p = await prepareTappedModel(write(model(g)), fs.mkdtempSync(path.join(TMP, 'onnx-crafted-cache-')), {
      expectedLayers: 2,
    });
    const signed = (k: number): number => (((k * 37) % 255) << 24) >> 24;
    // HeadWeights [out][in]: (W_q[in][out] - zp[out]) * scale[out].
    const want = Array.from({ length: D * D }, (_, k) => {
      const o = Math.floor(k / D),
        i = k % D;
      return Math.fround((signed(i * D + o) - zps[o]!) * Math.fround(scales[o]!));
    });
    assert.ok(Array.from(p.weights.classifierWeight).every((v, k) => Math.abs(v - want[k]!) <= 1e-6));
    const session = await ort.InferenceSession.create(p.path);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(seq(3 * D, 1, 0.9)), [1, 3, D]) });
    const input = out[p.plan.outputs.classifierInput!]!.data as Float32Array;
    const logits = out['logits']!.data as Float32Array;
    for (let l = 0; l < D; l++) {
      let s = p.weights.classifierBias[l]!;
      for (let u = 0; u < D; u++) s += p.weights.classifierWeight[l * D + u]! * input[u]!;
      assert.ok(Math.abs(s - logits[l]!) <= 1e-5, `logit ${l}: ${s} vs ${logits[l]}`);
    }
    await session.release();
  });

  it('another quantized form (QLinearMatMul) is reported as such', async () => {
    const g: Buffer[] = [];
    const cls = quantizedBlocks(g);
    g.push(
      floats('pre.w', [D, D], seq(D * D, 0.7)),
      node('Gemm', [cls, 'pre.w'], ['pre'], [attrInt('transB', 1)]),
      node('Relu', ['pre'], ['relu']),
    );
    g.push(
      int8('c.w', [D, D], D * D),
      node('QLinearMatMul', ['relu', 's', 'z', 'c.w', 's', 'z', 's', 'z'], ['c.q']),
      node('Cast', ['c.q'], ['logits'], [attrInt('to', 1)]),
    );
    g.push(valueInfo(11, 'x', ['batch', 'seq', D]), valueInfo(12, 'logits', ['batch', D]));
    const e = await graphError(write(model(g)));
    assert.equal(e.code, 'UNSUPPORTED');
    assert.match(e.message, /classifier is quantized in a form other than dynamic MatMulInteger .*QLinearMatMul/);
  });
});

describe('errors name the file and what was found instead', () => {
  it('a head with Sigmoid instead of ReLU or tanh', async () => {
    const file = headGraph({ activation: 'Sigmoid' });
    const e = await graphError(file);
    assert.equal(e.code, 'NO_HEAD');
    assert.match(e.message, /reads Sigmoid .*expected a Relu or Tanh/);
    assert.ok(e.message.includes(file));
  });

  it('a tanh (pooler) head passes the head check; DistilBERT wants ReLU', async () => {
    // No blocks in this graph, so a recognised head gets as far as the layer search.
    assert.equal((await graphError(headGraph({ activation: 'Tanh' }))).code, 'LAYERS');
    const cache = fs.mkdtempSync(path.join(TMP, 'onnx-crafted-cache-'));
    await assert.rejects(
      prepareTappedModel(headGraph({ activation: 'Tanh' }), cache, { headKind: 'distilbert' }),
      (e: GraphError) => {
        assert.equal(e.code, 'NO_HEAD');
        assert.match(
          e.message,
          /no distilbert classification head \(pre_classifier -> ReLU -> classifier\).*reads Tanh .*expected a Relu/,
        );
        return true;
      },
    );
  });

  it('no output named logits', async () => {
    const e = await graphError(headGraph({ activation: 'Relu', outputName: 'scores' }));
    assert.equal(e.code, 'NO_LOGITS');
    assert.match(e.message, /outputs are 'scores'/);
  });

  it('mean pooling instead of the [CLS] row', async () => {
    const e = await graphError(headGraph({ activation: 'Relu', select: 'mean' }));
    assert.equal(e.code, 'NO_HEAD');
    assert.match(e.message, /ReduceMean/);
  });

  it('a head but no transformer blocks', async () => {
    const e = await graphError(headGraph({ activation: 'Relu' }));
    assert.equal(e.code, 'LAYERS');
    assert.match(e.message, /found 0 transformer block/);
  });

  it('a block count that differs from config n_layers', async () => {
    const e = await graphError(FIXTURE, 3);
    assert.equal(e.code, 'LAYERS');
    assert.match(e.message, /found 2 .* n_layers is 3/);
  });

  it('a truncated model file', async () => {
    const bytes = fs.readFileSync(FIXTURE);
    for (const cut of [bytes.length - 1, Math.floor(bytes.length / 2), 7]) {
      const file = write(bytes.subarray(0, cut));
      const e = await graphError(file);
      assert.equal(e.code, 'CORRUPT', `cut at ${cut}`);
      assert.ok(e.message.includes(file));
    }
  });

  it('a file that is not ONNX, and a missing file', async () => {
    assert.equal((await graphError(write(Buffer.from('{"not": "onnx"}\n')))).code, 'CORRUPT');
    const missing = path.join(os.tmpdir(), 'no-such-dir-onnx', 'model.onnx');
    const e = await graphError(missing);
    assert.equal(e.code, 'NOT_FOUND');
    assert.ok(e.message.includes(missing));
  });
});
