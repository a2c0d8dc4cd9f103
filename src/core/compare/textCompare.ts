// "Compare two texts": two Inspections of the same model in, one plain-JSON TextComparison out. Pure (no
// vscode, no worker), so the extension, the panel, tests and the Markdown report all read the same numbers.
//
// A text longer than one window has one set of stage vectors per window. A side is then summarised by the
// token-weighted mean over its windows, the same weights the core uses for the aggregate logits
// (modelRuntime.aggregate). Because everything after the activation is linear, the mean contributions add up
// exactly to the aggregate logit: mean_k(bias + Σ_u W[l][u]·x_k[u]) = bias + Σ_u W[l][u]·mean_k(x_k[u]).
// The mean ReLU vector is not ReLU of the mean pre_classifier vector, so every mean is labelled as one.
import { InspectorError } from '../errors';
import type { HeadTerms } from '../head/headTerms';
import { labelRecord, type Inspection, type ModelInfo, type ProblemType } from '../types';

/** How many units to list per stage and per label unless asked otherwise. */
export const DEFAULT_TOP_UNITS = 8;

/** One unit's value in A and in B; delta = b - a. */
export interface UnitDelta {
  unit: number;
  a: number;
  b: number;
  delta: number;
}

/** What one side (A or B) was classified as, and whether its vectors are means over windows. */
export interface ComparedSide {
  label: string;
  /** Aggregate logits (token-weighted mean over windows), in the order of model.labels. */
  logits: number[];
  probabilities: Record<string, number>;
  windows: number;
  tokens: number;
  textLength: number;
  /** False when the text was cut (truncate mode): the rest was not read. */
  complete: boolean;
  /** True when the stage vectors and contributions are token-weighted means over several windows. */
  mean: boolean;
}

/** Which stage a StageDiff describes: the [CLS] vector after block `layer` (0-based), or a head stage. */
export type StageKey =
  { kind: 'layer'; layer: number } | { kind: 'cls' } | { kind: 'preClassifier' } | { kind: 'relu' };

/** The difference of one stage vector between A and B. */
export interface StageDiff {
  stage: StageKey;
  /** cos(A, B); null when either vector is all zeros (e.g. a ReLU output with every unit off). */
  cosine: number | null;
  normA: number;
  normB: number;
  /** ||B - A||₂. */
  distance: number;
  /** B - A, one entry per unit (for the panel's heat strip). */
  delta: number[];
  /** The units with the largest |delta|, largest first. */
  top: UnitDelta[];
}

/** Per label: how the activation units' contributions (classifier weight × activation) moved from A to B. */
export interface ContributionDiff {
  label: string;
  /** B's logit minus A's: equals the sum of all units' deltas (the bias cancels). */
  logitDelta: number;
  /** Units whose contribution moved most (|delta|), largest first; a and b are the contributions. */
  top: UnitDelta[];
  /** The summed delta of every unit not in `top` (so top + rest = logitDelta). */
  rest: number;
}

/**
 * Two texts through the same model, side by side: labels, logits and probabilities with their difference
 * (B − A), each stage's vector difference, and per label the units whose contribution moved most.
 * Plain JSON (no class instances, no typed arrays), so it crosses the webview protocol and can be exported.
 */
export interface TextComparison {
  version: 1;
  model: ModelInfo;
  problemType: ProblemType;
  a: ComparedSide;
  b: ComparedSide;
  /** B − A per label, in the order of model.labels. */
  logitDelta: number[];
  /** B − A per label (regression: the value itself, as the core reports it). */
  probabilityDelta: Record<string, number>;
  labelChanged: boolean;
  /** Block 1..n, then [CLS] entering the head, the dense layer's output, the activation's output. */
  stages: StageDiff[];
  contributions: ContributionDiff[];
  topUnits: number;
}

/** Token-weighted mean of one vector per window (weights = each window's token count). */
export function weightedMean(vectors: number[][], weights: number[]): number[] {
  const dim = vectors[0]?.length ?? 0;
  const out = new Array<number>(dim).fill(0);
  let total = 0;
  vectors.forEach((v, k) => {
    const w = weights[k] ?? 0;
    total += w;
    for (let i = 0; i < dim; i++) out[i]! += (v[i] ?? 0) * w;
  });
  if (total > 0) for (let i = 0; i < dim; i++) out[i]! /= total;
  return out;
}

function norm(v: number[]): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

function topDeltas(a: number[], b: number[], delta: number[], k: number): UnitDelta[] {
  return delta
    .map((d, unit) => ({ unit, a: a[unit] ?? 0, b: b[unit] ?? 0, delta: d }))
    .filter((x) => x.delta !== 0)
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || x.unit - y.unit)
    .slice(0, k);
}

/** cosine, norms, ||B − A|| and the top units of one stage. */
export function diffVectors(stage: StageKey, a: number[], b: number[], k: number): StageDiff {
  const delta = b.map((x, i) => x - (a[i] ?? 0));
  const normA = norm(a);
  const normB = norm(b);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * (b[i] ?? 0);
  // Clamp: rounding can push |cos| a hair above 1 for (nearly) parallel vectors.
  const cosine = normA === 0 || normB === 0 ? null : Math.max(-1, Math.min(1, dot / (normA * normB)));
  return { stage, cosine, normA, normB, distance: norm(delta), delta, top: topDeltas(a, b, delta, k) };
}

