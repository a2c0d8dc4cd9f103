// Reads and validates a Hugging Face config.json. Postprocessing follows this file (id2label, problem_type),
// never hard-coded labels, as transformers.js's text-classification pipeline does.
import { InspectorError } from '../errors';
import type { ModelConfig, ProblemType } from '../types';

/** Architectures whose head the taps understand (pre_classifier -> ReLU -> classifier). */
export const SUPPORTED_ARCHITECTURES = ['DistilBertForSequenceClassification'];

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
  const architecture = Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : undefined;
  const modelType = typeof c['model_type'] === 'string' ? c['model_type'] : undefined;
  if (!architecture) throw invalid(file, 'has no "architectures" list naming the model class');
  if (!SUPPORTED_ARCHITECTURES.includes(architecture)) {
    throw new InspectorError(
      'MODEL_UNSUPPORTED',
      `${file}: architecture ${architecture} is not supported.`,
      `Supported: ${SUPPORTED_ARCHITECTURES.join(', ')}. Export a DistilBERT sequence classifier to ONNX.`,
    );
  }

  const dim = positiveInt(c, 'dim', file);
  const nLayers = positiveInt(c, 'n_layers', file);
  const vocabSize = positiveInt(c, 'vocab_size', file);
  const maxPositionEmbeddings = positiveInt(c, 'max_position_embeddings', file);
  const labels = readLabels(c, file);
  const problemType = readProblemType(c, file, labels.length);

  return {
    architecture,
    modelType: modelType ?? 'distilbert',
    dim,
    nLayers,
    nHeads: optionalInt(c, 'n_heads'),
    hiddenDim: optionalInt(c, 'hidden_dim'),
    vocabSize,
    maxPositionEmbeddings,
    labels,
    problemType,
    activation: typeof c['activation'] === 'string' ? c['activation'] : undefined,
    seqClassifDropout: typeof c['seq_classif_dropout'] === 'number' ? c['seq_classif_dropout'] : undefined,
  };
}

function readLabels(c: Record<string, unknown>, file: string): string[] {
  const id2label = c['id2label'];
  if (id2label === undefined) {
    // transformers defaults to LABEL_0..LABEL_{n-1}; num_labels defaults to 2.
    const n = optionalInt(c, 'num_labels') ?? 2;
    return Array.from({ length: n }, (_, i) => `LABEL_${i}`);
  }
  if (typeof id2label !== 'object' || id2label === null || Array.isArray(id2label)) {
    throw invalid(file, '"id2label" must be an object like {"0": "NEGATIVE", "1": "POSITIVE"}');
  }
  const entries = Object.entries(id2label as Record<string, unknown>);
  const labels: string[] = new Array(entries.length);
  for (const [k, v] of entries) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i >= entries.length || typeof v !== 'string' || v === '') {
      throw invalid(file, `"id2label" must map the ids 0..${entries.length - 1} to label names; found "${k}": ${JSON.stringify(v)}`);
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
