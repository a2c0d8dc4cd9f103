// Which text live inspection classifies: the selection, or, when the selection is empty, the paragraph around
// the cursor (the block of non-blank lines containing it). A paragraph, not the line: prose wraps, and a
// Markdown paragraph is the unit a reader judges; a blank line under the cursor gives nothing to classify.

/** First and last line (inclusive, 0-based) of the paragraph containing `line`; undefined on a blank line. */
export function paragraphAt(
  line: number,
  lineCount: number,
  isBlank: (i: number) => boolean,
): { first: number; last: number } | undefined {
  if (line < 0 || line >= lineCount || isBlank(line)) return undefined;
  let first = line;
  while (first > 0 && !isBlank(first - 1)) first--;
  let last = line;
  while (last < lineCount - 1 && !isBlank(last + 1)) last++;
  return { first, last };
}
