// An index of an ONNX model's graph (nodes, inputs, outputs, initializer headers) read without decoding
// any weights: initializer payloads are located (position + length) and only read on demand.
import { ByteSource, Field, WireError, WireType, forEachField, readPackedVarints, readString } from './wire';

// Field numbers from onnx.proto (stable since ONNX 1.0; new fields are simply skipped).
const MODEL = { irVersion: 1, graph: 7, opsetImport: 8 } as const;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTR = { name: 1, f: 2, i: 3, s: 4, t: 5, ints: 8 } as const;
const TENSOR = {
  dims: 1,
  dataType: 2,
  floatData: 4,
  int32Data: 5,
  int64Data: 7,
  name: 8,
  rawData: 9,
  dataLocation: 14,
} as const;

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10, DOUBLE: 11 } as const;

/** An initializer (or Constant value) whose payload has been located but not read. */
export interface TensorRef {
  name: string;
  dims: number[];
  dataType: number;
  /** Payload fields (raw_data, float_data, int64_data, ...) by position; read with tensorValues.ts. */
  payload: Field[];
  external: boolean;
}

export interface Attribute {
  name: string;
  i?: number;
  f?: number;
  s?: string;
  ints?: number[];
  t?: TensorRef;
}

export interface NodeInfo {
  /** Position in the file's node list (torch exports are topologically sorted; we do not rely on it). */
  index: number;
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, Attribute>;
  /** Where the NodeProto's payload lies in the file (for copying it with changes, see rewrite.ts). */
  field: { pos: number; len: number };
}

export interface GraphIndex {
  src: ByteSource;
  irVersion: number;
  /** Opset version per domain ('' is the default ONNX domain). */
  opsets: Map<string, number>;
  nodes: NodeInfo[];
  initializers: Map<string, TensorRef>;
  /** Graph inputs fed by the caller (initializers listed as inputs, as in IR < 4, are excluded). */
  inputs: string[];
  outputs: string[];
  producer: Map<string, NodeInfo>;
  consumers: Map<string, NodeInfo[]>;
}

/** Reads the model's structure. Throws WireError if the bytes are not a well-formed protobuf message. */
export function indexModel(src: ByteSource): GraphIndex {
  const g: GraphIndex = {
    src,
    irVersion: 0,
    opsets: new Map(),
    nodes: [],
    initializers: new Map(),
    inputs: [],
    outputs: [],
    producer: new Map(),
    consumers: new Map(),
  };
  let graphRecords = 0;
  const declaredInputs: string[] = [];
  forEachField(src, 0, src.size, (f) => {
    if (f.no === MODEL.irVersion && f.wire === WireType.Varint) g.irVersion = Number(f.value);
    else if (f.no === MODEL.opsetImport && f.wire === WireType.Bytes) {
      let domain = '';
      let version = 0;
      forEachField(src, f.pos, f.pos + f.len, (o) => {
        if (o.no === 1 && o.wire === WireType.Bytes) domain = readString(src, o);
        else if (o.no === 2 && o.wire === WireType.Varint) version = Number(o.value);
      });
      g.opsets.set(domain, version);
    } else if (f.no === MODEL.graph && f.wire === WireType.Bytes) {
      // Protobuf merges repeated occurrences of a message field, so a file may carry several graph
      // records (our tapped files do); repeated fields concatenate in file order.
      graphRecords++;
      readGraph(src, f, g, declaredInputs);
    }
  });
  if (graphRecords === 0) throw new WireError('no graph (ModelProto field 7) found', 0);
  g.inputs = declaredInputs.filter((n) => !g.initializers.has(n));
  for (const node of g.nodes) {
    for (const o of node.outputs) if (o) g.producer.set(o, node);
    for (const i of node.inputs) {
      if (!i) continue;
      const list = g.consumers.get(i);
      if (list) list.push(node);
      else g.consumers.set(i, [node]);
    }
  }
  return g;
}

function readGraph(src: ByteSource, gf: Field, g: GraphIndex, declaredInputs: string[]): void {
  forEachField(src, gf.pos, gf.pos + gf.len, (f) => {
    if (f.wire !== WireType.Bytes) return;
    if (f.no === GRAPH.node) g.nodes.push(readNode(src, f, g.nodes.length));
    else if (f.no === GRAPH.initializer) {
      const t = readTensorHeader(src, f);
      g.initializers.set(t.name, t);
    } else if (f.no === GRAPH.input) declaredInputs.push(readValueInfoName(src, f));
    else if (f.no === GRAPH.output) g.outputs.push(readValueInfoName(src, f));
  });
}

function readValueInfoName(src: ByteSource, vf: Field): string {
  let name = '';
  forEachField(src, vf.pos, vf.pos + vf.len, (f) => {
    if (f.no === 1 && f.wire === WireType.Bytes) name = readString(src, f);
  });
  return name;
}

