// Types shared by the inference core, the CLI, the extension and the webview.
// Everything here is plain data (JSON-serialisable): it crosses a worker boundary and the webview protocol.

/** How the classifier's logits become probabilities (Hugging Face `problem_type`). */
export type ProblemType = 'single_label_classification' | 'multi_label_classification' | 'regression';

/** Which family's classification head: DistilBERT (pre_classifier + ReLU), BERT (pooler + tanh), RoBERTa (classifier.dense + tanh). */
export type HeadKind = 'distilbert' | 'bert' | 'roberta';
/** The activation between the head's two Linear layers. */
export type HeadActivation = 'relu' | 'tanh';

/** The parts of a Hugging Face `config.json` the inspector relies on, validated. */
export interface ModelConfig {
  architecture: string; // e.g. DistilBertForSequenceClassification
  modelType: string; // e.g. distilbert
  headKind: HeadKind;
  /** DistilBERT `dim`, BERT/RoBERTa `hidden_size`. */
  dim: number;
  /** DistilBERT `n_layers`, BERT/RoBERTa `num_hidden_layers`. */
  nLayers: number;
  nHeads: number | undefined;
  hiddenDim: number | undefined;
  vocabSize: number;
  maxPositionEmbeddings: number;
  /** The longest input in tokens: max_position_embeddings, minus 2 for RoBERTa (positions start after padding_idx). */
  maxLength: number;
  /** Labels in logit order: labels[i] names logit i. */
  labels: string[];
  problemType: ProblemType;
  activation: string | undefined;
  seqClassifDropout: number | undefined;
}

/** One word piece of the input, with its UTF-16 range in the original text (end exclusive). */
export interface TokenSpan {
  id: number;
  text: string;
  start: number;
  end: number;
  special: boolean;
}

/** A tokenized input, truncated to the model's max length if needed. */
export interface Encoding {
  ids: number[];
  attentionMask: number[];
  tokens: TokenSpan[];
  /** True when the text had more tokens than fit; `coveredEnd` says where the kept tokens stop. */
  truncated: boolean;
  /** Character offset (UTF-16) just past the last kept non-special token; text.length when not truncated. */
  coveredEnd: number;
}

/** Activations of the classification head for one sequence, read from one forward pass. */
export interface Stages {
  /** [CLS] hidden state entering pre_classifier (dim). */
  cls: number[];
  /** pre_classifier output, before the ReLU (dim). */
  preClassifier: number[];
  /**
   * The head activation's output (dim): ReLU for DistilBERT, tanh for BERT/RoBERTa (model.head.activation says
   * which). Dropout is the identity at inference, so this is what the classifier reads. `--json` and exports
   * keep this field's first name, `relu` (present/inspectionJson.ts).
   */
  activation: number[];
  /** [CLS] hidden state after each transformer block (n_layers x dim). */
  layers: number[][];
  /**
   * Int8 (dynamically quantized) classifier only: the vector it really multiplies, dequantize(quantize(activation)).
   * The contributions use it, so they add up to the quantized graph's logits.
   */
  classifierInput?: number[];
  /** [CLS] row of the embeddings' output (block 1's input, dim); the head lens starts here. */
  embeddings?: number[];
}

/**
 * Logit l = bias + sum_u units[u]; units[u] = classifier.weight[l][u] * activation[u] (for an int8 classifier:
 * dequantized weight x stages.classifierInput[u]).
 */
export interface LogitContribution {
  bias: number;
  units: number[];
}

/** A ReLU unit's share of one logit. */
export interface UnitShare {
  unit: number;
  value: number;
}

/** Summary of the head for one window, derived from Stages and the classifier's weights. */
export interface HeadSummary {
  zeroedUnits: number;
  activeUnits: number;
  norms: { cls: number; preClassifier: number; relu: number; layers: number[] };
  /** Per label: units pushing most toward (positive) and against (negative) it. */
  topUnits: Record<string, { toward: UnitShare[]; against: UnitShare[] }>;
}

/**
 * The model's own head applied to the [CLS] vector after the embeddings (layer 0) or after block `layer`.
 * The last entry reads exactly what the head reads, so its logits are the window's logits.
 */
export interface LensEntry {
  layer: number;
  /** In the order of model.labels. */
  logits: number[];
  probabilities: number[];
  label: string;
  /** Units of the activation's output that are not zero (ReLU: positive units; tanh: all but exact zeros). */
  activeUnits: number;
  /** Per label: the units whose classifier term pushes most toward (positive) / against (negative) it. */
  topUnits: Record<string, { toward: UnitShare[]; against: UnitShare[] }>;
}

