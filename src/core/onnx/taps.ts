// Activation taps: one forward pass of the tapped model returns every stage of the classification head
// and the [CLS] vector after each transformer block. ORT only fetches graph outputs, so the taps are
// added as outputs, found by data flow (headFinder, layerFinder), appended without re-encoding
// (tapEdit) and cached per model content (tapCache).
import * as fs from 'fs';
import { checkRegularFile, ONNX_LIMIT_BYTES, openBounded, type FileLimit } from '../files';
import { GraphError } from './errors';
import { GraphIndex, indexModel } from './graphIndex';
import { HEAD_ACTIVATION, findHead, type HeadActivation, type HeadKind } from './headFinder';
import { findLayers } from './layerFinder';
import { buildLensEdit } from './lensTaps';
import { buildTapEdit } from './tapEdit';
import { CacheEntry, cacheLookup, cacheStore } from './tapCache';
import { FileSource, WireError } from './wire';

export { GraphError } from './errors';
export type { GraphErrorCode } from './errors';
export { HEAD_ACTIVATION, type HeadActivation, type HeadKind } from './headFinder';

/**
 * Which graph outputs of the tapped model hold which stage; each is [batch, dim] (logits [batch, labels]).
 * The stage keys keep DistilBERT's names for every head: `preClassifier` is the dense layer before the
 * activation (pre_classifier, BERT's pooler.dense, RoBERTa's classifier.dense) and `relu` that
 * activation's output (ReLU, or tanh for BERT/RoBERTa; see head.activation).
 */
export interface TapPlan {
  inputNames: string[];
  /**
   * False when the graph quantizes activations dynamically (DynamicQuantizeLinear): its scale spans the
   * whole batch, padding included, so a row's values depend on the other rows; run such models one
   * sequence per call.
   */
  batchInvariant: boolean;
  outputs: {
    logits: string;
    cls: string;
    preClassifier: string;
    relu: string;
    layers: string[];
    /** Quantized classifier only: dequantize(quantize(relu)), the vector the int8 classifier really multiplies. */
    classifierInput?: string;
    /** Head lens: [batch, dim], the [CLS] row of the embeddings' output (block 1's input). */
    embeddings: string;
    /** Token lens: [batch, seq, dim], the last block's output at every position (fetched only when asked). */
    hiddenStates: string;
  };
  head: {
    dim: number;
    numLabels: number;
    preClassifierOp: string;
    classifierOp: string;
    description: string;
    kind: HeadKind;
    activation: HeadActivation;
    /** Either Linear of the head is a dynamically quantized MatMulInteger chain. */
    quantized: boolean;
  };
}

/** The head's parameters as the graph holds them, normalised to PyTorch's Linear layout (int8 weights dequantized). */
export interface HeadWeights {
  /** [numLabels * dim], row-major [label][unit]. */
  classifierWeight: Float32Array;
  classifierBias: Float32Array;
  /** [dim * dim], row-major [out][in]. */
  preClassifierWeight: Float32Array;
  preClassifierBias: Float32Array;
}

export interface PrepareOptions {
  /** config.json n_layers; the number of blocks found must match. */
  expectedLayers?: number;
  /** The head config.json's architecture implies; pins the activation (ReLU or tanh) and names plan.head.kind. */
  headKind?: HeadKind;
}

export interface PreparedModel {
  /** The tapped .onnx to open with onnxruntime (inside cacheDir). */
  path: string;
  plan: TapPlan;
  weights: HeadWeights;
  fromCache: boolean;
}

/**
 * Returns a tapped copy of `onnxPath` (made once per content hash under `cacheDir`), the names of its
 * tap outputs and the head's weights. Throws GraphError naming the file when the model cannot be tapped.
 */
export async function prepareTappedModel(
  onnxPath: string,
  cacheDir: string,
  opts: PrepareOptions = {},
): Promise<PreparedModel> {
  // Checked before it is hashed or read: /dev/zero or a FIFO behind the name would be read forever.
  const stat = asGraphError(() => checkRegularFile(onnxPath, ONNX_FILE));
  const hit = await cacheLookup(onnxPath, stat, cacheDir);
  // A cached plan found with another activation than the architecture wants is rebuilt, which reports it.
  if (hit.entry && (!opts.headKind || HEAD_ACTIVATION[opts.headKind] === hit.entry.plan.head.activation)) {
    checkLayers(hit.entry.plan, onnxPath, opts.expectedLayers);
    const plan = opts.headKind
      ? { ...hit.entry.plan, head: { ...hit.entry.plan.head, kind: opts.headKind } }
      : hit.entry.plan;
    return { path: hit.entry.modelPath, plan, weights: hit.entry.weights, fromCache: true };
  }
  const built = buildTaps(onnxPath, opts.expectedLayers, opts.headKind);
  let entry: CacheEntry;
  try {
    entry = await cacheStore(cacheDir, hit.key, onnxPath, built.record, built.plan, built.weights);
  } catch (e) {
    throw new GraphError(
      'CACHE',
      `${cacheDir}: cannot write the tapped copy of ${onnxPath} (${(e as Error).message})`,
      `Make the cache folder writable with about ${Math.ceil(stat.size / 1e6)} MB free, or point the cache to another folder.`,
    );
  }
  return { path: entry.modelPath, plan: entry.plan, weights: entry.weights, fromCache: false };
}

