// The forward passes behind attention views and the attribution methods (occlusion, partition SHAP, attention
// rollout) with their faithfulness scores. Runs in the worker on a loaded ModelRuntime; the arithmetic lives in
// the pure modules of ../attribution.
import type * as ort from 'onnxruntime-node';
import { clsRows, rollout, type AttentionResult, type WindowAttention } from '../attribution/attention';
import type { AttributionMethod, AttributionResult } from '../attribution/explain';
import { measureFaithfulness, type Faithfulness } from '../attribution/faithfulness';
import { groupTokens, itemSpan, type PassGraphKind } from '../attribution/occlusion';
import { logOdds, withPresence, type Replacement, type Variant } from '../attribution/perturb';
import { breakStrengths, flatHierarchy, owenValues, splitHierarchy } from '../attribution/shap';
import { InspectorError } from '../errors';
import { argmax, toProbabilities } from '../head/head';
import { checkWindowOptions, planWindows, type LongTextMode } from '../text/windows';
import type { Encoding } from '../types';
import type { Checkpoint, ModelRuntime } from './modelRuntime';

/** Options for the attention of a text (the same windows an inspection reads). */
export interface AttentionRequest {
  text: string;
  windowTokens: number;
  overlap: number;
  mode: LongTextMode;
  /** Keep the full layers x heads x seq x seq matrices (otherwise only the [CLS] rows and the rollout). */
  full: boolean;
}

/** Options for one attribution of the text's first window. */
export interface ExplainRequest {
  text: string;
  method: AttributionMethod;
  windowTokens: number;
  batchTokens: number;
  /** SHAP's bound on forward passes. */
  budget: number;
  /** Also score the attribution's faithfulness (36 more passes). */
  faithfulness: boolean;
}

export async function runAttention(
  rt: ModelRuntime,
  req: AttentionRequest,
  checkpoint: Checkpoint,
): Promise<AttentionResult> {
  checkWindowOptions(req.windowTokens, req.overlap, rt.info.model.maxLength);
  const pieces = rt.tokenizer.tokenize(req.text);
  if (pieces.length === 0)
    throw new InspectorError('EMPTY_TEXT', 'The text has no tokens the model can read.', 'Use text with words in it.');
  const plans = planWindows(pieces, req.windowTokens, req.overlap, req.mode);
  const t0 = performance.now();
  const windows: WindowAttention[] = [];
  for (const [i, p] of plans.entries()) {
    await checkpoint(i, plans.length);
    const enc = rt.tokenizer.encodePieces(pieces.slice(p.first, p.last), req.windowTokens, p.end, p.start);
    const a = await attentionOf(rt, enc);
    const w: WindowAttention = {
      layers: a.layers,
      heads: a.heads,
      seq: a.seq,
      cls: clsRows(a.full, a.layers, a.heads, a.seq),
      rollout: rollout(a.full, a.layers, a.heads, a.seq),
      tokens: enc.tokens,
    };
    if (req.full) w.full = a.full;
    windows.push(w);
  }
  await checkpoint(plans.length, plans.length);
  return { windows, inferenceMs: performance.now() - t0 };
}

/** Attention probabilities of one sequence: [layer][head][query][key], flat. */
async function attentionOf(
  rt: ModelRuntime,
  v: Variant,
): Promise<{ layers: number; heads: number; seq: number; full: Float32Array }> {
  const { session, outputs } = await rt.attentionSession();
  const out: ort.InferenceSession.ReturnType = await rt.call([v], outputs, session);
  const seq = v.ids.length;
  const heads = out[outputs[0]!]!.dims[1]!;
  const full = new Float32Array(outputs.length * heads * seq * seq);
  outputs.forEach((name, l) => full.set(out[name]!.data as Float32Array, l * heads * seq * seq));
  return { layers: outputs.length, heads, seq, full };
}

/** How much of the text an attribution run's one window covered. */
export function windowCoverage(
  enc: { ids: ArrayLike<unknown>; coveredEnd: number; truncated: boolean },
  textTokens: number,
  textLength: number,
): { windowTokens: number; textTokens: number; coveredEnd: number; complete: boolean; textLength: number } {
  return { windowTokens: enc.ids.length, textTokens, coveredEnd: enc.coveredEnd, complete: !enc.truncated, textLength };
}

/** An attribution run's window: an integer from 3 (CLS, one piece, SEP) to the model's max length. */
export function checkAttributionWindow(windowTokens: number, maxLength: number, what: string): void {
  if (!Number.isInteger(windowTokens) || windowTokens < 3 || windowTokens > maxLength) {
    throw new InspectorError(
      'BAD_OPTION',
      `${what} must be an integer from 3 to ${maxLength} tokens (the model's max length); got ${windowTokens}.`,
      `Use at most ${maxLength} tokens.`,
    );
  }
}

