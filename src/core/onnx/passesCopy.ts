// The passes copy: the graph occlusion's and the explanations' passes run. They need only the logits, and the
// logits read only the [CLS] row of the last block's output, so this copy computes that block for the [CLS] row
// alone: its query projection and its residual read x[:, 0:1] (keys and values still read every position). Every
// other row of the last block is work nobody reads: at 64 tokens it is about an eighth of the whole pass.
// The copy keeps only the logits output. In an fp32 graph every number is the full graph's (up to the order of
// float additions); in a dynamically quantized graph the last block's activations are then quantized over the
// [CLS] row alone instead of over all rows, so its logits move by about the int8 rounding (ModelRuntime checks the
// copy against the full graph when it opens it, and passesCopy.test.ts measures both).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GraphError } from './errors';
import { DataType, GraphIndex, NodeInfo, freshNamer, indexModel, upstreamOf } from './graphIndex';
import { findHead, type HeadKind } from './headFinder';
import { findLayers, projectionsOf } from './layerFinder';
import { constantOf } from './linear';
import { initializer, rewireNode, writeRewrite, type GraphRewrite } from './rewrite';
import { atomicWrite } from './tapCache';
import { node } from './tapEdit';

const FORMAT = 'passes-v1';
/** Consumers of the block input that keep reading every row: shape queries (the keys' length) and the quantizer. */
const KEEP_FULL = new Set(['Shape', 'Size', 'DynamicQuantizeLinear']);

interface Meta {
  format: string;
  tappedSize: number;
  size: number;
}

/**
 * The passes copy of the model whose tapped file is `tappedPath`, made once beside it from `onnxPath`. Throws
 * GraphError when the last block's query projection cannot be told apart (the caller then runs the full graph).
 */
export async function preparePassesModel(
  onnxPath: string,
  tappedPath: string,
  headKind?: HeadKind,
  expectedLayers?: number,
): Promise<string> {
  const dir = path.dirname(tappedPath);
  const target = path.join(dir, 'passes.onnx');
  const metaPath = path.join(dir, 'passes.json');
  const tappedSize = (await fs.promises.stat(tappedPath)).size;
  if (await isFresh(metaPath, target, tappedSize)) return target;
  // writeRewrite writes through a temp file and renames it: a half-written copy never has the target's name.
  const size = await writeRewrite(onnxPath, target, (src) =>
    planClsOnly(indexModel(src), onnxPath, headKind, expectedLayers),
  );
  const meta: Meta = { format: FORMAT, tappedSize, size };
  await atomicWrite(metaPath, (tmp) => fs.promises.writeFile(tmp, JSON.stringify(meta)));
  return target;
}

