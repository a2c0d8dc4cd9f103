// The tokenizer the inspector uses: @huggingface/tokenizers' ids, plus what the library lacks
// (offsets into the original text, truncation, special-token bookkeeping).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_LIMIT_BYTES, readBoundedText, TOKENIZER_LIMIT_BYTES } from '../files';
import type { Encoding, TokenSpan } from '../types';
import { ByteLevelBpeOffsets, buildByteLevelSpec, isByteLevelBpe } from './byteLevelBpe';
import { wrapPieces, type SpecialToken } from './encoding';
import { TokenizerError } from './errors';
import { buildSpec } from './spec';
import { WordPieceOffsets } from './wordpieceOffsets';

function readJson(file: string, required: boolean): unknown {
  // lstat: a dangling symlink is "missing"; a symlink to /dev/zero is refused by the bounded read.
  if (!fs.existsSync(file) && !fs.lstatSync(file, { throwIfNoEntry: false })) {
    if (!required) return undefined;
    throw new TokenizerError(
      'TOKENIZER_MISSING',
      `Missing ${file}.`,
      'A model folder needs the Hugging Face tokenizer.json beside config.json (tokenizer.save_pretrained(folder) writes it).',
    );
  }
  const raw = readBoundedText(file, {
    maxBytes: required ? TOKENIZER_LIMIT_BYTES : CONFIG_LIMIT_BYTES,
    code: 'TOKENIZER_INVALID',
    hint: required
      ? 'Re-save the tokenizer with tokenizer.save_pretrained(folder), or restore the file.'
      : 'Fix or delete tokenizer_config.json (it is optional).',
  });
  try {
    return JSON.parse(raw) as unknown;
  } catch (e) {
    const isConfig = !required;
    throw new TokenizerError(
      isConfig ? 'TOKENIZER_CONFIG_INVALID' : 'TOKENIZER_JSON_INVALID',
      `${file} is not valid JSON: ${(e as Error).message}`,
      isConfig
        ? 'Fix or delete tokenizer_config.json (it is optional).'
        : 'Re-save the tokenizer with tokenizer.save_pretrained(folder), or restore the file.',
    );
  }
}

/** A WordPiece (BERT, DistilBERT) or byte-level BPE (RoBERTa) tokenizer with UTF-16 offsets; ids equal the library's `encode(text).ids`. */
export class TextTokenizer {
  readonly vocabSize: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly unkId: number;
  /** The mask token's id ([MASK] for WordPiece, <mask> for byte-level BPE), undefined when the vocabulary has none. */
  readonly maskId: number | undefined;
  /** How many tokens the template adds around a text ([CLS] and [SEP]: 2); windows have that much less room. */
  readonly numSpecialTokens: number;
  /** tokenizer_config.json's model_max_length when it is a sensible number. */
  readonly modelMaxLength: number | undefined;
  private readonly pieces: WordPieceOffsets | ByteLevelBpeOffsets;
  private readonly prefix: SpecialToken[];
  private readonly suffix: SpecialToken[];

  /** Reads `dir`/tokenizer.json and, if present, `dir`/tokenizer_config.json. */
  static fromFolder(dir: string): TextTokenizer {
    const jsonPath = path.join(dir, 'tokenizer.json');
    const tokenizerJson = readJson(jsonPath, true);
    const config = readJson(path.join(dir, 'tokenizer_config.json'), false);
    return new TextTokenizer(tokenizerJson, config, jsonPath);
  }

  /** From parsed tokenizer.json / tokenizer_config.json; `source` names the file in error messages. */
  constructor(tokenizerJson: unknown, tokenizerConfig?: unknown, source = 'tokenizer.json') {
    // Byte-level BPE (RoBERTa) has its own spec and offsets; everything else must be BERT-style WordPiece.
    const spec = isByteLevelBpe(tokenizerJson)
      ? buildByteLevelSpec(tokenizerJson, tokenizerConfig, source)
      : buildSpec(tokenizerJson, tokenizerConfig, source);
    const lib = spec.internals;
    this.pieces =
      spec.kind === 'bytelevel-bpe' ? new ByteLevelBpeOffsets(spec.internals) : new WordPieceOffsets(spec.internals);
    const special = (text: string): SpecialToken => ({ id: this.pieces.idOf(text), text });
    this.prefix = spec.prefix.map(special);
    this.suffix = spec.suffix.map(special);
    const cls = this.prefix[0],
      sep = this.suffix[0];
    if (cls === undefined || sep === undefined) {
      throw new TokenizerError(
        'TOKENIZER_UNSUPPORTED',
        `${source}: the post_processor template adds no [CLS]/[SEP] around the text.`,
        'DistilBERT classifiers read the [CLS] position; use a tokenizer.json whose template is [CLS] A [SEP].',
      );
    }
    this.numSpecialTokens = this.prefix.length + this.suffix.length;
    this.clsId = cls.id;
    this.sepId = sep.id;
    // Byte-level BPE covers every byte, so it may have no unknown token (roberta-base's unk_token is null).
    const unk = lib.model.unk_token_id ?? (spec.kind === 'bytelevel-bpe' ? -1 : undefined);
    if (unk === undefined)
      throw new TokenizerError(
        'TOKENIZER_INCOMPLETE',
        `${source}: model.unk_token "${lib.model.unk_token}" has no id.`,
        'Add it to model.vocab.',
      );
    this.unkId = unk;
    const pad = lib.added_tokens_map.get(spec.padToken)?.id ?? lib.model.tokens_to_ids.get(spec.padToken);
    if (pad === undefined) {
      throw new TokenizerError(
        'TOKENIZER_INCOMPLETE',
        `${source}: the padding token "${spec.padToken}" (from tokenizer_config.json pad_token, else padding.pad_token, else [PAD]) is not in the vocabulary.`,
        'Set "pad_token" in tokenizer_config.json to a token of the vocabulary (BERT uses [PAD]).',
      );
    }
    this.padId = pad;
    // Masked replacement in attributions keeps positions; idOf falls back to the unknown token, which is no mask.
    this.maskId = ['[MASK]', '<mask>'].map((t) => this.pieces.idOf(t)).find((id) => id !== this.unkId);
    this.vocabSize = lib.model.vocab.length;
    this.modelMaxLength = spec.modelMaxLength;
  }

  /** Word pieces of `text` WITHOUT special tokens, each with its UTF-16 [start,end) range in `text`. */
  tokenize(text: string): TokenSpan[] {
    return this.pieces.tokenize(text);
  }

  /** [CLS] pieces [SEP] as the template says, truncating pieces so the total is <= maxLength. */
  encode(text: string, maxLength: number): Encoding {
    return this.encodePieces(this.tokenize(text), maxLength, text.length);
  }

  /**
   * Wraps already tokenized pieces (e.g. a window of a long text). `textLength` is where coverage ends
   * when every piece fits (text.length, or the window's end); `startOffset` is where [CLS] sits.
   */
  encodePieces(pieces: TokenSpan[], maxLength: number, textLength: number, startOffset = 0): Encoding {
    return wrapPieces(pieces, maxLength, textLength, this.prefix, this.suffix, startOffset);
  }
}

// Batching and the error type are re-exported, so callers import the whole tokenizer from this one module.
export { padBatch, type PaddedBatch } from './batch';
export { TokenizerError, type TokenizerErrorCode } from './errors';