export async function runExplain(
  rt: ModelRuntime,
  req: ExplainRequest,
  checkpoint: Checkpoint,
): Promise<AttributionResult> {
  const t0 = performance.now();
  const { labels, problemType, maxLength } = rt.info.model;
  checkAttributionWindow(req.windowTokens, maxLength, 'The window');
  if (!Number.isInteger(req.budget) || req.budget < 2)
    throw new InspectorError(
      'BAD_OPTION',
      `The SHAP budget must be a whole number of forward passes >= 2; got ${req.budget}.`,
      'Use --budget 500 (the default) or more.',
    );
  const tok = rt.tokenizer;
  const pieces = tok.tokenize(req.text);
  const enc: Encoding = tok.encodePieces(pieces, req.windowTokens, req.text.length);
  const groups = groupTokens(enc.tokens, req.text, 'word', new Set([tok.clsId, tok.sepId, tok.padId]));
  if (groups.length === 0)
    throw new InspectorError(
      'EMPTY_TEXT',
      'The text has no word the model can read.',
      'Explain a text with words in it.',
    );
  const n = groups.length;
  const multiLabel = problemType === 'multi_label_classification';
  const replacement: Replacement = tok.maskId !== undefined ? 'mask' : 'delete';
  const expected =
    (req.method === 'occlusion' ? n + 1 : req.method === 'shap' ? Math.min(req.budget, 2 ** Math.min(n, 30)) : 2) +
    (req.faithfulness ? 36 : 0);
  let passes = 0;
  let inferenceMs = 0;
  let passGraph: PassGraphKind = 'full';
  const logitsOf = async (variants: Variant[]): Promise<number[][]> => {
    const t = performance.now();
    const r = await rt.logitsOfMany(variants, req.batchTokens, (d) =>
      checkpoint(passes + d, Math.max(expected, passes + d + 1)),
    );
    inferenceMs += performance.now() - t;
    passes += variants.length;
    passGraph = r.passGraph;
    return r.logits;
  };
  const base = (await logitsOf([enc]))[0]!;
  const y = argmax(base);
  const lo = (z: number[]) => logOdds(z, y, multiLabel);
  let scores: number[];
  let shap: AttributionResult['shap'];
  let scoreMeaning: string;
  if (req.method === 'occlusion') {
    const out = await logitsOf(
      groups.map((_, k) =>
        withPresence(
          enc,
          groups,
          groups.map((_g, j) => j !== k),
          'delete',
        ),
      ),
    );
    scores = out.map((z) => lo(base) - lo(z));
    scoreMeaning = `drop in ${labels[y]}'s log-odds when the word is deleted`;
  } else if (req.method === 'shap') {
    const flat = 2 ** n <= req.budget;
    const root = flat
      ? flatHierarchy(n)
      : splitHierarchy(breakStrengths(groups.map((g) => itemSpan(enc.tokens, g, req.text).text)));
    const r = await owenValues(
      n,
      root,
      async (masks) =>
        (await logitsOf(masks.map((m) => withPresence(enc, groups, m, replacement, tok.maskId)))).map(lo),
      req.budget,
      lo(base),
    );
    scores = r.values;
    shap = { budget: req.budget, exact: r.exact, hierarchy: flat ? 'flat' : 'words-phrases-sentences', replacement };
    scoreMeaning = `${flat ? 'Shapley' : 'Owen'} value of the word for ${labels[y]}'s log-odds (absent words ${replacement === 'mask' ? 'masked' : 'deleted'}); they sum to its log-odds minus that of the text without words`;
  } else {
    const t = performance.now();
    const a = await attentionOf(rt, enc);
    inferenceMs += performance.now() - t;
    passes += 1;
    const r = rollout(a.full, a.layers, a.heads, a.seq);
    scores = groups.map((g) => g.reduce((s, i) => s + r[i]!, 0));
    scoreMeaning = "attention rollout: the share of [CLS]'s attention flow that comes from the word (no sign)";
  }
  const methodPasses = passes;
  let faithfulness: Faithfulness | undefined;
  if (req.faithfulness) {
    faithfulness = await measureFaithfulness(
      enc,
      groups,
      scores,
      {
        y,
        label: labels[y]!,
        baseLogits: base,
        problemType,
        ...(tok.maskId !== undefined ? { maskId: tok.maskId } : {}),
      },
      logitsOf,
    );
  }
  await checkpoint(passes, passes);
  const result: AttributionResult = {
    method: req.method,
    scoreMeaning,
    labels,
    label: labels[y]!,
    baselineLogits: base,
    baselineProbabilities: toProbabilities(base, problemType),
    tokens: enc.tokens,
    items: groups.map((g, k) => ({ ...itemSpan(enc.tokens, g, req.text), tokenIndices: g, score: scores[k]! })),
    forwardPasses: methodPasses,
    passGraph,
    inferenceMs,
    totalMs: performance.now() - t0,
    coverage: windowCoverage(enc, pieces.length, req.text.length),
    ...(shap ? { shap } : {}),
    ...(faithfulness ? { faithfulness } : {}),
  };
  return result;
}
