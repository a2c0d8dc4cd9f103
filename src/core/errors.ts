/** Why an inspection could not run; `hint` tells the user what to do about it. */
export class InspectorError extends Error {
  constructor(
    readonly code: InspectorErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'InspectorError';
  }

  /** One line for a CLI or a notification: the problem, then the fix. */
  oneLine(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

export type InspectorErrorCode =
  | 'EMPTY_TEXT'
  | 'BINARY_TEXT'
  | 'TEXT_TOO_LARGE'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_FILE_MISSING'
  | 'MODEL_CONFIG_INVALID'
  | 'MODEL_UNSUPPORTED'
  | 'TOKENIZER_INVALID'
  | 'TOKENIZER_MISMATCH'
  | 'GRAPH_INVALID'
  | 'BAD_OPTION'
  | 'CANCELLED'
  | 'DISPOSED'
  | 'WORKER_FAILED'
  | 'INFERENCE_FAILED'
  /** A dataset file's content cannot be used as given (a broken line, a missing column, unknown labels). */
  | 'DATASET_INVALID';

/** Errors from the tokenizer and graph modules carry code + hint too; keep them when wrapping. */
export function toInspectorError(err: unknown, fallback: InspectorErrorCode): InspectorError {
  if (err instanceof InspectorError) return err;
  const e = err as { code?: unknown; hint?: unknown; message?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const hint = typeof e?.hint === 'string' ? e.hint : '';
  const code = typeof e?.code === 'string' && isKnownCode(e.code) ? e.code : fallback;
  return new InspectorError(code, message, hint);
}

function isKnownCode(code: string): code is InspectorErrorCode {
  return KNOWN.has(code);
}

const KNOWN = new Set<string>([
  'EMPTY_TEXT', 'BINARY_TEXT', 'TEXT_TOO_LARGE', 'MODEL_NOT_FOUND', 'MODEL_FILE_MISSING', 'MODEL_CONFIG_INVALID',
  'MODEL_UNSUPPORTED', 'TOKENIZER_INVALID', 'TOKENIZER_MISMATCH', 'GRAPH_INVALID', 'BAD_OPTION', 'CANCELLED',
  'DISPOSED', 'WORKER_FAILED', 'INFERENCE_FAILED', 'DATASET_INVALID',
]);
