// Escaping for the report. Everything that comes from the document, the model folder or the file system
// (text, labels, file and model names, word pieces) is untrusted: it must reach the reader as the same
// characters and never become a link, an image, HTML, a table cell break or an SVG element.

/** Text content or attribute value in XML (the SVG charts): the five predefined entities. */
export function xml(s: string): string {
  // XML 1.0 forbids most C0 controls even as character references; they carry nothing a chart needs.
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** Line breaks and other controls become spaces, so inline text stays on its line (and in its table row). */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ');
}

/**
 * Inline Markdown text, safe in paragraphs, headings and GFM table cells. Every ASCII punctuation character
 * that CommonMark or GFM could give a meaning to is backslash-escaped (links, images, emphasis, code spans,
 * list and heading markers, autolinks split at `:` `.` `@`); `<` `>` `&` become entities, so no HTML or
 * entity survives; `|` becomes `&#124;` because GFM splits table rows on a raw `|` even after a backslash.
 */
export function mdText(s: string): string {
  return oneLine(s)
    .replace(/[\\`*_{}[\]()#+\-.!:@~=^$%"'/?;,]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;');
}

/** The longest run of `ch` in `s`. */
function longestRun(s: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of s) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/**
 * A fenced code block that shows `text` verbatim. The fence is one backtick longer than the longest backtick
 * run in the text, so no line of the text can close it (CommonMark: a closing fence needs at least as many
 * backticks as the opening one); inside a fence nothing is a link, an image or HTML.
 */
export function fenced(text: string, info = 'text'): string {
  // eslint-disable-next-line no-control-regex
  const body = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}${info}\n${body}${body.endsWith('\n') ? '' : '\n'}${fence}`;
}

/** A relative link destination: each path segment percent-encoded, so spaces and `()<>` cannot end it. */
export function mdPath(...segments: string[]): string {
  // encodeURIComponent leaves ( ) ! * ' alone; an unbalanced parenthesis would end a Markdown link destination.
  const encode = (s: string): string =>
    encodeURIComponent(s).replace(/[()!*']/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return segments.map(encode).join('/');
}
