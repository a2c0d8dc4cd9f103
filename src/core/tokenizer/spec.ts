// Validates a parsed BERT-style WordPiece tokenizer.json (+ tokenizer_config.json) and builds the library
// tokenizer from it. We only accept what our offset reconstruction is proven exact for, and say precisely what
// was found otherwise. RoBERTa's byte-level BPE is the other accepted kind, validated in byteLevelBpe.ts.

import { Tokenizer } from '@huggingface/tokenizers';
import { SUPPORTED_HINT, TokenizerError } from './errors';

/** The runtime parts of @huggingface/tokenizers 0.2.0 we reuse but its typings keep private. */
export interface LibraryInternals {
  normalizer: { normalize(text: string): string } | null;
  pre_tokenizer: { pattern: RegExp } | null;
  model: {
    encode(words: string[]): string[];
    tokens_to_ids: Map<string, number>;
    vocab: string[];
    unk_token?: string;
    unk_token_id?: number;
    fuse_unk: boolean;
    config: { continuing_subword_prefix?: string };
  };
  added_tokens: { normalized: boolean }[];
  remove_space: boolean | null | undefined;
  added_tokens_map: Map<string, { id: number; content: string; special: boolean }>;
  splitter_unnormalized: { split(text: string): string[] };
  splitter_normalized: { split(text: string): string[] };
}

/** A validated BERT-style tokenizer: the library object plus what the template adds around a text. */
export interface WordPieceSpec {
  kind: 'wordpiece';
  library: Tokenizer;
  internals: LibraryInternals;
  /** Special tokens the post_processor puts before / after the single sequence, as token strings. */
  prefix: string[];
  suffix: string[];
  padToken: string;
  modelMaxLength: number | undefined;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** tokenizer_config.json writes tokens either as strings or as {"content": "[PAD]", ...} objects. */
function tokenString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return isObject(v) && typeof v.content === 'string' ? v.content : undefined;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (isObject(v)) return typeof v.type === 'string' ? `"${v.type}"` : 'an object without "type"';
  return Array.isArray(v) ? 'an array' : typeof v;
}

function unsupported(source: string, what: string, found: unknown, supported: string): TokenizerError {
  const extra =
    isObject(found) && found.type === 'BPE'
      ? ' (BPE is supported only as RoBERTa-style byte-level BPE: pre_tokenizer ByteLevel, post_processor RobertaProcessing)'
      : '';
  return new TokenizerError(
    'TOKENIZER_UNSUPPORTED',
    `${source}: unsupported ${what} ${typeOf(found)}${extra}; supported: ${supported}.`,
    SUPPORTED_HINT,
  );
}

/** The special tokens of the single-sequence template, split around the text ("A"). */
function templateTokens(source: string, pp: unknown): { prefix: string[]; suffix: string[] } {
  if (!isObject(pp)) throw unsupported(source, 'post_processor', pp, 'TemplateProcessing, BertProcessing');
  if (pp.type === 'BertProcessing') {
    const cls = pp.cls,
      sep = pp.sep;
    if (!Array.isArray(cls) || typeof cls[0] !== 'string' || !Array.isArray(sep) || typeof sep[0] !== 'string') {
      throw new TokenizerError(
        'TOKENIZER_INCOMPLETE',
        `${source}: post_processor BertProcessing lacks "cls"/"sep" pairs.`,
        SUPPORTED_HINT,
      );
    }
    return { prefix: [cls[0]], suffix: [sep[0]] };
  }
  if (pp.type !== 'TemplateProcessing')
    throw unsupported(source, 'post_processor', pp, 'TemplateProcessing, BertProcessing');
  const single = pp.single;
  if (!Array.isArray(single)) {
    throw new TokenizerError(
      'TOKENIZER_INCOMPLETE',
      `${source}: post_processor TemplateProcessing has no "single" template.`,
      SUPPORTED_HINT,
    );
  }
  const prefix: string[] = [],
    suffix: string[] = [];
  let seenA = false;
  for (const item of single as unknown[]) {
    if (isObject(item) && isObject(item.SpecialToken) && typeof item.SpecialToken.id === 'string') {
      (seenA ? suffix : prefix).push(item.SpecialToken.id);
    } else if (isObject(item) && isObject(item.Sequence) && item.Sequence.id === 'A' && !seenA) {
      seenA = true;
    } else {
      throw new TokenizerError(
        'TOKENIZER_UNSUPPORTED',
        `${source}: post_processor "single" template has an item we cannot place: ${JSON.stringify(item)}.`,
        'Expected special tokens around exactly one {"Sequence": {"id": "A"}}, e.g. [CLS] A [SEP].',
      );
    }
  }
  if (!seenA)
    throw new TokenizerError(
      'TOKENIZER_INCOMPLETE',
      `${source}: post_processor "single" template never places the text (Sequence "A").`,
      SUPPORTED_HINT,
    );
  return { prefix, suffix };
}

