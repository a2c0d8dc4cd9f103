// Which column holds the text and which the gold label: guessed from names first, then from the values.
// The guess is only a default; the CLI's --text-column/--label-column and the editor's quick pick override it.

/** Column names that usually hold the text, best first. */
const TEXT_NAMES = [
  'sentence',
  'text',
  'review',
  'content',
  'document',
  'comment',
  'utterance',
  'input',
  'query',
  'question',
  'sentence1',
  'premise',
  'tweet',
  'body',
];
/** Column names that usually hold the gold label, best first. */
const LABEL_NAMES = ['label', 'labels', 'gold', 'gold_label', 'target', 'class', 'category', 'sentiment', 'y'];

/** The guess and whether another column was as likely (the editor then asks). */
export interface ColumnGuess {
  text: string | undefined;
  label: string | undefined;
  /** Other columns that could be the text: the editor offers a pick when this is not empty. */
  textAlternatives: string[];
}

export function guessColumns(columns: string[], sample: Record<string, unknown>[]): ColumnGuess {
  const lower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const byName = (names: string[]) => names.map((n) => lower.get(n)).find((c) => c !== undefined);
  const stringy = columns.filter((c) => sample.some((r) => typeof r[c] === 'string' && (r[c] as string).trim() !== ''));
  const meanLength = (c: string) =>
    sample.reduce((s, r) => s + (typeof r[c] === 'string' ? (r[c] as string).length : 0), 0) /
    Math.max(1, sample.length);
  let label = byName(LABEL_NAMES);
  let text = byName(TEXT_NAMES);
  let textAlternatives: string[] = [];
  if (text === undefined) {
    // Longest strings on average: a sentence column beats ids and short categories.
    const ranked = stringy.filter((c) => c !== label).sort((a, b) => meanLength(b) - meanLength(a));
    text = ranked[0];
    textAlternatives = ranked.slice(1).filter((c) => meanLength(c) >= 0.5 * meanLength(text!));
  }
  if (label === undefined) {
    // Few distinct values over the sample: a class column.
    const distinct = (c: string) => new Set(sample.map((r) => String(r[c]))).size;
    label = columns
      .filter((c) => c !== text && sample.length > 0 && distinct(c) <= Math.max(2, Math.min(50, sample.length / 4)))
      .sort((a, b) => distinct(a) - distinct(b))[0];
  }
  return { text, label, textAlternatives };
}
