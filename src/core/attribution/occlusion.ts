// Occlusion attribution: which words drove the decision. ONNX graphs have no gradients, so the effect of a word
// is measured directly: run the window again with that word's pieces removed and compare the logits. This file
// is the pure part (grouping pieces into words, building the variants, the result's shape); the forward passes
// run in the engine (ModelRuntime.occlude), batched like inspections.
import type { Encoding, TokenSpan } from '../types';
import type { Faithfulness } from './faithfulness';

/** What one occluded item is: a word (its pieces removed together) or a single word piece. */
export type OcclusionUnit = 'word' | 'piece';

/** One occluded item of the window and the effect of removing it. */
export interface OcclusionItem {
  /** UTF-16 range [start, end) in the inspected text. */
  start: number;
  end: number;
  /** The text's characters start..end (what a person calls the word). */
  text: string;
  /** Indices into OcclusionResult.tokens (the window's tokens, specials included) of the removed pieces. */
  tokenIndices: number[];
  /** The variant's logits, in model.labels order. */
  logits: number[];
  /** Occluded minus baseline, per label in model.labels order: negative = the word pushed that label up. */
  deltaLogits: number[];
  deltaProbabilities: number[];
}

/** Which part of the text the occlusion covers: one window, never silently less than the text. */
export interface OcclusionCoverage {
  /** Tokens of the window, specials included (at most the model's max length or the requested window). */
  windowTokens: number;
  /** Word pieces of the whole text (no specials). */
  textTokens: number;
  /** Character offset where the covered part ends (text.length when complete). */
  coveredEnd: number;
  complete: boolean;
  textLength: number;
}

/** The whole occlusion run: plain JSON data (crosses the worker boundary and the webview protocol). */
export interface OcclusionResult {
  unit: OcclusionUnit;
  /** How a variant is made; always 'removed': the item's pieces are deleted and the sequence gets shorter. */
  method: 'removed';
  labels: string[];
  /** The label the baseline predicts (argmax, or the highest probability for multi-label). */
  label: string;
  baselineLogits: number[];
  baselineProbabilities: number[];
  /** The window's tokens, specials included; items index into this. */
  tokens: TokenSpan[];
  items: OcclusionItem[];
  /** 1 baseline + one per item. */
  forwardPasses: number;
  /** ONNX Runtime calls (passes are batched under the token budget; quantized graphs run one row per call). */
  batches: number;
  /** Which graph ran the passes: the copy whose last block computes the [CLS] row only, or the full graph. */
  passGraph: PassGraphKind;
  inferenceMs: number;
  totalMs: number;
  coverage: OcclusionCoverage;
  /** Comprehensiveness / sufficiency of the items ranked by the drop of the label's logit, when asked for. */
  faithfulness?: Faithfulness;
}

/** See onnx/passesCopy.ts: 'full' when the model's last block was not recognised or the copy failed its check. */
export type PassGraphKind = 'cls-only' | 'full';

/** Punctuation only: such pieces at the edges of a whitespace-delimited run are items of their own. */
const PUNCT = /^\p{P}+$/u;

/**
 * Groups a window's tokens into occlusion items; returns token index lists. Special tokens (the template's, and
 * any token whose id is in `specialIds`) are never included.
 *
 * 'piece': every non-special token alone. 'word': a run of tokens with no gap between their character ranges
 * (nothing between them in the text, i.e. no whitespace) is one word, except that punctuation-only pieces at the
 * start or end of the run form items of their own ("movie." -> "movie", "."; "don't" stays one word). This uses
 * the offsets only, so WordPiece ("##" continuations) and byte-level BPE ("Ġ" word starts, a multi-byte
 * character split over several pieces that share one range) group alike, and a text's words are the same for
 * every tokenizer (except where a tokenizer splits a punctuation character together with letters). Byte-level
 * BPE's whitespace-only pieces join the next word (see below): removing that word removes them too.
 */
export function groupTokens(
  tokens: readonly TokenSpan[],
  text: string,
  unit: OcclusionUnit,
  specialIds: ReadonlySet<number> = new Set(),
): number[][] {
  const content: number[] = [];
  tokens.forEach((t, i) => {
    // Template tokens, and [CLS]/[SEP]/<s>/</s> written into the text: the classifier reads position 0 and
    // expects the separator, so removing them measures a broken input, not a word.
    if (!t.special && !specialIds.has(t.id)) content.push(i);
  });
  if (unit === 'piece') return content.map((i) => [i]);
  const slice = (i: number) => text.slice(tokens[i]!.start, tokens[i]!.end);
  // Byte-level BPE keeps extra whitespace as pieces of its own ("Ġ" of a double space, "Ċ" of a newline, the
  // "Ġ" before an emoji split into byte pieces). Such a piece is no word: it goes with the word after it, or
  // with the last word at the end of the text.
  const isSpace = (i: number) => tokens[i]!.end > tokens[i]!.start && /^\s+$/u.test(slice(i));
  const isPunct = (i: number) => tokens[i]!.end > tokens[i]!.start && PUNCT.test(slice(i));
  const spaces = content.filter(isSpace);
  const words = content.filter((i) => !isSpace(i));
  // Whitespace-delimited runs: a piece that starts after a gap in the offsets starts a run.
  const runs: number[][] = [];
  let end = -1;
  for (const i of words) {
    const t = tokens[i]!;
    const last = runs[runs.length - 1];
    if (last && t.start <= end) last.push(i);
    else runs.push([i]);
    end = Math.max(end, t.end);
  }
  // Leading and trailing punctuation split off each run.
  const groups: number[][] = [];
  for (const run of runs) {
    let a = 0;
    let b = run.length;
    while (a < b && isPunct(run[a]!)) a++;
    while (b > a && isPunct(run[b - 1]!)) b--;
    if (a === b) {
      groups.push(run); // punctuation only ("...", "!?"): one item
      continue;
    }
    if (a > 0) groups.push(run.slice(0, a));
    groups.push(run.slice(a, b));
    if (b < run.length) groups.push(run.slice(b));
  }
  if (groups.length === 0) return spaces.length ? [spaces] : [];
  for (const i of spaces) {
    const next = groups.find((g) => g[0]! > i) ?? groups[groups.length - 1]!;
    next.push(i);
    next.sort((x, y) => x - y);
  }
  return groups;
}

/** The character range and text of a group of tokens, without the whitespace its space pieces bring along. */
export function itemSpan(
  tokens: readonly TokenSpan[],
  indices: readonly number[],
  text: string,
): { start: number; end: number; text: string } {
  let start = Infinity;
  let end = -Infinity;
  for (const i of indices) {
    start = Math.min(start, tokens[i]!.start);
    end = Math.max(end, tokens[i]!.end);
  }
  let s = start;
  let e = end;
  while (s < e && /\s/u.test(text[s]!)) s++;
  while (e > s && /\s/u.test(text[e - 1]!)) e--;
  if (s < e) [start, end] = [s, e];
  return { start, end, text: text.slice(start, end) };
}

/** The window with the tokens at `remove` deleted (ids and mask shorter by that many; specials stay). */
export function removeTokens(enc: Encoding, remove: readonly number[]): { ids: number[]; attentionMask: number[] } {
  const drop = new Set(remove);
  const ids: number[] = [];
  enc.ids.forEach((id, i) => {
    if (!drop.has(i)) ids.push(id);
  });
  return { ids, attentionMask: ids.map(() => 1) };
}

/** Element-wise a - b. */
export function minus(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x - b[i]!);
}