function readNode(src: ByteSource, nf: Field, index: number): NodeInfo {
  const node: NodeInfo = {
    index,
    name: '',
    opType: '',
    domain: '',
    inputs: [],
    outputs: [],
    attrs: new Map(),
    field: { pos: nf.pos, len: nf.len },
  };
  forEachField(src, nf.pos, nf.pos + nf.len, (f) => {
    if (f.wire !== WireType.Bytes) return;
    switch (f.no) {
      case NODE.input:
        node.inputs.push(readString(src, f));
        break;
      case NODE.output:
        node.outputs.push(readString(src, f));
        break;
      case NODE.name:
        node.name = readString(src, f);
        break;
      case NODE.opType:
        node.opType = readString(src, f);
        break;
      case NODE.domain:
        node.domain = readString(src, f);
        break;
      case NODE.attribute: {
        const a = readAttribute(src, f);
        node.attrs.set(a.name, a);
        break;
      }
    }
  });
  return node;
}

function readAttribute(src: ByteSource, af: Field): Attribute {
  const a: Attribute = { name: '' };
  forEachField(src, af.pos, af.pos + af.len, (f) => {
    if (f.no === ATTR.name && f.wire === WireType.Bytes) a.name = readString(src, f);
    else if (f.no === ATTR.i && f.wire === WireType.Varint) a.i = Number(f.value);
    else if (f.no === ATTR.f && f.wire === WireType.Fixed32) a.f = src.read(f.pos, 4).readFloatLE(0);
    else if (f.no === ATTR.s && f.wire === WireType.Bytes) a.s = readString(src, f);
    else if (f.no === ATTR.t && f.wire === WireType.Bytes) a.t = readTensorHeader(src, f);
    else if (f.no === ATTR.ints) (a.ints ??= []).push(...repeatedInts(src, f));
    // Subgraphs (g, graphs) are not descended into: a classifier head never lives inside If/Loop.
  });
  return a;
}

/** onnx.proto is proto2, where `repeated int64` is unpacked unless marked; writers may emit either form. */
function repeatedInts(src: ByteSource, f: Field): number[] {
  if (f.wire === WireType.Varint) return [Number(f.value)];
  if (f.wire === WireType.Bytes) return readPackedVarints(src, f).map(Number);
  return [];
}

export function readTensorHeader(src: ByteSource, tf: Field): TensorRef {
  const t: TensorRef = { name: '', dims: [], dataType: 0, payload: [], external: false };
  forEachField(src, tf.pos, tf.pos + tf.len, (f) => {
    switch (f.no) {
      case TENSOR.dims:
        t.dims.push(...repeatedInts(src, f));
        break;
      case TENSOR.dataType:
        if (f.wire === WireType.Varint) t.dataType = Number(f.value);
        break;
      case TENSOR.name:
        if (f.wire === WireType.Bytes) t.name = readString(src, f);
        break;
      case TENSOR.dataLocation:
        if (f.wire === WireType.Varint && f.value === 1n) t.external = true;
        break;
      case TENSOR.rawData:
      case TENSOR.floatData:
      case TENSOR.int32Data:
      case TENSOR.int64Data:
        t.payload.push(f);
        break;
    }
  });
  return t;
}

export const TensorField = TENSOR;

/** Everything `tensor` depends on: the tensors (itself included) and the nodes that produce them. */
/**
 * Names for tensors and nodes added to the graph: `prefix + base`, numbered when taken, never colliding with a
 * tensor, initializer, input or node the graph has, nor with a name given out before.
 */
export function freshNamer(g: GraphIndex, prefix: string): (base: string) => string {
  const taken = new Set<string>([
    ...g.producer.keys(),
    ...g.initializers.keys(),
    ...g.inputs,
    ...g.nodes.map((n) => n.name),
  ]);
  return (base) => {
    let name = prefix + base;
    for (let k = 1; taken.has(name); k++) name = `${prefix}${base}_${k}`;
    taken.add(name);
    return name;
  };
}

export function upstreamOf(g: GraphIndex, tensor: string): { tensors: Set<string>; nodes: Set<NodeInfo> } {
  const tensors = new Set<string>([tensor]);
  const nodes = new Set<NodeInfo>();
  const stack = [tensor];
  while (stack.length > 0) {
    const node = g.producer.get(stack.pop()!);
    // A node with several outputs is reached once per output; its inputs were queued the first time.
    if (!node || nodes.has(node)) continue;
    nodes.add(node);
    for (const i of node.inputs) {
      if (i && !tensors.has(i)) {
        tensors.add(i);
        stack.push(i);
      }
    }
  }
  return { tensors, nodes };
}
