// Attention taps: the softmax probabilities of every block's self-attention, [batch, heads, seq, seq] each.
// They live in a second tapped copy (attention.onnx beside the cached model.onnx), opened only when attention
// is asked for: a graph output ORT must keep can stop it from fusing the attention subgraph, and the ordinary
// classification should keep its speed. The copy is the tapped file plus one more graph record declaring the
// softmax outputs (the same append-only edit as tapEdit.ts), so no weights are decoded.
import * as fs from 'fs';
import * as path from 'path';
import { GraphError } from './errors';
import { GraphIndex, indexModel, upstreamOf } from './graphIndex';
import { findHead, type HeadKind } from './headFinder';
import { findLayers } from './layerFinder';
import { atomicWrite, sha256 } from './tapCache';
import { FileSource, WireError, fieldBytes, fieldMessage } from './wire';

const FORMAT = 'attention-v1';

/** Where the attention probabilities of a tapped model are. */
export interface AttentionPlan {
  /** The .onnx to open for attention (the tapped copy plus the softmax outputs). */
  path: string;
  /** One tensor name per block, in data-flow order: [batch, heads, seq, seq], rows sum to 1. */
  outputs: string[];
}

interface Meta {
  format: string;
  tappedSize: number;
  appendedLength: number;
  appendedSha256: string;
  outputs: string[];
}

/**
 * The softmax of each block's attention, found by data flow: the Softmax nodes that lie between a block's input
 * and its output (upstream of the output, not upstream of the input). Exactly one per block, else GraphError
 * (fused attention ops, as optimum's optimized exports have, hide the probabilities).
 */
export function findAttentionSoftmax(
  g: GraphIndex,
  file: string,
  headKind?: HeadKind,
  expectedLayers?: number,
): string[] {
  const head = findHead(g, file, headKind);
  const layers = findLayers(g, head.lastHidden, file, expectedLayers);
  return layers.blockOutputs.map((out, i) => {
    const before = upstreamOf(g, layers.blockInputs[i]!).nodes;
    const found = [...upstreamOf(g, out).nodes].filter((n) => !before.has(n) && n.opType === 'Softmax');
    if (found.length !== 1) {
      throw new GraphError(
        'UNSUPPORTED',
        `${file}: transformer block ${i + 1} has ${found.length} Softmax nodes (expected the attention's one)` +
          (g.nodes.some((n) => n.opType === 'Attention' || n.opType === 'MultiHeadAttention')
            ? '; its attention is a fused op'
            : ''),
        'Attention views need an export where the attention softmax is a node of its own (torch.onnx.export without ORT fusion).',
      );
    }
    return found[0]!.outputs[0]!;
  });
}

/** The attention copy of `tappedPath` (a cached model.onnx), made once beside it from `onnxPath`'s graph. */
export async function prepareAttentionModel(
  onnxPath: string,
  tappedPath: string,
  headKind?: HeadKind,
  expectedLayers?: number,
): Promise<AttentionPlan> {
  const dir = path.dirname(tappedPath);
  const target = path.join(dir, 'attention.onnx');
  const metaPath = path.join(dir, 'attention.json');
  const tappedSize = (await fs.promises.stat(tappedPath)).size;
  const cached = await loadMeta(metaPath, target, tappedSize);
  if (cached) return { path: target, outputs: cached };
  const outputs = readSoftmaxOutputs(onnxPath, headKind, expectedLayers);
  const record = fieldBytes(7, Buffer.concat(outputs.map((name) => fieldMessage(12, [fieldBytes(1, name)]))));
  try {
    await atomicWrite(target, async (tmp) => {
      await fs.promises.copyFile(tappedPath, tmp);
      await fs.promises.appendFile(tmp, record);
    });
    const meta: Meta = {
      format: FORMAT,
      tappedSize,
      appendedLength: record.length,
      appendedSha256: sha256(record),
      outputs,
    };
    await atomicWrite(metaPath, (tmp) => fs.promises.writeFile(tmp, JSON.stringify(meta)));
  } catch (e) {
    throw new GraphError(
      'CACHE',
      `${dir}: cannot write the attention copy of ${onnxPath} (${(e as Error).message})`,
      'Make the cache folder writable, or point the cache to another folder.',
    );
  }
  return { path: target, outputs };
}

function readSoftmaxOutputs(onnxPath: string, headKind?: HeadKind, expectedLayers?: number): string[] {
  const fd = fs.openSync(onnxPath, 'r');
  try {
    return findAttentionSoftmax(indexModel(new FileSource(fd)), onnxPath, headKind, expectedLayers);
  } catch (e) {
    if (e instanceof WireError)
      throw new GraphError(
        'CORRUPT',
        `${onnxPath}: not a valid ONNX model (${e.message})`,
        'Re-download or re-export the model file.',
      );
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** The outputs of a valid attention copy, or undefined (missing, stale or corrupt: rebuilt by the caller). */
async function loadMeta(metaPath: string, target: string, tappedSize: number): Promise<string[] | undefined> {
  try {
    const meta = JSON.parse(await fs.promises.readFile(metaPath, 'utf8')) as Meta;
    if (meta.format !== FORMAT || meta.tappedSize !== tappedSize || !Array.isArray(meta.outputs)) return undefined;
    const fh = await fs.promises.open(target, 'r');
    try {
      if ((await fh.stat()).size !== tappedSize + meta.appendedLength) return undefined;
      const tail = Buffer.alloc(meta.appendedLength);
      await fh.read(tail, 0, tail.length, tappedSize);
      return sha256(tail) === meta.appendedSha256 ? meta.outputs : undefined;
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}
