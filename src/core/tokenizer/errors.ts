// Errors raised while loading or using a tokenizer. Every message names the file involved and the fix,
// because they surface verbatim in the CLI and the editor.

/** Stable codes callers (CLI, extension) can branch on. */
export type TokenizerErrorCode =
  | 'TOKENIZER_MISSING' // no tokenizer.json in the model folder
  | 'TOKENIZER_UNREADABLE' // the file exists but cannot be read
  | 'TOKENIZER_JSON_INVALID' // not parseable JSON, or not a JSON object
  | 'TOKENIZER_UNSUPPORTED' // valid tokenizer.json of a kind this project does not handle (yet)
  | 'TOKENIZER_INCOMPLETE' // a required key or special token is missing
  | 'TOKENIZER_CONFIG_INVALID' // tokenizer_config.json is garbled or asks for an unsupported option
  | 'BAD_ARGUMENT'; // a caller passed an impossible value (e.g. maxLength below the special tokens)

/** A tokenizer problem with a one-line message and a hint saying how to fix it. */
export class TokenizerError extends Error {
  readonly code: TokenizerErrorCode;
  readonly hint: string;

  constructor(code: TokenizerErrorCode, message: string, hint: string) {
    super(message);
    this.name = 'TokenizerError';
    this.code = code;
    this.hint = hint;
  }
}

/** The fix we suggest whenever a tokenizer.json is of an unsupported kind. */
export const SUPPORTED_HINT =
  'Use a model folder whose tokenizer.json is BERT-style: normalizer BertNormalizer (or null), ' +
  'pre_tokenizer BertPreTokenizer, model WordPiece, post_processor TemplateProcessing or BertProcessing ' +
  '(what DistilBertTokenizerFast.save_pretrained() writes), or a RoBERTa-style byte-level BPE one ' +
  '(pre_tokenizer ByteLevel, model BPE, post_processor RobertaProcessing).';
