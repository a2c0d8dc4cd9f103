// Input checks that run before any tokenizing: empty text, binary files, sizes beyond what is sensible.
import { InspectorError } from '../errors';

/** Texts above this many UTF-16 units are refused; 1 MB of prose is ~250k tokens (~500 windows). */
export const MAX_TEXT_CHARS = 8 * 1024 * 1024;
/** The most UTF-8 bytes such a text takes (a UTF-16 unit is at most 3 bytes): the limit of a text file read whole. */
export const MAX_TEXT_BYTES = 3 * MAX_TEXT_CHARS;
/**
 * The editor asks for a selection above this many UTF-16 units, well below MAX_TEXT_CHARS: in the editor such
 * a run would take minutes behind a notification, while a batch run of the CLI may read up to the core's limit.
 */
export const EDITOR_MAX_TEXT_CHARS = 2_000_000;

export function checkText(text: string, what = 'The text'): void {
  if (text.trim() === '') {
    throw new InspectorError(
      'EMPTY_TEXT',
      `${what} is empty or only whitespace.`,
      'Select some text, or open a file with text in it.',
    );
  }
  if (text.length > MAX_TEXT_CHARS) {
    throw new InspectorError(
      'TEXT_TOO_LARGE',
      `${what} has ${text.length.toLocaleString('en-US')} characters, more than the ${MAX_TEXT_CHARS.toLocaleString('en-US')} this inspector reads.`,
      'Select a part of it and classify the selection.',
    );
  }
  if (text.includes('\u0000')) {
    throw new InspectorError(
      'BINARY_TEXT',
      `${what} contains NUL characters, so it looks binary.`,
      'Classify a text file.',
    );
  }
}

/** Decodes a file's bytes as UTF-8 (TextDecoder drops a BOM); binary or non-UTF-8 content is refused by name. */
export function decodeTextFile(bytes: Uint8Array, file: string): string {
  if (bytes.includes(0)) {
    throw new InspectorError('BINARY_TEXT', `${file} contains NUL bytes, so it looks binary.`, 'Classify a text file.');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InspectorError(
      'BINARY_TEXT',
      `${file} is not valid UTF-8.`,
      'Convert it to UTF-8 first (e.g. iconv -f latin1 -t utf-8).',
    );
  }
}