/** The head applied to one word piece's final hidden state instead of [CLS]'s. */
export interface TokenLensEntry {
  logits: number[];
  probabilities: number[];
  label: string;
}

/** A head experiment (not the model): logits of a modified head, recomputed exactly from its weights. */
export interface HeadExperiment {
  logits: number[];
  probabilities: number[];
  label: string;
}

/** Result for one window of the input text (the JSON contract of `--json`). */
export interface WindowResult {
  start: number;
  end: number;
  tokenCount: number;
  label: string;
  probabilities: Record<string, number>;
  /** Logits in the order of model.labels. */
  logits: number[];
  stages: Stages;
  contributions: Record<string, LogitContribution>;
  head: HeadSummary;
  tokens: TokenSpan[];
  truncated: boolean;
  /** Head lens: layer 0 (embeddings) then one entry per block; the last entry's logits equal `logits`. */
  lens?: LensEntry[];
  /** The first lens layer from which the label never changes again (the last entry's label is the window's). */
  lensSettledAt?: number;
  /**
   * Experiments on the head, not the model: the classifier on act(CLS) (the dense layer bypassed) and on the
   * dense layer's raw output (no activation).
   */
  experiments?: { bypassDense: HeadExperiment; noActivation: HeadExperiment };
  /** Only when asked for: the head applied to every token's final hidden state, one entry per token. */
  tokenLens?: TokenLensEntry[];
}

/**
 * The classification head in its own terms, so the panel and CLI can name each stage per architecture.
 * Stage keys stay DistilBERT's for every head (stages.preClassifier = the dense layer's output, stages.activation
 * = the activation's output, ReLU or tanh); these fields say what they are called in this model.
 */
export interface HeadInfo {
  kind: HeadKind;
  activation: HeadActivation;
  /** Parameter name of the dense layer before the activation: 'pre_classifier', 'bert.pooler.dense' or 'classifier.dense'. */
  denseName: string;
  /** Parameter name of the last Linear: 'classifier' or 'classifier.out_proj' (RoBERTa). */
  classifierName: string;
  /**
   * Whether the dense layer comes pretrained with the encoder (BERT's pooler, trained on next-sentence
   * prediction) or starts fresh with the classification head (DistilBERT's pre_classifier, RoBERTa's classifier.dense).
   */
  pretrainedDense: boolean;
  /** Parameter counts (weights + biases): dim*dim + dim and labels*dim + labels. */
  denseParams: number;
  classifierParams: number;
  /** How the graph computes each Linear, e.g. 'Gemm', 'MatMul+Add', 'MatMulInteger+Add' (int8). */
  denseOp: string;
  classifierOp: string;
  /** Either Linear is int8 (dynamically quantized); contributions then use stages.classifierInput. */
  quantized: boolean;
}

/** Which model produced a result. */
export interface ModelInfo {
  name: string;
  path: string;
  architecture: string;
  labels: string[];
  problemType: ProblemType;
  dim: number;
  nLayers: number;
  maxLength: number;
  onnxFile: string;
  /** Which graph computed the numbers (hub dtype name: fp32, int8, quantized, ...); set by the core. */
  variant?: string;
  /** Why that graph (e.g. how `auto` chose it). */
  variantReason?: string;
  /** The head's dropout p during training (identity at inference): DistilBERT seq_classif_dropout, BERT/RoBERTa classifier_dropout ?? hidden_dropout_prob. */
  dropout: number | undefined;
  /** Always set by the core; optional only so hand-made ModelInfo objects (tests, older exports) still type-check. */
  head?: HeadInfo;
}

/** What part of the text the windows cover; never silently less than the whole. */
export interface Coverage {
  textLength: number;
  coveredChars: number;
  complete: boolean;
  tokens: number;
  windowTokens: number;
  /** Pieces between the starts of consecutive windows (window text tokens minus the overlap). */
  stride: number;
  /** Character offset where the last window ends; before the text's end only in truncate mode. */
  coveredEnd: number;
}

/** The aggregate over all windows: the mean of the windows' logits, weighted by tokens. */
export interface Aggregate {
  label: string;
  probabilities: Record<string, number>;
  logits: number[];
  method: string;
}

/**
 * An empty record keyed by label, with no prototype: labels come from a model's config.json, and a label named
 * "__proto__" or "constructor" must be an ordinary key (on a plain object, assigning "__proto__" sets the
 * prototype and the value is lost). Own keys survive JSON.stringify, structured clone and spreading as they are.
 */
export function labelRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A whole inspection: the `--json` output and what the panel shows. */
export interface Inspection {
  model: ModelInfo;
  windows: WindowResult[];
  aggregate: Aggregate;
  coverage: Coverage;
  timing: { tokenizeMs: number; inferenceMs: number; totalMs: number };
}