/** The rewrite that makes the last block compute the [CLS] row only and keeps the logits as the only output. */
export function planClsOnly(g: GraphIndex, file: string, headKind?: HeadKind, expectedLayers?: number): GraphRewrite {
  const head = findHead(g, file, headKind);
  const x = findLayers(g, head.lastHidden, file, expectedLayers).blockInputs.at(-1)!;
  const inBlock = blockNodes(g, x, head.lastHidden);
  const projections = projectionsOf(g, x).filter((p) => inBlock.has(p));
  const queries = projections.filter((p) => readsAsQuery(g, p, inBlock));
  if (projections.length !== 3 || queries.length !== 1) {
    throw new GraphError(
      'UNSUPPORTED',
      `${file}: the last transformer block has ${projections.length} projections of its input and ${queries.length} that reach an attention product as its query (expected 3 and 1)`,
      'Occlusion and the explanations run the full graph instead.',
    );
  }
  const query = queries[0]!;
  const fresh = freshNamer(g, 'inspector_passes/');
  const [starts, ends, axes, zero] = [fresh('starts'), fresh('ends'), fresh('axes'), fresh('zero')];
  const newNodes: Buffer[] = [];
  const slice = (from: string): string => {
    const out = fresh(`${from}_cls`);
    newNodes.push(node('Slice', out, [from, starts, ends, axes], [out], []));
    return out;
  };
  const xCls = slice(x);
  const rewired = new Map<NodeInfo, Map<string, string>>();
  for (const c of g.consumers.get(x) ?? []) {
    if (!inBlock.has(c) || KEEP_FULL.has(c.opType) || (projections.includes(c) && c !== query)) continue;
    rewired.set(c, new Map([[x, xCls]]));
  }
  if ([...rewired.keys()].every((n) => n === query)) {
    throw new GraphError(
      'UNSUPPORTED',
      `${file}: the last transformer block's input has no residual reader besides the query projection`,
      'Occlusion and the explanations run the full graph instead.',
    );
  }
  // A quantized query reads DynamicQuantizeLinear(x): the slice of that copy keeps its row bit for bit.
  if (query.inputs[0] !== x) rewired.set(query, new Map([[query.inputs[0]!, slice(query.inputs[0]!)]]));
  // Reshapes downstream of the [CLS] row that take their shape from a full-length tensor (BERT exports reshape by
  // hidden_states.shape) get that shape with its sequence entry set to 0, which Reshape reads as "keep the input's".
  const reduced = downstreamIn(
    g,
    [...rewired.keys()].flatMap((n) => n.outputs),
    inBlock,
  );
  for (const r of reduced) {
    if (r.opType !== 'Reshape' || !r.inputs[1] || constantOf(g, r.inputs[1]) || r.attrs.get('allowzero')?.i) continue;
    const shape = fresh(`${r.inputs[1]}_cls`);
    newNodes.push(node('ScatterElements', shape, [r.inputs[1], axes, zero], [shape], []));
    rewired.set(r, new Map([...(rewired.get(r) ?? []), [r.inputs[1], shape]]));
  }
  const replaced = new Map<number, Buffer[]>();
  for (const [n, inputs] of rewired) replaced.set(n.index, [rewireNode(g.src, n.field, inputs)]);
  const int64 = (v: number) => Buffer.from(new BigInt64Array([BigInt(v)]).buffer);
  return {
    replaced,
    newNodes,
    newInitializers: [
      initializer(starts, DataType.INT64, [1], int64(0)),
      initializer(ends, DataType.INT64, [1], int64(1)),
      initializer(axes, DataType.INT64, [1], int64(1)),
      initializer(zero, DataType.INT64, [1], int64(0)),
    ],
    dropped: new Set(),
    keepOutputs: new Set([head.logits]),
    dropValueInfo: true,
  };
}

/** The nodes between the last block's input and output. */
function blockNodes(g: GraphIndex, input: string, output: string): Set<NodeInfo> {
  const before = upstreamOf(g, input).nodes;
  return new Set([...upstreamOf(g, output).nodes].filter((n) => !before.has(n)));
}

/** The block's nodes that read `tensors` or anything computed from them. */
function downstreamIn(g: GraphIndex, tensors: string[], inBlock: Set<NodeInfo>): Set<NodeInfo> {
  const found = new Set<NodeInfo>();
  const stack = [...tensors];
  while (stack.length > 0) {
    for (const c of g.consumers.get(stack.pop()!) ?? []) {
      if (!inBlock.has(c) || found.has(c)) continue;
      found.add(c);
      stack.push(...c.outputs.filter(Boolean));
    }
  }
  return found;
}

/**
 * Whether `p`'s output reaches an attention product (a MatMul of two computed tensors) only as its first operand:
 * the query. Keys arrive second (transposed), values second in the product with the softmax.
 */
function readsAsQuery(g: GraphIndex, p: NodeInfo, inBlock: Set<NodeInfo>): boolean {
  const seen = new Set<string>(p.outputs);
  const stack = [...p.outputs];
  const arrivals: number[] = [];
  while (stack.length > 0) {
    const t = stack.pop()!;
    for (const c of g.consumers.get(t) ?? []) {
      if (!inBlock.has(c)) continue;
      if (c.opType === 'MatMul' && !constantOf(g, c.inputs[0]) && !constantOf(g, c.inputs[1])) {
        arrivals.push(c.inputs.indexOf(t));
        continue;
      }
      for (const o of c.outputs) {
        if (!o || seen.has(o)) continue;
        seen.add(o);
        stack.push(o);
      }
    }
  }
  return arrivals.length > 0 && arrivals.every((i) => i === 0);
}

async function isFresh(metaPath: string, target: string, tappedSize: number): Promise<boolean> {
  try {
    const meta = JSON.parse(await fs.promises.readFile(metaPath, 'utf8')) as Meta;
    if (meta.format !== FORMAT || meta.tappedSize !== tappedSize) return false;
    return (await fs.promises.stat(target)).size === meta.size;
  } catch {
    return false;
  }
}
