// Dynamic int8 quantization of an fp32 ONNX graph, written at the wire level like the tapper: every
// field we do not rewrite (other nodes, embeddings, value_info, opsets, unknown fields) is copied byte
// for byte from the source file, so nothing is decoded but the weights we quantize.
//
// Each MatMul with a constant 2-D float weight (and each Gemm, first turned into MatMul + Add as ORT's
// quantizer does with replace_gemm_with_matmul) becomes the pattern ORT's quantize_dynamic emits for
// QInt8 weights (operators/matmul.py):
//   (xq, xs, xz) = DynamicQuantizeLinear(x)                      one per activation, shared by its readers
//   y = Mul(Cast(MatMulInteger(xq, Wq, xz, 0)), Mul(xs, Ws))     Wq int8, symmetric, Ws per column
// which ORT's CPU optimizer fuses into MatMulIntegerToFloat / DynamicQuantizeMatMul (VNNI/AMX kernels).
// A bias Add is rewritten with the bias second, the operand order that fusion folds into the kernel.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DataType, GraphIndex, NodeInfo, TensorField, TensorRef, indexModel } from '../onnx/graphIndex';
import { constantOf } from '../onnx/linear';
import { attrInt, node } from '../onnx/tapEdit';
import { readFloats } from '../onnx/tensorValues';
import { initializer, writeRewrite } from '../onnx/rewrite';
import { ByteSource, FileSource, WireType, forEachField, readString } from '../onnx/wire';
import { Int8Options, quantizeWeight } from './int8';

/** ModelProto.metadata_props key recording how a graph was quantized (read back by readQuantizationInfo). */
export const QUANT_METADATA_KEY = 'distilbert_inspector.quantization';

/** What was quantized. */
export interface QuantizeStats {
  matmuls: number;
  gemms: number;
  /** DynamicQuantizeLinear nodes (one per distinct activation). */
  activations: number;
  sourceBytes: number;
  outputBytes: number;
}

/** The recorded options of a graph this project quantized. */
export interface QuantizationInfo extends Int8Options {
  weights: 'int8';
}

/** Quantizes `src` into `dst` (written to a temp file beside it, then renamed: never a half-written dst). */
export async function quantizeModelFile(src: string, dst: string, opts: Int8Options): Promise<QuantizeStats> {
  let sourceBytes = 0;
  let counts = { matmuls: 0, gemms: 0, activations: 0 };
  const outputBytes = await writeRewrite(src, dst, (source) => {
    sourceBytes = source.size;
    const plan = planRewrite(indexModel(source), opts);
    counts = { matmuls: plan.matmuls, gemms: plan.gemms, activations: plan.activations };
    const info: QuantizationInfo = { weights: 'int8', perChannel: opts.perChannel, reduceRange: opts.reduceRange };
    return { ...plan, metadata: { key: QUANT_METADATA_KEY, value: JSON.stringify(info) } };
  });
  return { ...counts, sourceBytes, outputBytes };
}

interface RewritePlan {
  /** Replacement bytes per node index (absent: copy the node as it is). */
  replaced: Map<number, Buffer[]>;
  newInitializers: Buffer[];
  /** Initializers no node reads any more (the fp32 weights that were quantized). */
  dropped: Set<string>;
  matmuls: number;
  gemms: number;
  activations: number;
}

