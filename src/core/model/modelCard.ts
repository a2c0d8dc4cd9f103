// The headline accuracy a model card states ("**Dev accuracy (SST-2 validation, 872 sentences): 0.8234**"), so
// the panel can say how good the model in use is from the card itself, never from a number typed elsewhere.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What a model card claims: accuracy (0..1) on a named evaluation set, and where the card is. */
export interface CardAccuracy {
  accuracy: number;
  /** Short dataset name, e.g. "SST-2". */
  dataset: string;
  /** The card's own wording of the evaluation set, e.g. "SST-2 validation, 872 sentences". */
  evaluation: string;
  cardPath: string;
}

const MAX_CARD_BYTES = 1 << 20;
// "accuracy (SST-2 validation, 872 sentences): 0.8234" or "...: 82.3%", with or without Markdown emphasis.
const ACCURACY = /accuracy\s*\(([^)\n]{1,120})\)\s*:\s*\**\s*(\d+(?:\.\d+)?)(\s*%)?/i;

/** Parses the first "accuracy (evaluation set): figure" line of a card's text. */
export function parseCardAccuracy(text: string): Omit<CardAccuracy, 'cardPath'> | undefined {
  const m = ACCURACY.exec(text);
  if (!m) return undefined;
  const figure = Number(m[2]);
  const accuracy = m[3] ? figure / 100 : figure;
  if (!Number.isFinite(accuracy) || accuracy <= 0 || accuracy > 1) return undefined;
  const evaluation = m[1]!.trim();
  const dataset = evaluation
    .split(',')[0]!
    .replace(/\s+(validation|dev|test)\b.*$/i, '')
    .trim();
  return { accuracy, dataset: dataset || evaluation, evaluation };
}

/** Reads `<modelDir>/README.md` (a regular file, at most 1 MB) and parses its accuracy line; undefined if none. */
export function readCardAccuracy(modelDir: string): CardAccuracy | undefined {
  const cardPath = path.join(modelDir, 'README.md');
  try {
    const st = fs.statSync(cardPath);
    if (!st.isFile() || st.size > MAX_CARD_BYTES) return undefined;
    const parsed = parseCardAccuracy(fs.readFileSync(cardPath, 'utf8'));
    return parsed && { ...parsed, cardPath };
  } catch {
    return undefined;
  }
}
