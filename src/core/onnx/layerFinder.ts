// Finds the hidden state after each transformer block by data flow. A block's input is the one tensor
// fanned out to its q/k/v projections (read by >= 3 Linear layers with constant weights); block i's
// output is block i+1's input, and the last block's output is what the [CLS] selection reads.
import { GraphError } from './errors';
import { GraphIndex, NodeInfo, upstreamOf } from './graphIndex';
import { constantOf } from './linear';

const PROJECTIONS = new Set(['MatMul', 'Gemm', 'MatMulInteger', 'FusedMatMul']);

export interface LayerMatch {
  /** Block inputs in data-flow order (first = embeddings output). */
  blockInputs: string[];
  /** Block outputs: blockInputs[1..] then the last hidden state. */
  blockOutputs: string[];
}

export function findLayers(g: GraphIndex, lastHidden: string, file: string, expectedLayers?: number): LayerMatch {
  const upstream = upstreamOf(g, lastHidden).tensors;
  const order = topologicalRank(g);
  const candidates: string[] = [];
  for (const tensor of upstream) if (projectionReads(g, tensor) >= 3) candidates.push(tensor);
  candidates.sort((a, b) => rankOf(g, order, a) - rankOf(g, order, b));
  const n = candidates.length;
  if (n === 0 || (expectedLayers !== undefined && n !== expectedLayers)) {
    throw new GraphError(
      'LAYERS',
      `${file}: found ${n} transformer block input(s) (tensors read by >= 3 projections) upstream of the [CLS] selection` +
        (expectedLayers !== undefined ? `, but config.json n_layers is ${expectedLayers}` : ''),
      'Check that config.json matches the exported model, or re-export it from the same checkpoint.',
    );
  }
  return { blockInputs: candidates, blockOutputs: [...candidates.slice(1), lastHidden] };
}

function projectionReads(g: GraphIndex, tensor: string): number {
  // The quantized copy of a hidden state is counted through its float source, not as a block of its own.
  return g.producer.get(tensor)?.opType === 'DynamicQuantizeLinear' ? 0 : projectionsOf(g, tensor).length;
}

/**
 * The projections (Linear layers with constant weights) that read `tensor`, looking through a shared quantizer: a
 * MatMulInteger's first input is then the quantized copy, DynamicQuantizeLinear(tensor)'s first output.
 */
export function projectionsOf(g: GraphIndex, tensor: string): NodeInfo[] {
  const found: NodeInfo[] = [];
  for (const c of g.consumers.get(tensor) ?? []) {
    if (c.inputs[0] !== tensor) continue;
    if (PROJECTIONS.has(c.opType) && constantOf(g, c.inputs[1])) found.push(c);
    else if (c.opType === 'DynamicQuantizeLinear') {
      // Dynamically quantized graphs quantize the hidden state once and feed it to each MatMulInteger.
      for (const q of g.consumers.get(c.outputs[0] ?? '') ?? [])
        if (q.opType === 'MatMulInteger' && q.inputs[0] === c.outputs[0]) found.push(q);
    }
  }
  return found;
}

/** Kahn's algorithm over nodes; the file order of nodes is not trusted to be topological. */
function topologicalRank(g: GraphIndex): Map<NodeInfo, number> {
  const pending = new Map<NodeInfo, number>();
  for (const node of g.nodes) pending.set(node, node.inputs.filter((i) => i && g.producer.has(i)).length);
  const ready = g.nodes.filter((n) => pending.get(n) === 0);
  const rank = new Map<NodeInfo, number>();
  while (ready.length > 0) {
    const node = ready.shift()!;
    rank.set(node, rank.size);
    for (const o of node.outputs) {
      for (const c of g.consumers.get(o) ?? []) {
        // A node reading the same tensor twice is listed twice among its consumers, so this stays exact.
        const left = pending.get(c)! - 1;
        pending.set(c, left);
        if (left === 0) ready.push(c);
      }
    }
  }
  return rank;
}

function rankOf(g: GraphIndex, order: Map<NodeInfo, number>, tensor: string): number {
  const p = g.producer.get(tensor);
  return p ? (order.get(p) ?? Number.MAX_SAFE_INTEGER) : -1;
}
