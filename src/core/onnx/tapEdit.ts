// The edit that exposes the taps. Protobuf parsers merge repeated occurrences of an embedded message
// field, appending repeated fields, so the tapped model is the original file byte for byte followed by
// ONE more ModelProto.graph record holding only new nodes and new outputs. Nothing is decoded or
// re-encoded, so fields we do not understand survive and memory stays flat.
import { freshNamer, GraphIndex } from './graphIndex';
import type { QuantizedInput } from './linear';
import { fieldBytes, fieldMessage, fieldVarint } from './wire';

const PREFIX = 'inspector_tap/';

export interface TapEdit {
  /** Bytes to append to the original model file. */
  record: Buffer;
  /** Tensor names of the per-block [CLS] vectors, [batch, dim] each. */
  layerTaps: string[];
  /** The dequantized activation a quantized classifier multiplies, when `dequantize` was given. */
  dequantized?: string;
}

/**
 * Adds a Gather(axis 1, index 0) per block output so only [batch, dim] leaves ORT rather than a
 * [batch, seq, dim] tensor per block, and declares every tap as a graph output. `reuse` maps a block
 * output to an existing [CLS] tensor (the last block's is the head's own cls input). `dequantize` adds
 * DequantizeLinear(q, scale, zero point) of a dynamically quantized classifier's input: what it really
 * multiplies, so the logit decomposition adds up to the quantized graph's logits.
 */
export function buildTapEdit(
  g: GraphIndex,
  outputs: string[],
  blockOutputs: string[],
  reuse: Map<string, string>,
  dequantize?: QuantizedInput,
): TapEdit {
  const fresh = freshNamer(g, PREFIX);
  const nodes: Buffer[] = [];
  let index: string | undefined;
  const layerTaps = blockOutputs.map((hidden, i) => {
    const existing = reuse.get(hidden);
    if (existing !== undefined) return existing;
    if (index === undefined) {
      index = fresh('cls_index');
      nodes.push(constantScalarInt64(index, 0, index));
    }
    const out = fresh(`layer_${i}_cls`);
    nodes.push(node('Gather', out, [hidden, index], [out], [attrInt('axis', 1)]));
    return out;
  });
  let dequantized: string | undefined;
  if (dequantize) {
    dequantized = fresh('classifier_input');
    nodes.push(
      node('DequantizeLinear', dequantized, [dequantize.q, dequantize.scale, dequantize.zeroPoint], [dequantized], []),
    );
  }
  const declared = new Set(g.outputs);
  const newOutputs: Buffer[] = [];
  for (const name of [...outputs, ...layerTaps, ...(dequantized ? [dequantized] : [])]) {
    if (declared.has(name)) continue;
    declared.add(name);
    // ValueInfoProto with a name only: ORT infers the type and shape.
    newOutputs.push(fieldMessage(12, [fieldBytes(1, name)]));
  }
  const graph = Buffer.concat([...nodes, ...newOutputs]);
  return dequantized
    ? { record: fieldBytes(7, graph), layerTaps, dequantized }
    : { record: fieldBytes(7, graph), layerTaps };
}

/** A NodeProto as GraphProto field 1 (default domain). */
export function node(opType: string, name: string, inputs: string[], outputs: string[], attrs: Buffer[]): Buffer {
  return fieldMessage(1, [
    ...inputs.map((i) => fieldBytes(1, i)),
    ...outputs.map((o) => fieldBytes(2, o)),
    fieldBytes(3, name),
    fieldBytes(4, opType),
    ...attrs.map((a) => fieldBytes(5, a)),
  ]);
}

/** AttributeProto {name, i, type=INT(2)}. */
export function attrInt(name: string, value: number): Buffer {
  return Buffer.concat([fieldBytes(1, name), fieldVarint(3, value), fieldVarint(20, 2)]);
}

/** A Constant node whose value is an int64 scalar (TensorProto dims=[], data_type=INT64(7), raw_data). */
function constantScalarInt64(output: string, value: number, nodeName: string): Buffer {
  const raw = Buffer.alloc(8);
  raw.writeBigInt64LE(BigInt(value));
  const tensor = Buffer.concat([fieldVarint(2, 7), fieldBytes(8, output), fieldBytes(9, raw)]);
  // AttributeProto {name 'value', t, type=TENSOR(4)}.
  const attr = Buffer.concat([fieldBytes(1, 'value'), fieldBytes(5, tensor), fieldVarint(20, 4)]);
  return node('Constant', nodeName, [], [output], [attr]);
}