const ONNX_FILE: FileLimit = {
  maxBytes: ONNX_LIMIT_BYTES,
  code: 'GRAPH_INVALID',
  hint: 'Point the model folder at a real ONNX export (onnx/model.onnx), under 2 GB with its weights inside.',
};

/** The file checks' refusals as this module's GraphError (missing, unreadable, not a regular file, too large). */
function asGraphError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    const err = e as { message?: string; hint?: string };
    throw new GraphError('NOT_FOUND', err.message ?? String(e), err.hint ?? ONNX_FILE.hint);
  }
}

/** Reads the graph positionally (weights stay on disk) and works out the taps and the bytes to append. */
export function buildTaps(
  onnxPath: string,
  expectedLayers?: number,
  headKind?: HeadKind,
): { plan: TapPlan; weights: HeadWeights; record: Buffer } {
  const { fd } = asGraphError(() => openBounded(onnxPath, ONNX_FILE));
  try {
    return tapGraph(indexModel(new FileSource(fd)), onnxPath, expectedLayers, headKind);
  } catch (e) {
    if (e instanceof GraphError) throw e;
    if (e instanceof WireError) {
      throw new GraphError(
        'CORRUPT',
        `${onnxPath}: not a valid ONNX model (${e.message}); the file may be truncated`,
        'Re-download or re-export the model file.',
      );
    }
    throw new GraphError(
      'UNSUPPORTED',
      `${onnxPath}: ${(e as Error).message}`,
      'Use an fp32 or dynamically quantized DistilBERT, BERT or RoBERTa sequence classification export.',
    );
  } finally {
    fs.closeSync(fd);
  }
}

function tapGraph(
  g: GraphIndex,
  onnxPath: string,
  expectedLayers: number | undefined,
  headKind: HeadKind | undefined,
): { plan: TapPlan; weights: HeadWeights; record: Buffer } {
  const external = [...g.initializers.values()].find((t) => t.external);
  if (external) {
    throw new GraphError(
      'UNSUPPORTED',
      `${onnxPath}: initializer ${external.name} keeps its data in an external file, which the tapped copy cannot reference`,
      'Save the model with its weights inside the .onnx file (onnx.save(model, path, save_as_external_data=False)).',
    );
  }
  const head = findHead(g, onnxPath, headKind);
  const layers = findLayers(g, head.lastHidden, onnxPath, expectedLayers);
  const outputs = { logits: head.logits, cls: head.cls, preClassifier: head.preClassifier.output, relu: head.relu };
  const pre = head.preClassifier;
  const cls = head.classifier;
  // The last block's [CLS] row is exactly the vector the dense layer reads: reuse it, no extra node.
  const edit = buildTapEdit(
    g,
    Object.values(outputs),
    layers.blockOutputs,
    new Map([[head.lastHidden, head.cls]]),
    cls.quantizedInput,
  );
  const lens = buildLensEdit(g, layers.blockInputs[0]!, head.lastHidden);
  const plan: TapPlan = {
    inputNames: g.inputs,
    batchInvariant: !g.nodes.some((n) => n.opType === 'DynamicQuantizeLinear'),
    outputs: {
      ...outputs,
      layers: edit.layerTaps,
      ...(edit.dequantized ? { classifierInput: edit.dequantized } : {}),
      embeddings: lens.embeddings,
      hiddenStates: lens.hiddenStates,
    },
    head: {
      dim: pre.inDim,
      numLabels: cls.outDim,
      preClassifierOp: pre.op,
      classifierOp: cls.op,
      description:
        `logits <- ${cls.op} (${cls.weightName} ${cls.outDim}x${cls.inDim}) <- ${head.activation === 'relu' ? 'Relu' : 'Tanh'} <- ${pre.op} (${pre.weightName} ${pre.outDim}x${pre.inDim})` +
        ` <- ${head.clsSelection} <- ${layers.blockOutputs.length} transformer blocks`,
      kind: headKind ?? (head.activation === 'relu' ? 'distilbert' : 'bert'),
      activation: head.activation,
      quantized: pre.quantizedInput !== undefined || cls.quantizedInput !== undefined,
    },
  };
  const weights: HeadWeights = {
    classifierWeight: cls.weight,
    classifierBias: cls.bias,
    preClassifierWeight: pre.weight,
    preClassifierBias: pre.bias,
  };
  return { plan, weights, record: Buffer.concat([edit.record, lens.record]) };
}

function checkLayers(plan: TapPlan, file: string, expected: number | undefined): void {
  if (expected !== undefined && plan.outputs.layers.length !== expected) {
    throw new GraphError(
      'LAYERS',
      `${file}: the graph has ${plan.outputs.layers.length} transformer blocks but config.json n_layers is ${expected}`,
      'Check that config.json matches the exported model, or re-export it from the same checkpoint.',
    );
  }
}
