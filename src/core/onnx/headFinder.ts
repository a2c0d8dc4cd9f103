// Finds the classification head by walking the data flow back from the `logits` output:
// classifier <- activation <- dense <- [CLS] row selection <- last hidden state, where dense/activation
// are DistilBERT's pre_classifier + ReLU, BERT's pooler (dense + tanh) or RoBERTa's classifier.dense +
// tanh. No node names are trusted; each step checks the op and its constants, and a failure says what
// was found instead.
import { GraphError } from './errors';
import { GraphIndex, NodeInfo } from './graphIndex';
import { LinearMatch, constantOf, describeNode, matchLinear, realProducer, realTensor } from './linear';
import { readInts } from './tensorValues';
import type { HeadActivation, HeadKind } from '../types';

export type { HeadActivation, HeadKind };

/** The activation each family's head uses between its two Linear layers. */
export const HEAD_ACTIVATION: Record<HeadKind, HeadActivation> = { distilbert: 'relu', bert: 'tanh', roberta: 'tanh' };
const ACTIVATION_OPS: Record<string, HeadActivation> = { Relu: 'relu', Tanh: 'tanh' };

export interface HeadMatch {
  logits: string;
  classifier: LinearMatch;
  /** The activation's output (ReLU or tanh), the tensor the classifier reads. */
  relu: string;
  activation: HeadActivation;
  /** The dense layer before the activation (pre_classifier / pooler.dense / classifier.dense). */
  preClassifier: LinearMatch;
  /** The tensor pre_classifier reads: the [CLS] vector. */
  cls: string;
  /** The [batch, seq, dim] tensor the [CLS] row is selected from (the last block's output). */
  lastHidden: string;
  clsSelection: string;
}

const LOGITS = 'logits';

/** `expected` (from config.json's architecture) pins the activation; without it ReLU or tanh is accepted. */
export function findHead(g: GraphIndex, file: string, expected?: HeadKind): HeadMatch {
  if (!g.outputs.includes(LOGITS)) {
    throw new GraphError(
      'NO_LOGITS',
      `${file}: no graph output named ${LOGITS}; outputs are ${g.outputs.map((o) => `'${o}'`).join(', ') || 'none'}`,
      'Export the sequence classifier with output_names=["logits"] (as Hugging Face/optimum exports do).',
    );
  }
  const wantOp = expected ? (HEAD_ACTIVATION[expected] === 'relu' ? 'Relu' : 'Tanh') : undefined;
  const shape =
    expected === 'distilbert'
      ? 'pre_classifier -> ReLU -> classifier'
      : expected
        ? 'dense -> tanh -> classifier'
        : 'dense -> ReLU or tanh -> classifier';
  const noHead = (what: string): GraphError =>
    new GraphError(
      'NO_HEAD',
      `${file}: no ${expected ?? 'sequence'} classification head (${shape}) found: ${what}`,
      'Use a DistilBertForSequenceClassification, BertForSequenceClassification or RobertaForSequenceClassification export whose config.json names that architecture.',
    );
  const linearOrThrow = (tensor: string, role: string): LinearMatch => {
    const m = matchLinear(g, tensor);
    if ('found' in m) {
      if (m.quantized) {
        throw new GraphError(
          'UNSUPPORTED',
          `${file}: the ${role} is quantized in a form other than dynamic MatMulInteger (${m.found})`,
          'Use the fp32 model (onnx/model.onnx), or a model quantized with onnxruntime quantize_dynamic.',
        );
      }
      throw noHead(
        `'${tensor}' (${role}) is produced by ${m.found}, not a Linear layer (Gemm, MatMul+Add or dynamically quantized MatMulInteger)`,
      );
    }
    return m;
  };

  const classifier = linearOrThrow(LOGITS, 'classifier');
  const actNode = realProducer(g, classifier.input);
  const activation = actNode ? ACTIVATION_OPS[actNode.opType] : undefined;
  if (!actNode || !activation || (wantOp && actNode.opType !== wantOp)) {
    throw noHead(
      `the classifier (${describeNode(classifier.nodes[0])}) reads ${describeNode(actNode)}, expected ${wantOp ? `a ${wantOp}` : 'a Relu or Tanh'}`,
    );
  }
  const relu = actNode.outputs[0] ?? '';
  const preClassifier = linearOrThrow(actNode.inputs[0] ?? '', 'dense layer before the activation');
  if (preClassifier.outDim !== classifier.inDim || preClassifier.inDim !== preClassifier.outDim) {
    throw noHead(
      `the dense layer maps ${preClassifier.inDim} -> ${preClassifier.outDim} and the classifier reads ${classifier.inDim}; expected dim -> dim -> labels`,
    );
  }
  const sel = findClsSelection(g, preClassifier.input);
  if (typeof sel === 'string')
    throw noHead(`the dense layer reads ${sel}, expected the [CLS] row (Gather index 0 on axis 1, or Slice+Squeeze)`);
  return {
    logits: LOGITS,
    classifier,
    relu,
    activation,
    preClassifier,
    cls: preClassifier.input,
    lastHidden: sel.source,
    clsSelection: sel.description,
  };
}

/** Recognises hidden[:, 0] as exported: Gather(axis 1, scalar 0) or a [0:1] slice/gather on axis 1 then a squeeze. */
function findClsSelection(g: GraphIndex, cls: string): { source: string; description: string } | string {
  const node = realProducer(g, cls);
  if (!node) return describeNode(node);
  const direct = selectsFirstRow(g, node, true);
  if (direct) return direct;
  if (node.opType === 'Squeeze' || node.opType === 'Reshape' || node.opType === 'Flatten') {
    const inner = realProducer(g, node.inputs[0] ?? '');
    const sel = inner && selectsFirstRow(g, inner, false);
    if (sel) return { source: sel.source, description: `${sel.description} + ${describeNode(node)}` };
    return `${describeNode(node)} of ${describeNode(inner)}`;
  }
  return describeNode(node);
}

function selectsFirstRow(
  g: GraphIndex,
  node: NodeInfo,
  scalarIndex: boolean,
): { source: string; description: string } | undefined {
  const source = node.inputs[0];
  if (source === undefined) return undefined;
  const axisOk = (axis: number | undefined): boolean => axis === 1 || axis === -2;
  if (node.opType === 'Gather') {
    const idx = constantOf(g, node.inputs[1]);
    if (!idx || !axisOk(node.attrs.get('axis')?.i ?? 0)) return undefined;
    const values = readInts(g.src, idx);
    if (values.length !== 1 || values[0] !== 0 || (idx.dims.length === 0) !== scalarIndex) return undefined;
    return { source: realTensor(g, source), description: `${describeNode(node)} (axis 1, index 0)` };
  }
  if (node.opType === 'Slice' && !scalarIndex) {
    // Opset >= 10 passes starts/ends/axes as inputs; earlier opsets as attributes.
    const ints = (i: number, attr: string): number[] | undefined => {
      const c = constantOf(g, node.inputs[i]);
      return c ? readInts(g.src, c) : node.attrs.get(attr)?.ints;
    };
    const starts = ints(1, 'starts');
    const ends = ints(2, 'ends');
    const axes = ints(3, 'axes');
    const steps = ints(4, 'steps');
    const ok =
      starts?.length === 1 &&
      starts[0] === 0 &&
      ends?.length === 1 &&
      ends[0] === 1 &&
      axes?.length === 1 &&
      axisOk(axes[0]) &&
      (steps === undefined || steps[0] === 1);
    return ok ? { source: realTensor(g, source), description: `${describeNode(node)} (axis 1, 0:1)` } : undefined;
  }
  return undefined;
}
