// Long text: the model sees at most max_position_embeddings tokens, so a file is read in windows of at most
// `windowTokens` tokens ([CLS] + pieces + [SEP]) that overlap by `overlap` pieces. Every piece of the text lands
// in at least one window, so nothing is dropped silently; in 'truncate' mode only the first window is read and
// the coverage says so.
import { InspectorError } from '../errors';
import type { TokenSpan } from '../types';

/**
 * Pieces shared by consecutive windows unless the caller chooses (the CLI's --overlap, the extension's
 * windowOverlap setting, whose declared default in package.json is this number too).
 */
export const DEFAULT_OVERLAP = 64;

/** How a text longer than one window is handled. */
export type LongTextMode = 'windows' | 'truncate';

/** One planned window: pieces [first, last) of the text's word pieces. */
export interface WindowPlan {
  first: number;
  last: number;
  start: number;
  end: number;
}

/** Window size and overlap checked against the model's limit; `windowTokens` includes [CLS] and [SEP]. */
export function checkWindowOptions(windowTokens: number, overlap: number, maxLength: number): void {
  if (!Number.isInteger(windowTokens) || windowTokens < 8 || windowTokens > maxLength) {
    throw new InspectorError(
      'BAD_OPTION',
      `Tokens per window must be an integer from 8 to ${maxLength} (the model's max_position_embeddings); got ${windowTokens}.`,
      `Use at most ${maxLength} tokens per window.`,
      {
        cli: `Pass --window-tokens at most ${maxLength}.`,
        vscode: `Set distilbertInspector.windowTokens to at most ${maxLength}.`,
      },
    );
  }
  const content = windowTokens - 2;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= content) {
    throw new InspectorError(
      'BAD_OPTION',
      `Window overlap must be an integer from 0 to ${content - 1} (less than the ${content} text tokens a window holds); got ${overlap}.`,
      'Lower the overlap or raise the tokens per window.',
      {
        cli: 'Lower --overlap or raise --window-tokens.',
        vscode: 'Lower distilbertInspector.windowOverlap or raise distilbertInspector.windowTokens.',
      },
    );
  }
}

/** Splits `pieces` (no special tokens) into windows of at most windowTokens - 2 pieces, `overlap` shared. */
export function planWindows(
  pieces: TokenSpan[],
  windowTokens: number,
  overlap: number,
  mode: LongTextMode,
): WindowPlan[] {
  const content = windowTokens - 2;
  const step = content - overlap;
  const plans: WindowPlan[] = [];
  for (let first = 0; first < pieces.length; first += step) {
    const last = Math.min(first + content, pieces.length);
    plans.push({ first, last, start: pieces[first]!.start, end: pieces[last - 1]!.end });
    if (last === pieces.length || mode === 'truncate') break;
  }
  return plans;
}

/** Characters of the text inside at least one window (windows are in order and may overlap). */
export function coveredChars(plans: WindowPlan[]): number {
  let covered = 0;
  let reach = 0;
  for (const p of plans) {
    const from = Math.max(p.start, reach);
    if (p.end > from) covered += p.end - from;
    reach = Math.max(reach, p.end);
  }
  return covered;
}