function planRewrite(g: GraphIndex, opts: Int8Options): RewritePlan {
  const opset = g.opsets.get('') ?? g.opsets.get('ai.onnx') ?? 0;
  if (opset < 11)
    throw new Error(
      `the graph uses opset ${opset}; DynamicQuantizeLinear needs opset 11 or newer (re-export with opset 14+)`,
    );
  const external = [...g.initializers.values()].find((t) => t.external);
  if (external)
    throw new Error(`initializer ${external.name} keeps its data in an external file, which is not supported`);
  const taken = new Set<string>([
    ...g.producer.keys(),
    ...g.initializers.keys(),
    ...g.inputs,
    ...g.outputs,
    ...g.nodes.map((n) => n.name),
  ]);
  const fresh = (base: string): string => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  const plan: RewritePlan = {
    replaced: new Map(),
    newInitializers: [],
    dropped: new Set(),
    matmuls: 0,
    gemms: 0,
    activations: 0,
  };
  const activations = new Map<string, [string, string, string]>();
  const weights = new Map<string, [string, string, string]>();
  const quantizedOutputs = new Set<string>();

  for (const n of g.nodes) {
    const lin = quantizable(g, n);
    if (!lin) continue;
    const out: Buffer[] = [];
    let act = activations.get(lin.input);
    if (!act) {
      act = [fresh(`${lin.input}_quantized`), fresh(`${lin.input}_scale`), fresh(`${lin.input}_zero_point`)];
      out.push(node('DynamicQuantizeLinear', fresh(`${lin.input}_QuantizeLinear`), [lin.input], act, []));
      activations.set(lin.input, act);
    }
    const wKey = `${lin.weight.name}|${lin.transposed ? 'T' : ''}`;
    let w = weights.get(wKey);
    if (!w) {
      const base = lin.weight.name + (lin.transposed ? '_Transposed' : '');
      w = [fresh(`${base}_quantized`), fresh(`${base}_scale`), fresh(`${base}_zero_point`)];
      const [inDim, outDim] = lin.transposed
        ? [lin.weight.dims[1]!, lin.weight.dims[0]!]
        : [lin.weight.dims[0]!, lin.weight.dims[1]!];
      let values = readFloatsFast(g.src, lin.weight);
      if (lin.transposed) values = transpose(values, outDim, inDim);
      const qw = quantizeWeight(values, inDim, outDim, opts);
      plan.newInitializers.push(
        initializer(w[0], DataType.INT8, [inDim, outDim], Buffer.from(qw.q.buffer, qw.q.byteOffset, qw.q.byteLength)),
        initializer(w[1], DataType.FLOAT, qw.scale.length === 1 ? [] : [qw.scale.length], floatBytes(qw.scale)),
        initializer(w[2], DataType.INT8, [], Buffer.alloc(1)),
      );
      weights.set(wKey, w);
      plan.dropped.add(lin.weight.name);
    }
    const hasBias = lin.bias !== undefined;
    const y = hasBias ? fresh(`${lin.output}_MatMul`) : lin.output;
    const base = n.name || lin.output;
    const mmi = fresh(`${y}_output_quantized`);
    const cast = fresh(`${mmi}_cast_output`);
    const scales = fresh(`${base}_scales_mul:0`);
    out.push(
      node('MatMulInteger', fresh(`${base}_quant`), [act[0], w[0], act[2], w[2]], [mmi], []),
      node('Cast', fresh(`${mmi}_cast`), [mmi], [cast], [attrInt('to', DataType.FLOAT)]),
      node('Mul', fresh(`${base}_scales_mul`), [act[1], w[1]], [scales], []),
      node('Mul', fresh(`${base}_output_scale_mul`), [cast, scales], [y], []),
    );
    if (hasBias) out.push(node('Add', fresh(`${base}_Add`), [y, lin.bias!], [lin.output], []));
    plan.replaced.set(n.index, out);
    quantizedOutputs.add(y);
    if (n.opType === 'Gemm') plan.gemms++;
    else plan.matmuls++;
  }
  plan.activations = activations.size;

  // Bias first (torch's Add(bias, x W)) keeps the Add out of ORT's fused kernel; addition commutes exactly.
  for (const n of g.nodes) {
    if (n.opType !== 'Add' || n.domain !== '' || n.inputs.length !== 2 || plan.replaced.has(n.index)) continue;
    const [a, b] = n.inputs as [string, string];
    if (quantizedOutputs.has(b) && !quantizedOutputs.has(a) && constantOf(g, a)) {
      plan.replaced.set(n.index, [node('Add', n.name, [b, a], n.outputs, [])]);
    }
  }

  // An initializer still read elsewhere (or from a subgraph we do not look into) stays.
  const hasSubgraphs = g.nodes.some((n) => n.opType === 'If' || n.opType === 'Loop' || n.opType === 'Scan');
  const stillRead = new Set<string>(g.outputs);
  for (const n of g.nodes)
    if (!plan.replaced.has(n.index) || n.opType === 'Add') for (const i of n.inputs) stillRead.add(i);
  for (const name of plan.dropped)
    if (hasSubgraphs || stillRead.has(name) || g.producer.has(name)) plan.dropped.delete(name);
  return plan;
}

