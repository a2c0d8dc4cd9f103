// Turns whatever an inspection threw into what the user should read: which file or setting is at fault and
// how to fix it. Errors cross the worker boundary, so they are recognised by their `code`, not their class.
import { hintFor } from '../core/errors';
import { fullKey, SettingError, type ModelChoice, type SettingKey } from './config';

/** How to tell the user about a failed inspection; 'silent' for cancellations (they asked for it). */
export interface Failure {
  level: 'silent' | 'warning' | 'error';
  text: string;
  setting?: SettingKey;
}

const TEXT_CODES = new Set(['EMPTY_TEXT', 'BINARY_TEXT', 'TEXT_TOO_LARGE']);
const MODEL_CODE = /^(MODEL_|TOKENIZER_|GRAPH_)/;

/** The code of a core InspectorError (also after crossing the worker boundary), if any. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Errors thrown while opening a model (not while running it): ModelService marks them. */
const loadFailures = new WeakSet<object>();

/** Marks `err` as a failure to load the model, so it is reported as one whatever its code. */
export function markLoadFailure(err: unknown): unknown {
  if (typeof err === 'object' && err !== null) loadFailures.add(err);
  return err;
}

/** Ends `text` with a full stop unless it already ends a sentence. */
function sentence(text: string): string {
  const t = text.trim();
  return /[.!?:)"”]$/.test(t) || t === '' ? t : `${t}.`;
}

export function describeFailure(err: unknown, choice: ModelChoice | undefined): Failure {
  if (err instanceof SettingError) return { level: 'error', text: err.message, setting: err.key };
  const code = errorCode(err);
  const e = err as { message?: unknown } | null | undefined;
  const message = sentence(typeof e?.message === 'string' ? e.message : String(err));
  // The fix worded for VS Code (a setting, never a CLI option), else the neutral one.
  const fix = sentence(hintFor(err, 'vscode'));
  const hint = fix ? ` ${fix}` : '';
  if (code && code.startsWith('HUB_')) {
    const what = choice?.hub ? `"${choice.setting}"` : 'the model';
    // An unusable endpoint is the endpoint setting's fault; everything else is about the model id or the network.
    return {
      level: 'error',
      text: `Could not download the model ${what} (setting ${fullKey('model.path')}, ${choice?.variant ?? 'fp32'}): ${message}${hint}`,
      setting: code === 'HUB_PROTOCOL' ? 'hub.endpoint' : 'model.path',
    };
  }
  if (code === 'CANCELLED' || code === 'DISPOSED') return { level: 'silent', text: 'The inspection was cancelled.' };
  if (code && TEXT_CODES.has(code)) return { level: 'warning', text: `${message}${hint}` };
  const loadFailed = typeof err === 'object' && err !== null && loadFailures.has(err);
  if ((code && MODEL_CODE.test(code)) || loadFailed) {
    const where =
      choice?.dir || choice?.hub
        ? `from "${choice.dir || choice.setting}" (setting ${fullKey('model.path')})`
        : `(the bundled default model; set ${fullKey('model.path')} to use another folder)`;
    return {
      level: 'error',
      text: `Could not load the DistilBERT model ${where}: ${message}${hint}`,
      setting: 'model.path',
    };
  }
  if (code === 'BAD_OPTION') return { level: 'error', text: `${message}${hint}`, setting: optionSetting(message) };
  return {
    level: 'error',
    text: `DistilBERT could not classify the text: ${message}${hint} See "DistilBERT: Show Log" for details.`,
  };
}

/** Which window setting a BAD_OPTION message is about, so "Open Settings" lands on it. */
function optionSetting(message: string): SettingKey | undefined {
  const m = message.toLowerCase();
  if (m.includes('overlap')) return 'windowOverlap';
  if (m.includes('window')) return 'windowTokens';
  if (m.includes('thread')) return 'threads';
  return undefined;
}

/** Where a failed run ends up: `cancelled` for a cancel (said quietly, no message), `error` for anything else. */
export interface FailureView {
  cancelled(): void;
  error(text: string): void;
}

/**
 * The one path from a failed run to what the user sees: a cancel goes to `view.cancelled`; any other failure is
 * shown where the run's result would have been (`view.error`) and notified once, with its fix.
 */
export function showFailure(
  err: unknown,
  choice: ModelChoice | undefined,
  notifier: { failure(failure: Failure, err: unknown): void },
  view: FailureView,
): Failure {
  const failure = describeFailure(err, choice);
  if (failure.level === 'silent') {
    view.cancelled();
    return failure;
  }
  view.error(failure.text);
  notifier.failure(failure, err);
  return failure;
}
