// Byte-level BPE (RoBERTa, GPT-2) with UTF-16 offsets. Same steps as @huggingface/tokenizers'
// Tokenizer.encode_text for this kind (added-token split, ByteLevel regex pre-tokenizer, bytes mapped to
// printable characters, BPE merges), reusing the library's splitter, regex and BPE merges, but keeping
// positions: each piece is a run of a word's UTF-8 bytes, mapped back to the characters holding them.

import { Tokenizer } from '@huggingface/tokenizers';
import type { TokenSpan } from '../types';
import { TokenizerError } from './errors';
import { loadLibrary, type LibraryInternals } from './spec';

const HINT =
  'Use a tokenizer.json of RoBERTa style (pre_tokenizer ByteLevel, model BPE, post_processor RobertaProcessing), ' +
  'as RobertaTokenizerFast.save_pretrained() writes, or a BERT-style WordPiece one.';

/** The library's BPE model and ByteLevel pre-tokenizer parts we reuse (0.2.0; private in its typings). */
interface BpeInternals extends Omit<LibraryInternals, 'pre_tokenizer' | 'model'> {
  pre_tokenizer: { pattern: RegExp; add_prefix_space: boolean; use_regex: boolean };
  model: LibraryInternals['model'] & { bpe(token: string): string[]; ignore_merges: boolean };
}

export interface ByteLevelSpec {
  kind: 'bytelevel-bpe';
  library: Tokenizer;
  internals: BpeInternals;
  prefix: string[];
  suffix: string[];
  padToken: string;
  modelMaxLength: number | undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const tokenString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : isObject(v) && typeof v.content === 'string' ? v.content : undefined;

/** True for a tokenizer.json whose model is BPE behind a ByteLevel pre-tokenizer. */
export function isByteLevelBpe(tokenizerJson: unknown): boolean {
  return (
    isObject(tokenizerJson) &&
    isObject(tokenizerJson.model) &&
    tokenizerJson.model.type === 'BPE' &&
    isObject(tokenizerJson.pre_tokenizer) &&
    tokenizerJson.pre_tokenizer.type === 'ByteLevel'
  );
}

export function buildByteLevelSpec(tokenizerJson: unknown, tokenizerConfig: unknown, source: string): ByteLevelSpec {
  if (!isObject(tokenizerJson))
    throw new TokenizerError('TOKENIZER_JSON_INVALID', `${source}: expected a JSON object.`, HINT);
  const config: Json = isObject(tokenizerConfig) ? tokenizerConfig : {};
  const fail = (what: string): TokenizerError =>
    new TokenizerError('TOKENIZER_UNSUPPORTED', `${source}: ${what}.`, HINT);
  if (tokenizerJson.normalizer !== null && tokenizerJson.normalizer !== undefined) {
    throw fail(
      `byte-level BPE with a normalizer (${JSON.stringify((tokenizerJson.normalizer as Json).type)}) is not supported; RoBERTa has none`,
    );
  }
  if (config.remove_space === true || config.do_lowercase_and_remove_accent === true)
    throw fail(
      'tokenizer_config.json options remove_space / do_lowercase_and_remove_accent are not supported with byte-level BPE',
    );
  const model = tokenizerJson.model as Json;
  if (model.byte_fallback === true || model.continuing_subword_prefix || model.end_of_word_suffix || model.dropout) {
    throw fail(
      'BPE options byte_fallback, continuing_subword_prefix, end_of_word_suffix and dropout are not supported with byte-level BPE',
    );
  }
  const pp = tokenizerJson.post_processor;
  if (
    !isObject(pp) ||
    pp.type !== 'RobertaProcessing' ||
    !Array.isArray(pp.cls) ||
    !Array.isArray(pp.sep) ||
    typeof pp.cls[0] !== 'string' ||
    typeof pp.sep[0] !== 'string'
  ) {
    throw fail(
      `post_processor ${isObject(pp) ? JSON.stringify(pp.type) : String(pp)} is not supported with byte-level BPE; supported: RobertaProcessing with cls and sep`,
    );
  }
  const library = loadLibrary(tokenizerJson, config, source, HINT);
  const l = library as unknown as BpeInternals;
  if (
    !(l.added_tokens_map instanceof Map) ||
    !(l.pre_tokenizer?.pattern instanceof RegExp) ||
    typeof l.model?.bpe !== 'function' ||
    !(l.model.tokens_to_ids instanceof Map)
  ) {
    throw new TokenizerError(
      'TOKENIZER_UNSUPPORTED',
      'The installed @huggingface/tokenizers does not have the internals src/core/tokenizer/byteLevelBpe.ts relies on (written against 0.2.0).',
      'Install @huggingface/tokenizers 0.2.0 (npm ci), or update byteLevelBpe.ts for the new version.',
    );
  }
  const prefix = [pp.cls[0] as string];
  const suffix = [pp.sep[0] as string];
  for (const t of [...prefix, ...suffix]) {
    if (l.added_tokens_map.get(t) === undefined && l.model.tokens_to_ids.get(t) === undefined) {
      throw new TokenizerError(
        'TOKENIZER_INCOMPLETE',
        `${source}: post_processor names the token "${t}", which is not in the vocabulary.`,
        HINT,
      );
    }
  }
  const maxLen = config.model_max_length;
  return {
    kind: 'bytelevel-bpe',
    library,
    internals: l,
    prefix,
    suffix,
    padToken:
      tokenString(config.pad_token) ??
      (isObject(tokenizerJson.padding) ? tokenString(tokenizerJson.padding.pad_token) : undefined) ??
      '<pad>',
    modelMaxLength:
      typeof maxLen === 'number' && Number.isInteger(maxLen) && maxLen > 0 && maxLen < 1e9 ? maxLen : undefined,
  };
}

/** GPT-2's reversible byte -> printable character table (a space is "Ġ", a newline "Ċ"). */
const BYTE_CHARS: string[] = (() => {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const chars: string[] = new Array(256);
  bs.forEach((b) => (chars[b] = String.fromCharCode(b)));
  let n = 0;
  for (let b = 0; b < 256; b++) if (chars[b] === undefined) chars[b] = String.fromCharCode(256 + n++);
  return chars;
})();

const WHITESPACE = /\s/u;
const encoder = new TextEncoder();

/** Splits text into byte-level BPE pieces with UTF-16 ranges in the original text. */
export class ByteLevelBpeOffsets {
  private readonly pattern: RegExp;
  private readonly unkId: number;

