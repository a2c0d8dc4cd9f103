// Recognising a Linear layer (y = x W^T + b) in an exported graph, whatever form the exporter chose:
// Gemm (transB=1 from torch, or transB=0), or MatMul with a constant [in, out] weight plus an Add of a
// constant bias in either operand order. Weights may be renamed (onnx::MatMul_NNN), shared through
// Identity nodes, or come from a Constant node; the result is normalised to row-major [out][in].
import { GraphIndex, NodeInfo, TensorRef } from './graphIndex';
import { readFloats, readInts } from './tensorValues';

/** Nodes that pass a tensor through unchanged at inference. */
const PASS_THROUGH = new Set(['Identity', 'Dropout']);

/** Ops that mark a quantized Linear; forms other than dynamic MatMulInteger are reported by name. */
export const QUANTIZED_OPS = new Set([
  'MatMulInteger',
  'DynamicQuantizeLinear',
  'DequantizeLinear',
  'QLinearMatMul',
  'MatMulIntegerToFloat',
]);

/** How a dynamically quantized Linear quantizes its input: DynamicQuantizeLinear(input) -> (q, scale, zeroPoint). */
export interface QuantizedInput {
  q: string;
  scale: string;
  zeroPoint: string;
}

export interface LinearMatch {
  op: 'Gemm' | 'MatMul+Add' | 'MatMul' | 'MatMulInteger+Add' | 'MatMulInteger';
  nodes: NodeInfo[];
  input: string;
  output: string;
  inDim: number;
  outDim: number;
  weightName: string;
  biasName: string | undefined;
  /** Row-major [out][in]; for a quantized Linear the dequantized weight (W_q - zero_point) * scale. */
  weight: Float32Array;
  bias: Float32Array;
  /** Set for a dynamically quantized Linear: the layer multiplies dequantize(q) by `weight`, not `input` itself. */
  quantizedInput?: QuantizedInput;
}

/** The constant bias Add after a MatMul (or a quantized one), with the bias input's own name. */
interface BiasAdd {
  node: NodeInfo;
  bias: TensorRef;
  biasName: string;
}

/** The node that computes `tensor`, skipping Identity/Dropout. */
export function realProducer(g: GraphIndex, tensor: string): NodeInfo | undefined {
  let node = g.producer.get(tensor);
  for (let hops = 0; node && PASS_THROUGH.has(node.opType) && hops < 64; hops++) {
    const src = node.inputs[0];
    node = src === undefined ? undefined : g.producer.get(src);
  }
  return node;
}

/** The tensor `tensor` really is, before Identity/Dropout copies. */
export function realTensor(g: GraphIndex, tensor: string): string {
  let t = tensor;
  for (let hops = 0; hops < 64; hops++) {
    const node = g.producer.get(t);
    if (!node || !PASS_THROUGH.has(node.opType) || node.inputs[0] === undefined) break;
    t = node.inputs[0];
  }
  return t;
}

/** A constant tensor: an initializer, possibly behind Identity nodes, or a Constant node's value. */
export function constantOf(g: GraphIndex, tensor: string | undefined): TensorRef | undefined {
  if (tensor === undefined || tensor === '') return undefined;
  const t = realTensor(g, tensor);
  const init = g.initializers.get(t);
  if (init) return init;
  const node = g.producer.get(t);
  if (node?.opType === 'Constant') return node.attrs.get('value')?.t;
  return undefined;
}

/** "Gemm /classifier/Gemm" for messages. */
export function describeNode(node: NodeInfo | undefined): string {
  if (!node) return 'a graph input or initializer';
  return `${node.opType}${node.name ? ` ${node.name}` : ''}`;
}

/** Matches the Linear layer producing `output`; returns a description of what is there instead on failure. */
export function matchLinear(g: GraphIndex, output: string): LinearMatch | { found: string; quantized: boolean } {
  const node = realProducer(g, output);
  if (!node) return { found: describeNode(node), quantized: false };
  const m = matchFloatLinear(g, node);
  if (!('found' in m)) return m;
  const dq = matchQuantizedLinear(g, node);
  if (dq) return dq;
  // Only once the supported forms fail: another quantized form (QDQ, QLinearMatMul) gets its own error.
  const quantized = quantizedUpstream(g, node);
  return quantized
    ? { found: `${describeNode(node)} fed by ${describeNode(quantized)} (a quantized Linear)`, quantized: true }
    : m;
}

