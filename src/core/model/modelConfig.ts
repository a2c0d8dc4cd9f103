// Reads and validates a Hugging Face config.json. Postprocessing follows this file (id2label, problem_type),
// never hard-coded labels, as transformers.js's text-classification pipeline does.
import { InspectorError } from '../errors';
import type { HeadKind, ModelConfig, ProblemType } from '../types';

/** Architectures whose head the taps understand, and their config.json keys (DistilBERT names them differently). */
const ARCHITECTURES: Record<
  string,
  { kind: HeadKind; dim: string; nLayers: string; nHeads: string; hiddenDim: string; dropout: string[] }
> = {
  DistilBertForSequenceClassification: {
    kind: 'distilbert',
    dim: 'dim',
    nLayers: 'n_layers',
    nHeads: 'n_heads',
    hiddenDim: 'hidden_dim',
    dropout: ['seq_classif_dropout'],
  },
  BertForSequenceClassification: {
    kind: 'bert',
    dim: 'hidden_size',
    nLayers: 'num_hidden_layers',
    nHeads: 'num_attention_heads',
    hiddenDim: 'intermediate_size',
    dropout: ['classifier_dropout', 'hidden_dropout_prob'],
  },
  RobertaForSequenceClassification: {
    kind: 'roberta',
    dim: 'hidden_size',
    nLayers: 'num_hidden_layers',
    nHeads: 'num_attention_heads',
    hiddenDim: 'intermediate_size',
    dropout: ['classifier_dropout', 'hidden_dropout_prob'],
  },
};

/**
 * What each family calls its head's two Linear layers (Hugging Face parameter names), and whether the
 * dense one is pretrained: BERT's pooler is trained with the encoder (next-sentence prediction);
 * DistilBERT's pre_classifier and RoBERTa's classifier.dense are new, trained only on the task.
 */
export const HEAD_NAMES: Record<HeadKind, { denseName: string; classifierName: string; pretrainedDense: boolean }> = {
  distilbert: { denseName: 'pre_classifier', classifierName: 'classifier', pretrainedDense: false },
  bert: { denseName: 'bert.pooler.dense', classifierName: 'classifier', pretrainedDense: true },
  roberta: { denseName: 'classifier.dense', classifierName: 'classifier.out_proj', pretrainedDense: false },
};

/** Sequence classifiers whose head the taps understand: pre_classifier + ReLU, BERT's pooler + tanh, RoBERTa's classifier.dense + tanh. */
export const SUPPORTED_ARCHITECTURES = Object.keys(ARCHITECTURES);

/** More labels than any real classifier head has; a config claiming more is refused before anything is allocated for them. */
export const MAX_LABELS = 100_000;

const PROBLEM_TYPES: ProblemType[] = ['single_label_classification', 'multi_label_classification', 'regression'];