  constructor(private readonly lib: BpeInternals) {
    // A private copy: a global regex carries lastIndex state.
    this.pattern = new RegExp(
      lib.pre_tokenizer.pattern.source,
      lib.pre_tokenizer.pattern.flags.includes('g')
        ? lib.pre_tokenizer.pattern.flags
        : lib.pre_tokenizer.pattern.flags + 'g',
    );
    this.unkId = lib.model.unk_token_id ?? -1;
  }

  idOf(token: string): number {
    return this.lib.added_tokens_map.get(token)?.id ?? this.lib.model.tokens_to_ids.get(token) ?? this.unkId;
  }

  tokenize(text: string): TokenSpan[] {
    const sections = this.sections(text);
    const out: TokenSpan[] = [];
    for (const s of sections) {
      if (s.end <= s.start) continue;
      const content = text.slice(s.start, s.end);
      const added = this.lib.added_tokens_map.get(content);
      // An added token written in the text keeps its range; `special` marks only template tokens.
      if (s.added && added) out.push({ id: added.id, text: content, start: s.start, end: s.end, special: false });
      else this.section(text, s.start, s.end, out);
    }
    return out;
  }

  /** The library's added-token split, with lstrip/rstrip trimming the neighbouring sections' spaces. */
  private sections(text: string): { start: number; end: number; added: boolean }[] {
    const parts: { start: number; end: number; added: boolean }[] = [];
    let pos = 0;
    for (const piece of this.lib.splitter_unnormalized.split(text)) {
      parts.push({ start: pos, end: pos + piece.length, added: this.lib.added_tokens_map.has(piece) });
      pos += piece.length;
    }
    parts.forEach((p, i) => {
      if (!p.added) return;
      const token = this.lib.added_tokens_map.get(text.slice(p.start, p.end)) as
        { lstrip?: boolean; rstrip?: boolean } | undefined;
      const prev = parts[i - 1];
      const next = parts[i + 1];
      if (token?.lstrip && prev && !prev.added)
        while (prev.end > prev.start && WHITESPACE.test(text[prev.end - 1]!)) prev.end--;
      if (token?.rstrip && next && !next.added)
        while (next.start < next.end && WHITESPACE.test(text[next.start]!)) next.start++;
    });
    return parts;
  }

  private section(text: string, start: number, end: number, out: TokenSpan[]): void {
    let content = text.slice(start, end);
    // add_prefix_space: the library prepends a space that is not in the text; its bytes map to `start`.
    const virtual = this.lib.pre_tokenizer.add_prefix_space && !content.startsWith(' ') ? 1 : 0;
    if (virtual) content = ' ' + content;
    const words: { word: string; at: number }[] = [];
    if (this.lib.pre_tokenizer.use_regex === false) words.push({ word: content, at: 0 });
    else {
      const re = this.pattern;
      re.lastIndex = 0;
      for (let m = re.exec(content); m !== null; m = re.exec(content)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        words.push({ word: m[0], at: m.index });
      }
    }
    for (const { word, at } of words) {
      const base = start + at - virtual;
      // For each UTF-8 byte of the word: the UTF-16 range (in the word) of the character holding it.
      const charStart: number[] = [];
      const charEnd: number[] = [];
      let bytes = '';
      for (let i = 0; i < word.length;) {
        const cp = word.codePointAt(i)!;
        const units = cp > 0xffff ? 2 : 1;
        for (const b of encoder.encode(String.fromCodePoint(cp))) {
          bytes += BYTE_CHARS[b]!;
          charStart.push(i);
          charEnd.push(i + units);
        }
        i += units;
      }
      const model = this.lib.model;
      const pieces = model.ignore_merges && model.tokens_to_ids.has(bytes) ? [bytes] : model.bpe(bytes);
      let b = 0;
      for (const piece of pieces) {
        // Every byte-level symbol is one UTF-16 unit, so a piece's length is its byte count.
        const first = b;
        b += piece.length;
        let s = Math.max(start, base + charStart[first]!);
        let e = Math.max(start, base + charEnd[b - 1]!);
        // trim_offsets: "Ġmovie" covers "movie"; a piece of spaces only keeps its range.
        let ts = s;
        let te = e;
        while (ts < te && WHITESPACE.test(text[ts]!)) ts++;
        while (te > ts && WHITESPACE.test(text[te - 1]!)) te--;
        if (ts < te) [s, e] = [ts, te];
        out.push({ id: this.idOf(piece), text: piece, start: s, end: e, special: false });
      }
    }
  }
}