function matchFloatLinear(g: GraphIndex, node: NodeInfo): LinearMatch | { found: string; quantized: false } {
  if (node.opType === 'Gemm')
    return matchGemm(g, node) ?? { found: `${describeNode(node)} without constant weights`, quantized: false };
  if (node.opType === 'MatMul')
    return (
      matchMatMul(g, node, undefined) ?? { found: `${describeNode(node)} without a constant weight`, quantized: false }
    );
  if (node.opType === 'Add') {
    for (const [a, b] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const mm = realProducer(g, node.inputs[a] ?? '');
      const bias = constantOf(g, node.inputs[b]);
      if (mm?.opType === 'MatMul' && bias) {
        const m = matchMatMul(g, mm, { node, bias, biasName: node.inputs[b] ?? '' });
        if (m) return m;
      }
    }
    return {
      found: `${describeNode(node)} of ${node.inputs.map((i) => describeNode(realProducer(g, i))).join(' and ')}`,
      quantized: false,
    };
  }
  return { found: describeNode(node), quantized: false };
}

/**
 * ONNX Runtime's dynamic quantization (IntegerOps, operators/matmul.py) turns x W + b into
 *   (xq, xs, xz) = DynamicQuantizeLinear(x); y = Cast(MatMulInteger(xq, Wq, xz, Wz)) * (xs * Ws) [+ b]
 * Matched from the output back, in either operand order; the weight is returned dequantized so the
 * head's arithmetic can be redone on it.
 */
function matchQuantizedLinear(g: GraphIndex, node: NodeInfo): LinearMatch | undefined {
  let add: BiasAdd | undefined;
  let mul: NodeInfo | undefined = node;
  if (node.opType === 'Add') {
    mul = undefined;
    for (const [a, b] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const m = realProducer(g, node.inputs[a] ?? '');
      const bias = constantOf(g, node.inputs[b]);
      if (m?.opType === 'Mul' && bias) {
        mul = m;
        add = { node, bias, biasName: node.inputs[b] ?? '' };
        break;
      }
    }
  }
  if (mul?.opType !== 'Mul') return undefined;
  for (const [a, b] of [
    [0, 1],
    [1, 0],
  ] as const) {
    const cast = realProducer(g, mul.inputs[a] ?? '');
    const mmi = cast?.opType === 'Cast' ? realProducer(g, cast.inputs[0] ?? '') : undefined;
    if (mmi?.opType !== 'MatMulInteger') continue;
    const dql = g.producer.get(mmi.inputs[0] ?? '');
    if (dql?.opType !== 'DynamicQuantizeLinear' || dql.outputs[0] !== mmi.inputs[0]) continue;
    const [xq, xs, xz] = dql.outputs as [string, string, string];
    // The activation's zero point must be the quantizer's own (MatMulInteger input 2).
    if (mmi.inputs[2] !== xz) continue;
    const weightScale = scaleTimesActivationScale(g, mul.inputs[b] ?? '', xs);
    const wRef = constantOf(g, mmi.inputs[1]);
    if (weightScale === undefined || !wRef || wRef.dims.length !== 2) continue;
    const [inDim, outDim] = wRef.dims as [number, number];
    const zpRef = constantOf(g, mmi.inputs[3]);
    if (mmi.inputs[3] && !zpRef) continue;
    const zp = zpRef ? readInts(g.src, zpRef) : [0];
    const scale = weightScale;
    if ((zp.length !== 1 && zp.length !== outDim) || (scale.length !== 1 && scale.length !== outDim)) continue;
    const q = readInts(g.src, wRef);
    const weight = new Float32Array(inDim * outDim);
    for (let i = 0; i < inDim; i++) {
      for (let o = 0; o < outDim; o++) {
        const z = zp.length === 1 ? zp[0]! : zp[o]!;
        const s = scale.length === 1 ? scale[0]! : scale[o]!;
        weight[o * inDim + i] = (q[i * outDim + o]! - z) * s;
      }
    }
    const match = withBiasAdd(
      g,
      {
        op: 'MatMulInteger',
        nodes: [dql, mmi, cast!, mul],
        input: dql.inputs[0] ?? '',
        inDim,
        outDim,
        weightInput: mmi.inputs[1] ?? '',
        weight,
      },
      add,
    );
    if (!match) return undefined;
    return { ...match, quantizedInput: { q: xq, scale: xs, zeroPoint: xz } };
  }
  return undefined;
}

/**
 * The weight scale in `tensor` = Mul(xs, Ws) (either order), where xs is the activation's dynamic scale
 * and Ws a constant; or xs itself (a weight scale of 1). Undefined if it is anything else.
 */
function scaleTimesActivationScale(g: GraphIndex, tensor: string, xs: string): Float32Array | undefined {
  if (realTensor(g, tensor) === xs) return new Float32Array([1]);
  const m = realProducer(g, tensor);
  if (m?.opType !== 'Mul') return undefined;
  for (const [a, b] of [
    [0, 1],
    [1, 0],
  ] as const) {
    const ws = constantOf(g, m.inputs[b]);
    if (realTensor(g, m.inputs[a] ?? '') === xs && ws) return readFloats(g.src, ws);
  }
  return undefined;
}

