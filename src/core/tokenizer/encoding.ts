// Wrapping word pieces with the template's special tokens, truncated to a maximum length.

import type { Encoding, TokenSpan } from '../types';
import { TokenizerError } from './errors';

/** A special token as the template inserts it: an id and its string. */
export interface SpecialToken {
  id: number;
  text: string;
}

/**
 * [prefix] pieces [suffix] with at most `maxLength` tokens in total. Pieces beyond the room are dropped
 * (from the end) and reported through `truncated` / `coveredEnd`. Prefix tokens sit at `startOffset`,
 * suffix tokens at `coveredEnd`, both as empty ranges, so they never cover text.
 */
export function wrapPieces(
  pieces: readonly TokenSpan[],
  maxLength: number,
  textLength: number,
  prefix: readonly SpecialToken[],
  suffix: readonly SpecialToken[],
  startOffset = 0,
): Encoding {
  const specials = prefix.length + suffix.length;
  if (!Number.isInteger(maxLength) || maxLength <= specials) {
    throw new TokenizerError(
      'BAD_ARGUMENT',
      `maxLength must be an integer above the ${specials} special tokens, got ${maxLength}.`,
      "Pass the model's max_position_embeddings (e.g. 512), or a window size of at least 8 tokens.",
    );
  }
  const room = maxLength - specials;
  const truncated = pieces.length > room;
  const kept = truncated ? pieces.slice(0, room) : pieces;
  const coveredEnd = truncated
    ? kept.length > 0
      ? (kept[kept.length - 1] as TokenSpan).end
      : startOffset
    : textLength;
  const tokens: TokenSpan[] = [];
  for (const s of prefix) tokens.push({ id: s.id, text: s.text, start: startOffset, end: startOffset, special: true });
  for (const p of kept) tokens.push({ ...p });
  for (const s of suffix) tokens.push({ id: s.id, text: s.text, start: coveredEnd, end: coveredEnd, special: true });
  return {
    ids: tokens.map((t) => t.id),
    attentionMask: tokens.map(() => 1),
    tokens,
    truncated,
    coveredEnd,
  };
}