function checkWordPieceModel(source: string, model: unknown): void {
  if (!isObject(model))
    throw new TokenizerError(
      'TOKENIZER_INCOMPLETE',
      `${source}: "model" is ${typeOf(model)}, expected an object.`,
      SUPPORTED_HINT,
    );
  const implicitWordPiece = model.type === undefined && 'continuing_subword_prefix' in model && !('merges' in model);
  if (model.type !== 'WordPiece' && !implicitWordPiece) throw unsupported(source, 'model', model, 'WordPiece');
  if (!isObject(model.vocab))
    throw new TokenizerError(
      'TOKENIZER_INCOMPLETE',
      `${source}: model.vocab is missing or not an object of token -> id.`,
      SUPPORTED_HINT,
    );
  if (typeof model.unk_token !== 'string')
    throw new TokenizerError('TOKENIZER_INCOMPLETE', `${source}: model.unk_token is missing.`, SUPPORTED_HINT);
  if (typeof model.continuing_subword_prefix !== 'string') {
    throw new TokenizerError(
      'TOKENIZER_INCOMPLETE',
      `${source}: model.continuing_subword_prefix is missing (BERT uses "##").`,
      SUPPORTED_HINT,
    );
  }
}

/** Our offsets reuse a few private parts of @huggingface/tokenizers 0.2.0; fail loudly if an upgrade moved them. */
/** The library's tokenizer for this JSON; its refusal becomes our error naming the file and the fix. */
export function loadLibrary(tokenizerJson: unknown, config: unknown, source: string, hint: string): Tokenizer {
  try {
    return new Tokenizer(tokenizerJson as object, config as object);
  } catch (e) {
    throw new TokenizerError(
      'TOKENIZER_JSON_INVALID',
      `${source}: @huggingface/tokenizers rejected it: ${(e as Error).message}`,
      hint,
    );
  }
}

function checkInternals(library: Tokenizer): LibraryInternals {
  const l = library as unknown as Partial<Record<keyof LibraryInternals, unknown>> & LibraryInternals;
  const ok =
    l.added_tokens_map instanceof Map &&
    Array.isArray(l.added_tokens) &&
    typeof (l.splitter_unnormalized as { split?: unknown } | undefined)?.split === 'function' &&
    typeof (l.splitter_normalized as { split?: unknown } | undefined)?.split === 'function' &&
    (l.pre_tokenizer as { pattern?: unknown } | null)?.pattern instanceof RegExp &&
    typeof (l.model as { encode?: unknown } | undefined)?.encode === 'function' &&
    (l.model as { tokens_to_ids?: unknown }).tokens_to_ids instanceof Map;
  if (!ok) {
    throw new TokenizerError(
      'TOKENIZER_UNSUPPORTED',
      'The installed @huggingface/tokenizers does not have the internals src/core/tokenizer relies on (written against 0.2.0).',
      'Install @huggingface/tokenizers 0.2.0 (npm ci), or update src/core/tokenizer/spec.ts for the new version and rerun test/unit/tokenizerLibrary.test.ts.',
    );
  }
  return l;
}

