// Schemas of the core's other results that cross the webview protocol: occlusion, text comparison, and the
// faithfulness scores both occlusion and the attribution methods carry. The types are owned by the core;
// `sameType` fails to compile if a schema and its type differ in any field.
import type { Faithfulness } from '../../core/attribution/faithfulness';
import type { OcclusionResult } from '../../core/attribution/occlusion';
import type { TextComparison } from '../../core/compare/textCompare';
import {
  array,
  bool,
  index,
  literal,
  num,
  object,
  optional,
  orNull,
  record,
  refine,
  sameType,
  str,
  tagged,
  type Infer,
} from '../schema';
import { hasLength, modelInfoSchema, numbers, problemTypeSchema, tokenSpanSchema } from './inspection';

const protocolScores = object({
  comprehensiveness: numbers,
  sufficiency: numbers,
  comprehensivenessAopc: num,
  sufficiencyAopc: num,
});
export const faithfulnessSchema = object({
  label: str,
  fractions: numbers,
  counts: array(index),
  deletion: protocolScores,
  mask: optional(protocolScores),
  forwardPasses: index,
});
sameType<Infer<typeof faithfulnessSchema>, Faithfulness>(true);

export const occlusionUnitSchema = literal('word', 'piece');
export const occlusionCoverageSchema = object({
  windowTokens: index,
  textTokens: index,
  coveredEnd: index,
  complete: bool,
  textLength: index,
});

/** The fields an occlusion and an attribution of the text's first window share. */
export const firstWindowFields = {
  labels: array(str),
  /** The label the baseline predicts. */
  label: str,
  baselineLogits: numbers,
  baselineProbabilities: numbers,
  tokens: array(tokenSpanSchema),
  forwardPasses: index,
  passGraph: literal('cls-only', 'full'),
  inferenceMs: num,
  totalMs: num,
  coverage: occlusionCoverageSchema,
  faithfulness: optional(faithfulnessSchema),
};

/** Items name ordered text ranges and index into the window's tokens. */
export function itemsInRange(x: {
  tokens: unknown[];
  items: { start: number; end: number; tokenIndices: number[] }[];
}): boolean {
  return x.items.every((it) => it.start <= it.end && it.tokenIndices.every((i) => i < x.tokens.length));
}

const occlusionItem = object({
  start: index,
  end: index,
  text: str,
  tokenIndices: array(index),
  logits: numbers,
  deltaLogits: numbers,
  deltaProbabilities: numbers,
});

/** An occlusion result: item ranges ordered, vectors one value per label, token indices in range. */
export const occlusionResultSchema = refine(
  object({
    unit: occlusionUnitSchema,
    method: literal('removed'),
    ...firstWindowFields,
    items: array(occlusionItem),
    batches: index,
  }),
  (x) => {
    const n = x.labels.length;
    return (
      hasLength(x.baselineLogits, n) &&
      hasLength(x.baselineProbabilities, n) &&
      itemsInRange(x) &&
      x.items.every((it) => [it.logits, it.deltaLogits, it.deltaProbabilities].every((v) => hasLength(v, n)))
    );
  },
);
sameType<Infer<typeof occlusionResultSchema>, OcclusionResult>(true);

const unitDelta = object({ unit: index, a: num, b: num, delta: num });
const comparedSide = object({
  label: str,
  logits: numbers,
  probabilities: record(num),
  windows: index,
  tokens: index,
  textLength: index,
  complete: bool,
  mean: bool,
});
const stageKey = tagged('kind', { layer: { layer: index }, cls: {}, preClassifier: {}, relu: {} });
const stageDiff = object({
  stage: stageKey,
  cosine: orNull(num),
  normA: num,
  normB: num,
  distance: num,
  delta: numbers,
  top: array(unitDelta),
});

/** A text comparison: every array the renderer indexes has the model's sizes. */
export const textComparisonSchema = refine(
  object({
    version: literal(1),
    model: modelInfoSchema,
    problemType: problemTypeSchema,
    a: comparedSide,
    b: comparedSide,
    logitDelta: numbers,
    probabilityDelta: record(num),
    labelChanged: bool,
    stages: array(stageDiff),
    contributions: array(object({ label: str, logitDelta: num, top: array(unitDelta), rest: num })),
    topUnits: index,
  }),
  (x) => {
    const n = x.model.labels.length;
    return (
      [x.a.logits, x.b.logits, x.logitDelta].every((v) => hasLength(v, n)) &&
      x.stages.every(
        (d) => hasLength(d.delta, x.model.dim) && (d.stage.kind !== 'layer' || d.stage.layer < x.model.nLayers),
      )
    );
  },
);
sameType<Infer<typeof textComparisonSchema>, TextComparison>(true);

export const isOcclusionResult = occlusionResultSchema.is;
export const isTextComparison = textComparisonSchema.is;
