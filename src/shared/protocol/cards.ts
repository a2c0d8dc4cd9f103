// The fp32 / int8 comparison and occlusion cards of the shown result (the attribution and attention cards are in
// attribution.ts, which shares their error case): schemas, and the types inferred from them.
import {
  array,
  index,
  literal,
  num,
  object,
  record,
  refine,
  str,
  tagged,
  type Infer,
  type Schema,
  type Shape,
} from '../schema';
import { numbers } from './inspection';
import { occlusionResultSchema, occlusionUnitSchema } from './results';

/** The fields every panel card's error state carries. */
export const errorCase = { message: str };

/**
 * The four states of a card's run: running (with its progress fields), done (the result and the run's wall time
 * as the editor saw it), cancelled, or failed. Occlusion and the picked attribution method share them.
 */
export function runStateCases<R extends Shape, S extends Schema<unknown>>(running: R, result: S) {
  return { running, done: { result, latencyMs: num }, cancelled: {}, error: errorCase };
}

export const variantRunSchema = object({
  /** The side: fp32, or the 8-bit graph ('quantized': model_int8.onnx or model_quantized.onnx, see onnxFile). */
  variant: literal('fp32', 'quantized'),
  onnxFile: str,
  label: str,
  /** In the order of the inspection's model.labels. */
  logits: numbers,
  probabilities: record(num),
  /** Wall time of the whole inspect call (worker round trip included), and the core's inference time. */
  latencyMs: num,
  inferenceMs: num,
});
/** One ONNX variant's run of the compared text. */
export type VariantRun = Infer<typeof variantRunSchema>;

export const compareStateSchema = tagged('kind', {
  available: {},
  running: {},
  done: { runs: refine(array(variantRunSchema), (runs) => runs.length === 2) },
  error: errorCase,
});
/**
 * The fp32 / int8 comparison of the shown result: offered only when the model folder has onnx/model.onnx and
 * an 8-bit graph (onnx/model_int8.onnx preferred, else onnx/model_quantized.onnx); runs fp32 first, then int8.
 */
export type CompareState = Infer<typeof compareStateSchema>;

export const occlusionStateSchema = tagged(
  'kind',
  runStateCases({ unit: occlusionUnitSchema, done: index, total: index }, occlusionResultSchema),
);
/**
 * "Which words drove the decision" for the shown result: each word (or piece) of its text removed in turn.
 * `latencyMs` is the whole run as the editor saw it (worker round trip included).
 */
export type OcclusionState = Infer<typeof occlusionStateSchema>;

export const isCompareState = compareStateSchema.is;
export const isOcclusionState = occlusionStateSchema.is;
