// Cheap checks on editor text before anything is loaded, so an empty selection, a binary file or a huge
// document gets a clear message instead of a model load and a core error.
import { EDITOR_MAX_TEXT_CHARS } from '../core/text/textInput';

/** Why `text` cannot be classified, in words that name `what` ("the selection in a.md", "a.md"); else undefined. */
export function textProblem(text: string, what: string): string | undefined {
  if (text.trim() === '') return `${capitalise(what)} is empty: there is no text to classify.`;
  if (text.includes('\u0000')) {
    return `${capitalise(what)} looks like a binary file (it contains NUL bytes); DistilBERT classifies text only. Open a text file or select text.`;
  }
  if (text.length > EDITOR_MAX_TEXT_CHARS) {
    return (
      `${capitalise(what)} has ${text.length.toLocaleString('en-US')} characters, more than the ${EDITOR_MAX_TEXT_CHARS.toLocaleString('en-US')} ` +
      `this extension classifies at once. Select a part of it and run "DistilBERT: Classify Selection".`
    );
  }
  return undefined;
}

/** "the selection ..." starts a sentence as "The selection ..."; file names keep their case. */
function capitalise(s: string): string {
  return s.startsWith('the ') ? `T${s.slice(1)}` : s;
}
