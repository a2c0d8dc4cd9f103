// The forward passes behind occlusion ("which words drove the decision"): the text's first window run again
// with each word (or piece) removed. Runs in the worker on a loaded ModelRuntime; grouping pieces into words
// and the result's shape live in the pure ../attribution/occlusion.ts.
import { FAITHFULNESS_PASSES, measureFaithfulness } from '../attribution/faithfulness';
import {
  groupTokens,
  itemSpan,
  minus,
  removeTokens,
  type OcclusionItem,
  type OcclusionResult,
  type PassGraphKind,
} from '../attribution/occlusion';
import { InspectorError } from '../errors';
import { argmax, toProbabilities } from '../head/head';
import { checkAttributionWindow, windowCoverage } from './explainRun';
import type { OccludeRequest } from './messages';
import type { Checkpoint, ModelRuntime } from './modelRuntime';

/**
 * Occlusion of the text's first window: one baseline pass plus one pass per item with that item's pieces
 * removed, batched under the token budget, fetching only the logits.
 */
export async function runOcclusion(
  rt: ModelRuntime,
  req: OccludeRequest,
  checkpoint: Checkpoint,
): Promise<OcclusionResult> {
  const t0 = performance.now();
  const { labels, problemType, maxLength } = rt.info.model;
  checkAttributionWindow(req.windowTokens, maxLength, 'Occlusion window');
  const pieces = rt.tokenizer.tokenize(req.text);
  const enc = rt.tokenizer.encodePieces(pieces, req.windowTokens, req.text.length);
  const specialIds = new Set([rt.tokenizer.clsId, rt.tokenizer.sepId, rt.tokenizer.padId]);
  const groups = groupTokens(enc.tokens, req.text, req.unit, specialIds);
  if (groups.length === 0) {
    throw new InspectorError(
      'EMPTY_TEXT',
      pieces.length === 0
        ? 'The text has no tokens the model can read.'
        : 'The text has only special tokens (such as [CLS] or [SEP]); there is no word to remove.',
      'Explain a text with words in it.',
    );
  }
  const variants = [{ ids: enc.ids, attentionMask: enc.attentionMask }, ...groups.map((g) => removeTokens(enc, g))];
  const t1 = performance.now();
  let done = 0;
  let calls = 0;
  let passGraph: PassGraphKind = 'full';
  const total = variants.length + (req.faithfulness ? FAITHFULNESS_PASSES : 0);
  /** The logits of `vs`, batched under the token budget, with a cancellation checkpoint before each call. */
  const logitsOf = async (vs: { ids: number[] }[]): Promise<number[][]> => {
    const r = await rt.logitsOfMany(vs, req.batchTokens, (d) => checkpoint(done + d, total));
    done += vs.length;
    calls += r.calls;
    passGraph = r.passGraph;
    return r.logits;
  };
  const logits = await logitsOf(variants);
  const batches = calls; // the occlusion's own calls; faithfulness counts its passes itself
  const base = logits[0]!;
  const baseProbs = toProbabilities(base, problemType);
  const items = groups.map((g, k): OcclusionItem => {
    const l = logits[k + 1]!;
    return {
      ...itemSpan(enc.tokens, g, req.text),
      tokenIndices: g,
      logits: l,
      deltaLogits: minus(l, base),
      deltaProbabilities: minus(toProbabilities(l, problemType), baseProbs),
    };
  });
  const y = argmax(base);
  // Scored by what the panel colours: the drop of the label's logit when the item is removed.
  const faithfulness = req.faithfulness
    ? await measureFaithfulness(
        enc,
        groups,
        items.map((it) => -(it.deltaLogits[y] ?? 0)),
        {
          y,
          label: labels[y]!,
          baseLogits: base,
          problemType,
          ...(rt.tokenizer.maskId !== undefined ? { maskId: rt.tokenizer.maskId } : {}),
        },
        logitsOf,
      )
    : undefined;
  await checkpoint(done, done);
  const inferenceMs = performance.now() - t1;
  return {
    unit: req.unit,
    method: 'removed',
    labels,
    label: labels[y]!,
    baselineLogits: base,
    baselineProbabilities: baseProbs,
    tokens: enc.tokens,
    items,
    forwardPasses: variants.length,
    batches,
    passGraph,
    inferenceMs,
    totalMs: performance.now() - t0,
    coverage: windowCoverage(enc, pieces.length, req.text.length),
    ...(faithfulness ? { faithfulness } : {}),
  };
}
