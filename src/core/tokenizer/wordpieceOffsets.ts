// BERT-style tokenization with offsets: the same steps as @huggingface/tokenizers' Tokenizer.encode_text
// (added-token split, normalize, normalized added-token split, pre-tokenize, WordPiece), reusing the
// library's own splitters, pre-tokenizer pattern and WordPiece model, but keeping track of positions.

import type { TokenSpan } from '../types';
import { OffsetNormalizer, type NormalizedText } from './normalizeMap';
import type { LibraryInternals } from './spec';

const MARK = /^\p{M}$/u;
const WORD_CACHE_LIMIT = 50_000;
const MAX_CACHED_WORD = 256;

/** End (exclusive) of the code point starting at `i`. */
function codePointEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return i + 2;
  }
  return i + 1;
}

/** A word's pieces with their ids and normalized lengths (null: every piece spans the whole word). */
interface WordSplit {
  pieces: string[];
  ids: number[];
  lengths: number[] | null;
}

/** Splits text into word pieces with UTF-16 ranges in the original text. */
export class WordPieceOffsets {
  private readonly normalizer: OffsetNormalizer;
  private readonly pattern: RegExp;
  private readonly prefix: string;
  private readonly unkId: number;
  private readonly wordCache = new Map<string, WordSplit>();
  private readonly hasNormalizedAddedTokens: boolean;

  constructor(private readonly lib: LibraryInternals) {
    const n = lib.normalizer;
    this.normalizer = new OffsetNormalizer(n === null ? null : (s) => n.normalize(s), lib.remove_space === true);
    if (lib.pre_tokenizer === null) throw new Error('BertPreTokenizer expected');
    // A private copy: a global regex carries lastIndex state.
    this.pattern = new RegExp(lib.pre_tokenizer.pattern.source, lib.pre_tokenizer.pattern.flags);
    this.prefix = lib.model.config.continuing_subword_prefix ?? '##';
    this.unkId = lib.model.unk_token_id ?? -1;
    // Mirrors the library: only `normalized` added tokens are searched for in the normalized text.
    this.hasNormalizedAddedTokens = n !== null && lib.added_tokens.some((t) => t.normalized);
  }

  /** The id the library assigns to a token string (added tokens first, then the vocabulary, else [UNK]). */
  idOf(token: string): number {
    return this.lib.added_tokens_map.get(token)?.id ?? this.lib.model.tokens_to_ids.get(token) ?? this.unkId;
  }

  tokenize(text: string): TokenSpan[] {
    const out: TokenSpan[] = [];
    let pos = 0;
    for (const section of this.lib.splitter_unnormalized.split(text)) {
      const start = pos;
      pos += section.length;
      if (section.length === 0) continue;
      const added = this.lib.added_tokens_map.get(section);
      if (added !== undefined) {
        // An added token written in the text ("[MASK]") keeps its real range; `special` marks only the
        // tokens the template inserts.
        out.push({ id: added.id, text: section, start, end: pos, special: false });
        continue;
      }
      this.section(text, start, pos, out);
    }
    return out;
  }

  private section(text: string, start: number, end: number, out: TokenSpan[]): void {
    const norm = this.normalizer.run(text, start, end);
    if (norm.text.length === 0) return;
    const subsections = this.hasNormalizedAddedTokens ? this.lib.splitter_normalized.split(norm.text) : [norm.text];
    let q = 0;
    for (const sub of subsections) {
      const subStart = q;
      q += sub.length;
      if (sub.length === 0) continue;
      const added = this.lib.added_tokens_map.get(sub);
      if (added !== undefined) {
        out.push(this.span(added.id, sub, text, norm, end, subStart, q));
        continue;
      }
      const first = out.length;
      this.words(text, norm, end, sub, subStart, out);
      if (this.lib.model.fuse_unk) this.fuseUnk(out, first);
    }
  }

  private words(
    text: string,
    norm: NormalizedText,
    sectionEnd: number,
    sub: string,
    base: number,
    out: TokenSpan[],
  ): void {
    const re = this.pattern;
    re.lastIndex = 0;
    for (let m = re.exec(sub); m !== null; m = re.exec(sub)) {
      const word = m[0];
      const wordStart = base + m.index;
      const split = this.pieces(word);
      let off = 0;
      for (let i = 0; i < split.pieces.length; i++) {
        const piece = split.pieces[i] as string;
        const id = split.ids[i] as number;
        if (split.lengths === null) {
          out.push(this.span(id, piece, text, norm, sectionEnd, wordStart, wordStart + word.length));
        } else {
          const len = split.lengths[i] as number;
          out.push(this.span(id, piece, text, norm, sectionEnd, wordStart + off, wordStart + off + len));
          off += len;
        }
      }
    }
  }

  /** WordPiece split of one word by the library's model, cached (words repeat a lot in real text). */
  private pieces(word: string): WordSplit {
    let split = this.wordCache.get(word);
    if (split === undefined) {
      const pieces = this.lib.model.encode([word]);
      // Pieces spell the word (minus '##'); if they do not (the [UNK] case), each covers the whole word.
      const lengths = pieces.map((p, i) => p.length - (i > 0 ? this.prefix.length : 0));
      const spelled = lengths.reduce((a, b) => a + b, 0) === word.length;
      split = { pieces, ids: pieces.map((p) => this.idOf(p)), lengths: spelled ? lengths : null };
      // Huge words are [UNK] and rarely repeat: do not let them pin megabytes in the cache.
      if (word.length <= MAX_CACHED_WORD) {
        if (this.wordCache.size >= WORD_CACHE_LIMIT) this.wordCache.clear();
        this.wordCache.set(word, split);
      }
    }
    return split;
  }

  /** Original range of normalized [a, b): from the first source code point to the end of the last one,
   *  extended over marks the normalizer dropped (strip_accents) so an accent stays with its letter. */
  private span(
    id: number,
    piece: string,
    text: string,
    norm: NormalizedText,
    sectionEnd: number,
    a: number,
    b: number,
  ): TokenSpan {
    const start = norm.origin[a] as number;
    let end = codePointEnd(text, norm.origin[b - 1] as number);
    const next = b < norm.origin.length ? (norm.origin[b] as number) : sectionEnd;
    // Only when the normalizer dropped something right after this piece (rare): look for marks.
    while (end < next) {
      const e = codePointEnd(text, end);
      if (!MARK.test(text.slice(end, e))) break;
      end = e;
    }
    return { id, text: piece, start, end, special: false };
  }

  /** The library's fuse_unk: consecutive unknown pieces of one section become one [UNK]. */
  private fuseUnk(out: TokenSpan[], first: number): void {
    let w = first;
    for (let r = first; r < out.length; r++) {
      const t = out[r] as TokenSpan;
      const prev = w > first ? out[w - 1] : undefined;
      if (prev !== undefined && t.id === this.unkId && prev.id === this.unkId) {
        prev.end = Math.max(prev.end, t.end);
        continue;
      }
      out[w++] = t;
    }
    out.length = w;
  }
}