/**
 * A dynamically quantized Linear reads as MatMulInteger -> Cast -> Mul(scales) [-> Add(bias)]: look a few
 * hops upstream for a quantized op so the error says "quantized" instead of "not a Linear".
 */
function quantizedUpstream(g: GraphIndex, node: NodeInfo): NodeInfo | undefined {
  let frontier = [node];
  for (let hop = 0; hop < 4 && frontier.length > 0; hop++) {
    const found = frontier.find((n) => QUANTIZED_OPS.has(n.opType));
    if (found) return found;
    frontier = frontier.flatMap((n) =>
      n.inputs.map((i) => g.producer.get(i)).filter((p): p is NodeInfo => p !== undefined),
    );
  }
  return undefined;
}

function matchGemm(g: GraphIndex, node: NodeInfo): LinearMatch | undefined {
  const wRef = constantOf(g, node.inputs[1]);
  const input = node.inputs[0];
  if (!wRef || wRef.dims.length !== 2 || input === undefined) return undefined;
  if ((node.attrs.get('transA')?.i ?? 0) !== 0) return undefined;
  const transB = (node.attrs.get('transB')?.i ?? 0) !== 0;
  const alpha = node.attrs.get('alpha')?.f ?? 1;
  const beta = node.attrs.get('beta')?.f ?? 1;
  const [d0, d1] = wRef.dims as [number, number];
  const [outDim, inDim] = transB ? [d0, d1] : [d1, d0];
  const raw = readFloats(g.src, wRef);
  const weight = transB ? raw : transpose(raw, d0, d1);
  if (alpha !== 1) for (let i = 0; i < weight.length; i++) weight[i] = weight[i]! * alpha;
  const cRef = constantOf(g, node.inputs[2]);
  if (node.inputs[2] && !cRef) return undefined;
  const bias = cRef ? broadcastBias(readFloats(g.src, cRef), outDim) : new Float32Array(outDim);
  if (!bias) return undefined;
  if (beta !== 1) for (let i = 0; i < bias.length; i++) bias[i] = bias[i]! * beta;
  return {
    op: 'Gemm',
    nodes: [node],
    input,
    output: node.outputs[0] ?? '',
    inDim,
    outDim,
    weightName: realTensor(g, node.inputs[1] ?? ''),
    biasName: node.inputs[2] ? realTensor(g, node.inputs[2]) : undefined,
    weight,
    bias,
  };
}

function matchMatMul(g: GraphIndex, mm: NodeInfo, add: BiasAdd | undefined): LinearMatch | undefined {
  const wRef = constantOf(g, mm.inputs[1]);
  const input = mm.inputs[0];
  if (!wRef || wRef.dims.length !== 2 || input === undefined) return undefined;
  const [inDim, outDim] = wRef.dims as [number, number];
  const weight = transpose(readFloats(g.src, wRef), inDim, outDim);
  return withBiasAdd(
    g,
    { op: 'MatMul', nodes: [mm], input, inDim, outDim, weightInput: mm.inputs[1] ?? '', weight },
    add,
  );
}

/**
 * A MatMul or MatMulInteger match completed by its optional bias Add: the Add joins the nodes, gives the output
 * and the bias (broadcast to [out]; undefined if it cannot be). Without an Add the bias is zeros.
 */
function withBiasAdd(
  g: GraphIndex,
  m: {
    op: 'MatMul' | 'MatMulInteger';
    nodes: NodeInfo[];
    input: string;
    inDim: number;
    outDim: number;
    weightInput: string;
    weight: Float32Array;
  },
  add: BiasAdd | undefined,
): LinearMatch | undefined {
  const bias = add ? broadcastBias(readFloats(g.src, add.bias), m.outDim) : new Float32Array(m.outDim);
  if (!bias) return undefined;
  return {
    op: add ? `${m.op}+Add` : m.op,
    nodes: add ? [...m.nodes, add.node] : m.nodes,
    input: m.input,
    output: (add?.node ?? m.nodes[m.nodes.length - 1]!).outputs[0] ?? '',
    inDim: m.inDim,
    outDim: m.outDim,
    weightName: realTensor(g, m.weightInput),
    biasName: add ? realTensor(g, add.biasName) : undefined,
    weight: m.weight,
    bias,
  };
}

/** A bias of shape [out], [1, out] or a broadcast scalar, as [out]; undefined if it cannot be one. */
function broadcastBias(values: Float32Array, outDim: number): Float32Array | undefined {
  if (values.length === outDim) return values;
  if (values.length === 1) return new Float32Array(outDim).fill(values[0]!);
  return undefined;
}

/** [rows][cols] -> [cols][rows]. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}