/**
 * Check `tokenizerJson` (parsed tokenizer.json) and `tokenizerConfig` (parsed tokenizer_config.json or
 * undefined) and build the library tokenizer. `source` names the file in messages.
 */
export function buildSpec(tokenizerJson: unknown, tokenizerConfig: unknown, source = 'tokenizer.json'): WordPieceSpec {
  if (!isObject(tokenizerJson)) {
    throw new TokenizerError(
      'TOKENIZER_JSON_INVALID',
      `${source}: expected a JSON object, found ${typeOf(tokenizerJson)}.`,
      'Re-save the tokenizer with tokenizer.save_pretrained(folder).',
    );
  }
  const configSource = source.replace(/tokenizer\.json$/, 'tokenizer_config.json');
  if (tokenizerConfig !== undefined && !isObject(tokenizerConfig)) {
    throw new TokenizerError(
      'TOKENIZER_CONFIG_INVALID',
      `${configSource}: expected a JSON object, found ${typeOf(tokenizerConfig)}.`,
      'Fix or delete tokenizer_config.json (it is optional).',
    );
  }
  const config: Json = tokenizerConfig ?? {};
  for (const key of ['model', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder']) {
    if (!(key in tokenizerJson)) {
      throw new TokenizerError(
        'TOKENIZER_INCOMPLETE',
        `${source}: missing the "${key}" key (found keys: ${Object.keys(tokenizerJson).join(', ') || 'none'}).`,
        SUPPORTED_HINT,
      );
    }
  }
  if (!Array.isArray(tokenizerJson.added_tokens)) {
    throw new TokenizerError(
      'TOKENIZER_INCOMPLETE',
      `${source}: "added_tokens" must be an array (it lists [CLS], [SEP], [PAD]...).`,
      SUPPORTED_HINT,
    );
  }
  const { normalizer, pre_tokenizer: preTokenizer } = tokenizerJson;
  if (normalizer !== null && !(isObject(normalizer) && normalizer.type === 'BertNormalizer')) {
    throw unsupported(source, 'normalizer', normalizer, 'BertNormalizer or null');
  }
  if (!(isObject(preTokenizer) && preTokenizer.type === 'BertPreTokenizer')) {
    throw unsupported(source, 'pre_tokenizer', preTokenizer, 'BertPreTokenizer');
  }
  checkWordPieceModel(source, tokenizerJson.model);
  const { prefix, suffix } = templateTokens(source, tokenizerJson.post_processor);
  if (config.do_lowercase_and_remove_accent === true) {
    throw new TokenizerError(
      'TOKENIZER_CONFIG_INVALID',
      `${configSource}: "do_lowercase_and_remove_accent": true (XLM style) is not supported.`,
      'Remove that option; BERT-style tokenizers lowercase in their BertNormalizer.',
    );
  }

  const library = loadLibrary(tokenizerJson, config, source, SUPPORTED_HINT);
  const internals = checkInternals(library);
  for (const [where, token] of [
    ['post_processor', prefix],
    ['post_processor', suffix],
    ['model.unk_token', [internals.model.unk_token ?? '']],
  ] as const) {
    for (const t of token) {
      if (internals.added_tokens_map.get(t) === undefined && internals.model.tokens_to_ids.get(t) === undefined) {
        throw new TokenizerError(
          'TOKENIZER_INCOMPLETE',
          `${source}: ${where} names the token "${t}", which is not in the vocabulary.`,
          'Add it to model.vocab / added_tokens, or re-save the tokenizer.',
        );
      }
    }
  }
  const padding = tokenizerJson.padding;
  const padToken =
    tokenString(config.pad_token) ?? (isObject(padding) ? tokenString(padding.pad_token) : undefined) ?? '[PAD]';
  const maxLen = config.model_max_length;
  return {
    kind: 'wordpiece',
    library,
    internals,
    prefix,
    suffix,
    padToken,
    modelMaxLength:
      typeof maxLen === 'number' && Number.isInteger(maxLen) && maxLen > 0 && maxLen < 1e9 ? maxLen : undefined,
  };
}
