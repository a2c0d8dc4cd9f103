// Strings from a model or a hub (labels, token texts, names, server messages) are data, not terminal commands:
// a label holding an OSC 52 sequence would write the user's clipboard, OSC 0 would retitle the window, CSI
// sequences could hide or rewrite lines. Everything such a string could make a terminal do is removed here.

/** ESC-introduced sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-byte escapes) and their 8-bit C1 forms. */
const SEQUENCES =
  // eslint-disable-next-line no-control-regex
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?|[\x1b][\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -/]*[0-~]?/g;
/** Remaining C0 and C1 controls, DEL, and the bidi overrides/isolates that reorder what is shown. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** `s` without escape sequences and control characters, safe to write to a terminal. */
export function terminalSafe(s: string): string {
  // Line breaks and tabs become spaces so words stay apart; every other control goes.
  return s
    .replace(SEQUENCES, '')
    .replace(/[\t\n\v\f\r]/g, ' ')
    .replace(CONTROLS, '');
}