interface QuantizableLinear {
  input: string;
  output: string;
  weight: TensorRef;
  /** The stored weight is [out, in] (Gemm transB=1). */
  transposed: boolean;
  bias?: string;
}

function quantizable(g: GraphIndex, n: NodeInfo): QuantizableLinear | undefined {
  if (n.domain !== '' && n.domain !== 'ai.onnx') return undefined;
  if (n.opType !== 'MatMul' && n.opType !== 'Gemm') return undefined;
  const input = n.inputs[0];
  const output = n.outputs[0];
  // Only an initializer itself: a weight behind Identity/Constant nodes is left in fp32 (ORT does the same).
  const weight = g.initializers.get(n.inputs[1] ?? '');
  if (!input || !output || !weight || weight.dataType !== DataType.FLOAT || weight.dims.length !== 2) return undefined;
  if (n.opType === 'MatMul') return { input, output, weight, transposed: false };
  const attr = (name: string, fallback: number) => n.attrs.get(name)?.i ?? fallback;
  const alpha = n.attrs.get('alpha')?.f ?? 1;
  const beta = n.attrs.get('beta')?.f ?? 1;
  if (attr('transA', 0) !== 0 || alpha !== 1 || beta !== 1) return undefined;
  const bias = n.inputs[2] ? n.inputs[2] : undefined;
  return { input, output, weight, transposed: attr('transB', 0) !== 0, ...(bias ? { bias } : {}) };
}

/** The quantization recorded in a graph's metadata by this project, if any (reads only the top-level fields). */
export function readQuantizationInfo(file: string): QuantizationInfo | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const src = new FileSource(fd);
    let info: QuantizationInfo | undefined;
    forEachField(src, 0, src.size, (f) => {
      if (f.no !== 14 || f.wire !== WireType.Bytes) return;
      let key = '';
      let value = '';
      forEachField(src, f.pos, f.pos + f.len, (e) => {
        if (e.no === 1 && e.wire === WireType.Bytes) key = readString(src, e);
        else if (e.no === 2 && e.wire === WireType.Bytes) value = readString(src, e);
      });
      if (key !== QUANT_METADATA_KEY) return;
      try {
        const v = JSON.parse(value) as Partial<QuantizationInfo>;
        if (v.weights === 'int8' && typeof v.perChannel === 'boolean' && typeof v.reduceRange === 'boolean')
          info = v as QuantizationInfo;
      } catch {
        // not ours after all
      }
    });
    return info;
  } finally {
    fs.closeSync(fd);
  }
}

function floatBytes(values: Float32Array): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}

/** A FLOAT tensor's values; one little-endian raw_data payload is copied in one go rather than value by value. */
function readFloatsFast(src: ByteSource, t: TensorRef): Float32Array {
  const only = t.payload.length === 1 ? t.payload[0]! : undefined;
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (
    only?.no === TensorField.rawData &&
    t.dataType === DataType.FLOAT &&
    only.len === n * 4 &&
    os.endianness() === 'LE'
  ) {
    const copy = new Float32Array(n);
    new Uint8Array(copy.buffer).set(src.read(only.pos, only.len));
    return copy;
  }
  return readFloats(src, t);
}

/** [rows][cols] -> [cols][rows]. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}