/** One side's stage vectors and per-label contributions: the window's own, or the token-weighted means. */
export function sideVectors(ins: Inspection): {
  layers: number[][];
  cls: number[];
  preClassifier: number[];
  activation: number[];
  contributions: Record<string, number[]>;
} {
  const ws = ins.windows;
  const weights = ws.map((w) => w.tokenCount);
  const nLayers = ws[0]?.stages.layers.length ?? 0;
  const layers: number[][] = [];
  for (let l = 0; l < nLayers; l++)
    layers.push(
      weightedMean(
        ws.map((w) => w.stages.layers[l] ?? []),
        weights,
      ),
    );
  const contributions = labelRecord<number[]>();
  for (const label of ins.model.labels)
    contributions[label] = weightedMean(
      ws.map((w) => w.contributions[label]?.units ?? []),
      weights,
    );
  return {
    layers,
    cls: weightedMean(
      ws.map((w) => w.stages.cls),
      weights,
    ),
    preClassifier: weightedMean(
      ws.map((w) => w.stages.preClassifier),
      weights,
    ),
    activation: weightedMean(
      ws.map((w) => w.stages.activation),
      weights,
    ),
    contributions,
  };
}

function side(ins: Inspection): ComparedSide {
  const a = ins.aggregate;
  return {
    label: a.label,
    logits: a.logits.slice(),
    probabilities: { ...a.probabilities },
    windows: ins.windows.length,
    tokens: ins.coverage.tokens,
    textLength: ins.coverage.textLength,
    complete: ins.coverage.complete,
    mean: ins.windows.length > 1,
  };
}

/** The same model means the same ONNX file, labels and width; else the vectors are not comparable unit by unit. */
function sameModel(a: ModelInfo, b: ModelInfo): boolean {
  return (
    a.path === b.path &&
    a.onnxFile === b.onnxFile &&
    a.dim === b.dim &&
    a.nLayers === b.nLayers &&
    a.labels.length === b.labels.length &&
    a.labels.every((l, i) => l === b.labels[i])
  );
}

/** Compares inspection B against A (every difference is B − A). Throws when they come from different models. */
export function compareTexts(a: Inspection, b: Inspection, opts: { topUnits?: number } = {}): TextComparison {
  if (!sameModel(a.model, b.model)) {
    throw new InspectorError(
      'BAD_OPTION',
      `The two inspections come from different models (${a.model.name}: ${a.model.onnxFile} and ${b.model.name}: ${b.model.onnxFile}), so their units cannot be compared.`,
      'Inspect both texts with the same model.',
    );
  }
  const k = Math.max(1, Math.floor(opts.topUnits ?? DEFAULT_TOP_UNITS));
  const va = sideVectors(a);
  const vb = sideVectors(b);
  const labels = a.model.labels;
  const stages: StageDiff[] = [
    ...va.layers.map((v, layer) => diffVectors({ kind: 'layer', layer }, v, vb.layers[layer] ?? [], k)),
    diffVectors({ kind: 'cls' }, va.cls, vb.cls, k),
    diffVectors({ kind: 'preClassifier' }, va.preClassifier, vb.preClassifier, k),
    diffVectors({ kind: 'relu' }, va.activation, vb.activation, k),
  ];
  const contributions = labels.map((label): ContributionDiff => {
    const ca = va.contributions[label] ?? [];
    const cb = vb.contributions[label] ?? [];
    const delta = cb.map((x, u) => x - (ca[u] ?? 0));
    const top = topDeltas(ca, cb, delta, k);
    const shown = new Set(top.map((t) => t.unit));
    let all = 0;
    let rest = 0;
    delta.forEach((d, u) => {
      all += d;
      if (!shown.has(u)) rest += d;
    });
    return { label, logitDelta: all, top, rest };
  });
  const probabilityDelta = labelRecord<number>();
  for (const l of labels)
    probabilityDelta[l] = (b.aggregate.probabilities[l] ?? 0) - (a.aggregate.probabilities[l] ?? 0);
  return {
    version: 1,
    model: a.model,
    problemType: a.model.problemType,
    a: side(a),
    b: side(b),
    logitDelta: labels.map((_, i) => (b.aggregate.logits[i] ?? 0) - (a.aggregate.logits[i] ?? 0)),
    probabilityDelta,
    labelChanged: a.aggregate.label !== b.aggregate.label,
    stages,
    contributions,
    topUnits: k,
  };
}

/** A stage's name for text output: "block 3", "cls", "preClassifier", "relu" (the panel uses the head's own names). */
export function stageKeyName(s: StageKey): string {
  return s.kind === 'layer' ? `block ${s.layer + 1}` : s.kind;
}

/** A stage's name in the head's own terms ("[CLS] after block 2", "pre_classifier output"), for the panel and the report. */
export function stageTitle(k: StageKey, t: HeadTerms): string {
  switch (k.kind) {
    case 'layer':
      return `${t.first} after block ${k.layer + 1}`;
    case 'cls':
      return `${t.first} entering ${t.dense}`;
    case 'preClassifier':
      return `${t.dense} output`;
    case 'relu':
      return `${t.act} output`;
  }
}
