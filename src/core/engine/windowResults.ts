// From one batch run's fetched tensors to what the Inspection holds: each row's stages, each window's result
// (probabilities, logit decomposition, head summary, layer and token lens, head experiments), and the
// token-weighted aggregate over the windows. Pure arithmetic on arrays; modelRuntime.ts runs the graph.
import { argmax, decomposeLogits, summarizeHead, toProbabilities } from '../head/head';
import { headExperiments, layerLens, tokenLens, type LensModel } from '../head/lens';
import type { HeadWeights, TapPlan } from '../onnx/taps';
import type { WindowPlan } from '../text/windows';
import {
  labelRecord,
  type Aggregate,
  type Encoding,
  type HeadActivation,
  type ModelInfo,
  type Stages,
  type WindowResult,
} from '../types';

/** One sequence's taps from a batch run; `positions` ([tokens x dim]) only when a token lens is asked for. */
export interface Row {
  stages: Stages;
  logits: number[];
  positions?: Float32Array;
}

/** Fetched outputs by name, as ONNX Runtime (or a lane) returns them. */
export type Fetched = Record<string, { data: unknown; dims: readonly number[] }>;

/** Splits a batch's outputs into per-row stages and logits (and each row's real positions when fetched). */
export function readRows(out: Fetched, batch: Encoding[], o: TapPlan['outputs'], allPositions: boolean): Row[] {
  const row = (name: string, r: number): number[] => {
    const t = out[name]!;
    const width = t.dims[t.dims.length - 1]!;
    return Array.from((t.data as Float32Array).subarray(r * width, (r + 1) * width));
  };
  const hidden = allPositions ? out[o.hiddenStates] : undefined;
  return batch.map((enc, r) => {
    const stages: Stages = {
      cls: row(o.cls, r),
      preClassifier: row(o.preClassifier, r),
      activation: row(o.relu, r),
      layers: o.layers.map((l) => row(l, r)),
    };
    if (o.classifierInput) stages.classifierInput = row(o.classifierInput, r);
    stages.embeddings = row(o.embeddings, r);
    if (!hidden) return { logits: row(o.logits, r), stages };
    // [batch, seq, dim]: this row's real tokens, padding left out.
    const [, seq, dim] = hidden.dims as [number, number, number];
    const positions = (hidden.data as Float32Array).subarray(r * seq * dim, (r * seq + enc.ids.length) * dim);
    return { logits: row(o.logits, r), stages, positions };
  });
}

/** What a window's result is computed with: the model's labels and sizes, the head's weights and activation. */
export interface HeadContext {
  model: ModelInfo;
  weights: HeadWeights;
  activation: HeadActivation;
}

/** One window's result from its row of taps. */
export function windowResult(
  head: HeadContext,
  plan: WindowPlan,
  enc: Encoding,
  row: Row,
  truncated: boolean,
  topUnits: number,
): WindowResult {
  const { labels, problemType, dim } = head.model;
  const lensModel: LensModel = { labels, problemType, activation: head.activation };
  const { lens, settledAt } = layerLens(row.stages, head.weights, lensModel);
  const probs = toProbabilities(row.logits, problemType);
  const contributions = decomposeLogits(
    row.stages.classifierInput ?? row.stages.activation,
    head.weights.classifierWeight,
    head.weights.classifierBias,
    labels,
  );
  return {
    start: plan.start,
    end: plan.end,
    tokenCount: enc.ids.length,
    label: labels[argmax(row.logits)]!,
    probabilities: byLabel(labels, probs),
    logits: row.logits,
    stages: row.stages,
    contributions,
    head: summarizeHead(row.stages, contributions, topUnits),
    tokens: enc.tokens,
    truncated,
    lens,
    lensSettledAt: settledAt,
    experiments: headExperiments(row.stages, head.weights, lensModel),
    ...(row.positions ? { tokenLens: tokenLens(row.positions, enc.ids.length, dim, head.weights, lensModel) } : {}),
  };
}

/** Token-weighted mean of the windows' logits, then the problem type's link function. */
export function aggregate(windows: WindowResult[], model: ModelInfo): Aggregate {
  const n = model.labels.length;
  const logits = new Array<number>(n).fill(0);
  let weight = 0;
  for (const w of windows) {
    for (let i = 0; i < n; i++) logits[i]! += w.logits[i]! * w.tokenCount;
    weight += w.tokenCount;
  }
  for (let i = 0; i < n; i++) logits[i]! /= weight;
  return {
    label: model.labels[argmax(logits)]!,
    probabilities: byLabel(model.labels, toProbabilities(logits, model.problemType)),
    logits,
    method: windows.length === 1 ? 'single window' : `token-weighted mean of ${windows.length} windows' logits`,
  };
}

function byLabel(labels: string[], values: number[]): Record<string, number> {
  const out = labelRecord<number>();
  labels.forEach((l, i) => (out[l] = values[i]!));
  return out;
}
