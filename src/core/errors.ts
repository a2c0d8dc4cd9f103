/** Where the user meets an error: the fix names that surface's own controls (a CLI option, or a setting). */
export type Surface = 'cli' | 'vscode';

/** A fix worded for each surface, when the neutral `hint` cannot name the control to change. */
export type SurfaceHints = Record<Surface, string>;

/** An error the user meets: a `code` callers branch on, and a fix (`hint`, or `hints` per surface). */
export class HintedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly hint: string,
    readonly hints?: SurfaceHints,
  ) {
    super(message);
  }

  /** One line for a CLI or a notification: the problem, then the fix for that surface. */
  oneLine(surface: Surface = 'cli'): string {
    const hint = hintFor(this, surface);
    return hint ? `${this.message} ${hint}` : this.message;
  }
}

/** Why an inspection could not run; `hint` tells the user what to do about it (or `hints`, per surface). */
export class InspectorError extends HintedError<InspectorErrorCode> {
  override readonly name = 'InspectorError';
}

/** The fix an error gives for `surface`: its per-surface hint when it has one, else its neutral hint. */
export function hintFor(err: unknown, surface: Surface): string {
  const e = err as { hint?: unknown; hints?: unknown } | null | undefined;
  const per = e?.hints as Partial<SurfaceHints> | undefined;
  const own = per && typeof per === 'object' ? per[surface] : undefined;
  if (typeof own === 'string' && own) return own;
  return typeof e?.hint === 'string' ? e.hint : '';
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
  return new InspectorError(code, message, hint, surfaceHints(err));
}

function surfaceHints(err: unknown): SurfaceHints | undefined {
  const h = (err as { hints?: unknown } | null | undefined)?.hints as Partial<SurfaceHints> | undefined;
  return h && typeof h.cli === 'string' && typeof h.vscode === 'string' ? { cli: h.cli, vscode: h.vscode } : undefined;
}

function isKnownCode(code: string): code is InspectorErrorCode {
  return KNOWN.has(code);
}

const KNOWN = new Set<string>([
  'EMPTY_TEXT',
  'BINARY_TEXT',
  'TEXT_TOO_LARGE',
  'MODEL_NOT_FOUND',
  'MODEL_FILE_MISSING',
  'MODEL_CONFIG_INVALID',
  'MODEL_UNSUPPORTED',
  'TOKENIZER_INVALID',
  'TOKENIZER_MISMATCH',
  'GRAPH_INVALID',
  'BAD_OPTION',
  'CANCELLED',
  'DISPOSED',
  'WORKER_FAILED',
  'INFERENCE_FAILED',
  'DATASET_INVALID',
]);
