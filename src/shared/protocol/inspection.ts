// The schema of an Inspection as it crosses the webview protocol (and comes back from persisted state). The
// type itself is owned by the core (src/core/types.ts); `sameType` below fails to compile if the schema and
// the core's type differ in any field, so the guard cannot drift from the type.
import type { HeadExperiment, Inspection, LensEntry, TokenLensEntry, TokenSpan } from '../../core/types';
import {
  array,
  bool,
  index,
  literal,
  num,
  object,
  optional,
  orUndefined,
  record,
  refine,
  sameType,
  str,
  type Infer,
} from '../schema';

export const numbers = array(num);
/** True when `v` has exactly `n` entries (a vector sized by the model's labels, dim or tokens). */
export const hasLength = (v: readonly unknown[], n: number): boolean => v.length === n;

export const tokenSpanSchema = object({ id: num, text: str, start: index, end: index, special: bool });
sameType<Infer<typeof tokenSpanSchema>, TokenSpan>(true);

export const problemTypeSchema = literal('single_label_classification', 'multi_label_classification', 'regression');

const headInfo = object({
  kind: literal('distilbert', 'bert', 'roberta'),
  activation: literal('relu', 'tanh'),
  denseName: str,
  classifierName: str,
  pretrainedDense: bool,
  denseParams: index,
  classifierParams: index,
  denseOp: str,
  classifierOp: str,
  quantized: bool,
});

export const modelInfoSchema = object({
  name: str,
  path: str,
  architecture: str,
  labels: array(str),
  problemType: problemTypeSchema,
  dim: index,
  nLayers: index,
  maxLength: index,
  onnxFile: str,
  variant: optional(str),
  variantReason: optional(str),
  dropout: orUndefined(num),
  head: optional(headInfo),
});

const unitShare = object({ unit: index, value: num });
const topUnits = record(object({ toward: array(unitShare), against: array(unitShare) }));

/** A head reading (lens entry, token lens entry, experiment): logits and probabilities per label, and a label. */
const reading = { logits: numbers, probabilities: numbers, label: str };
const headReading = object(reading);
sameType<Infer<typeof headReading>, HeadExperiment>(true);
sameType<Infer<typeof headReading>, TokenLensEntry>(true);
const lensEntry = object({ layer: index, ...reading, activeUnits: index, topUnits });
sameType<Infer<typeof lensEntry>, LensEntry>(true);

const windowResult = object({
  start: index,
  end: index,
  tokenCount: index,
  label: str,
  probabilities: record(num),
  logits: numbers,
  stages: object({
    cls: numbers,
    preClassifier: numbers,
    activation: numbers,
    layers: array(numbers),
    classifierInput: optional(numbers),
    embeddings: optional(numbers),
  }),
  contributions: record(object({ bias: num, units: numbers })),
  head: object({
    zeroedUnits: index,
    activeUnits: index,
    norms: object({ cls: num, preClassifier: num, relu: num, layers: numbers }),
    topUnits,
  }),
  tokens: array(tokenSpanSchema),
  truncated: bool,
  lens: optional(array(lensEntry)),
  lensSettledAt: optional(index),
  experiments: optional(object({ bypassDense: headReading, noActivation: headReading })),
  tokenLens: optional(array(headReading)),
});

type WindowShape = Infer<typeof windowResult>;
type Reading = Infer<typeof headReading>;

/** Every vector the renderer indexes by label or unit has the model's size. */
function windowFits(w: WindowShape, dim: number, nLabels: number): boolean {
  const perLabel = (r: Reading) => hasLength(r.logits, nLabels) && hasLength(r.probabilities, nLabels);
  const s = w.stages;
  return (
    hasLength(w.logits, nLabels) &&
    [s.cls, s.preClassifier, s.activation].every((v) => hasLength(v, dim)) &&
    (w.lens === undefined || w.lens.every(perLabel)) &&
    (w.experiments === undefined || (perLabel(w.experiments.bypassDense) && perLabel(w.experiments.noActivation))) &&
    (w.tokenLens === undefined || (hasLength(w.tokenLens, w.tokens.length) && w.tokenLens.every(perLabel)))
  );
}

/** An Inspection: at least one window, each sized by the model's dim and labels. */
export const inspectionSchema = refine(
  object({
    model: modelInfoSchema,
    windows: array(windowResult),
    aggregate: object({ label: str, probabilities: record(num), logits: numbers, method: str }),
    coverage: object({
      textLength: index,
      coveredChars: index,
      complete: bool,
      tokens: index,
      windowTokens: index,
      stride: index,
      coveredEnd: index,
    }),
    timing: object({ tokenizeMs: num, inferenceMs: num, totalMs: num }),
  }),
  (x) => x.windows.length > 0 && x.windows.every((w) => windowFits(w, x.model.dim, x.model.labels.length)),
);
sameType<Infer<typeof inspectionSchema>, Inspection>(true);

/** Structural check of an Inspection: enough that the renderer cannot trip over a malformed one. */
export const isInspection = inspectionSchema.is;