export function parseModelConfig(raw: string, file: string): ModelConfig {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw invalid(file, `is not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid(file, 'is not a JSON object');
  const c = json as Record<string, unknown>;

  const architectures = c['architectures'];
  const architecture =
    Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : undefined;
  const modelType = typeof c['model_type'] === 'string' ? c['model_type'] : undefined;
  if (!architecture) throw invalid(file, 'has no "architectures" list naming the model class');
  const arch = ARCHITECTURES[architecture];
  if (!arch) {
    throw new InspectorError(
      'MODEL_UNSUPPORTED',
      `${file}: architecture ${architecture} is not supported; supported: ${SUPPORTED_ARCHITECTURES.join(', ')}.`,
      `Supported: ${SUPPORTED_ARCHITECTURES.join(', ')}. Export one of these sequence classifiers to ONNX (e.g. optimum-cli export onnx --task text-classification).`,
    );
  }

  const dim = positiveInt(c, arch.dim, file);
  const nLayers = positiveInt(c, arch.nLayers, file);
  const vocabSize = positiveInt(c, 'vocab_size', file);
  const maxPositionEmbeddings = positiveInt(c, 'max_position_embeddings', file);
  const labels = readLabels(c, file);
  const problemType = readProblemType(c, file, labels.length);
  // RoBERTa numbers positions from padding_idx + 1 (pad_token_id 1), so two position rows are never used by text.
  const padId =
    typeof c['pad_token_id'] === 'number' && Number.isInteger(c['pad_token_id']) && c['pad_token_id'] >= 0
      ? c['pad_token_id']
      : 1;
  const maxLength = arch.kind === 'roberta' ? maxPositionEmbeddings - padId - 1 : maxPositionEmbeddings;
  if (maxLength < 3)
    throw invalid(
      file,
      `leaves room for ${maxLength} tokens (max_position_embeddings ${maxPositionEmbeddings}, pad_token_id ${padId})`,
    );
  const dropout = arch.dropout.map((k) => c[k]).find((v): v is number => typeof v === 'number');

  return {
    architecture,
    modelType: modelType ?? arch.kind,
    headKind: arch.kind,
    dim,
    nLayers,
    nHeads: optionalInt(c, arch.nHeads),
    hiddenDim: optionalInt(c, arch.hiddenDim),
    vocabSize,
    maxPositionEmbeddings,
    maxLength,
    labels,
    problemType,
    activation:
      typeof c['activation'] === 'string'
        ? c['activation']
        : typeof c['hidden_act'] === 'string'
          ? c['hidden_act']
          : undefined,
    seqClassifDropout: dropout,
  };
}

function readLabels(c: Record<string, unknown>, file: string): string[] {
  const id2label = c['id2label'];
  if (id2label === undefined) {
    // transformers defaults to LABEL_0..LABEL_{n-1}; num_labels defaults to 2.
    const n = optionalInt(c, 'num_labels') ?? 2;
    if (n > MAX_LABELS)
      throw invalid(
        file,
        `says num_labels ${n}, more than the ${MAX_LABELS.toLocaleString('en-US')} labels this inspector supports`,
      );
    return Array.from({ length: n }, (_, i) => `LABEL_${i}`);
  }
  if (typeof id2label !== 'object' || id2label === null || Array.isArray(id2label)) {
    throw invalid(file, '"id2label" must be an object like {"0": "NEGATIVE", "1": "POSITIVE"}');
  }
  const entries = Object.entries(id2label as Record<string, unknown>);
  if (entries.length > MAX_LABELS)
    throw invalid(
      file,
      `"id2label" has ${entries.length} labels, more than the ${MAX_LABELS.toLocaleString('en-US')} this inspector supports`,
    );
  const labels: string[] = new Array(entries.length);
  for (const [k, v] of entries) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i >= entries.length || typeof v !== 'string' || v === '') {
      throw invalid(
        file,
        `"id2label" must map the ids 0..${entries.length - 1} to label names; found "${k}": ${JSON.stringify(v)}`,
      );
    }
    labels[i] = v;
  }
  if (labels.length === 0) throw invalid(file, '"id2label" is empty');
  if (new Set(labels).size !== labels.length) throw invalid(file, '"id2label" names the same label twice');
  return labels;
}

function readProblemType(c: Record<string, unknown>, file: string, numLabels: number): ProblemType {
  const p = c['problem_type'];
  if (p === undefined || p === null) return numLabels === 1 ? 'regression' : 'single_label_classification';
  if (typeof p !== 'string' || !PROBLEM_TYPES.includes(p as ProblemType)) {
    throw invalid(file, `"problem_type" ${JSON.stringify(p)} is not one of ${PROBLEM_TYPES.join(', ')}`);
  }
  return p as ProblemType;
}

function positiveInt(c: Record<string, unknown>, key: string, file: string): number {
  const v = c[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw invalid(file, `needs a positive integer "${key}" (found ${JSON.stringify(v)})`);
  }
  return v;
}

function optionalInt(c: Record<string, unknown>, key: string): number | undefined {
  const v = c[key];
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

function invalid(file: string, what: string): InspectorError {
  return new InspectorError(
    'MODEL_CONFIG_INVALID',
    `${file} ${what}.`,
    'Use the config.json written by transformers (save_pretrained) for this model.',
  );
}
