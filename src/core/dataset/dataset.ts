// A labelled dataset file read into the few arrays dataset mode needs: texts, gold label ids, source lines.
// Rows without text (or without a label, when there is a label column) are skipped and counted, never fatal.
import * as fs from 'node:fs';
import { InspectorError } from '../errors';
import { guessColumns } from './columns';
import { labelMapper, type LabelKind } from './labels';
import { formatOf, readRecords, type DatasetFormat, type SourceRecord } from './records';

/** Files above this size are refused before reading: their texts alone would not fit the editor's memory. */
export const MAX_DATASET_BYTES = 2 * 1024 ** 3;
/** More rows than this need --limit: every row keeps its text and its vectors. */
export const MAX_DATASET_ROWS = 1_000_000;
/** Records looked at before the columns are guessed. */
const SAMPLE_ROWS = 200;

/** How to read a dataset file. */
export interface ReadDatasetOptions {
  textColumn?: string;
  /** A column name, or null for "no gold labels" (predictions only). */
  labelColumn?: string | null;
  /** Read only the first N examples. */
  limit?: number;
  format?: DatasetFormat;
  /** The model's labels in logit order: gold labels are mapped onto them. */
  modelLabels: string[];
  /** File label -> model label, when the names differ. */
  labelMap?: Record<string, string>;
}

/** Rows that were not examples, and why. */
export interface SkippedRows {
  emptyText: number;
  noLabel: number;
  /** The first few skipped lines, so the user can look. */
  lines: number[];
}

/** A dataset ready to run. */
export interface Dataset {
  file: string;
  format: DatasetFormat;
  sha256: string;
  bytes: number;
  columns: string[];
  textColumn: string;
  labelColumn: string | undefined;
  /** Other columns that looked like text when the text column was guessed (empty when named or chosen). */
  textAlternatives: string[];
  texts: string[];
  /** 1-based line (Parquet: row) of each example in the file. */
  lines: Int32Array;
  /** Gold label index into the model's labels per example; undefined without a label column. */
  gold: Int32Array | undefined;
  labelKind: LabelKind | undefined;
  skipped: SkippedRows;
  /** False when --limit stopped reading before the end. */
  complete: boolean;
}

/** Checks that a path is a regular file of a sensible size before anything reads it. */
export function checkDatasetFile(file: string): fs.Stats {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw new InspectorError(
      'BAD_OPTION',
      `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`,
      'Check the path.',
    );
  }
  if (!st.isFile())
    throw new InspectorError(
      'DATASET_INVALID',
      `${file} is not a regular file.`,
      'Give a CSV, TSV, JSONL or Parquet file.',
    );
  if (st.size === 0)
    throw new InspectorError(
      'DATASET_INVALID',
      `${file} is empty.`,
      'Give a file with a header and one example per row.',
    );
  if (st.size > MAX_DATASET_BYTES) {
    throw new InspectorError(
      'TEXT_TOO_LARGE',
      `${file} is ${(st.size / 1024 ** 3).toFixed(1)} GB; dataset mode reads at most ${MAX_DATASET_BYTES / 1024 ** 3} GB, because every example's text and vectors stay available for the views.`,
      'Split the file, or sample it (e.g. shuf -n 100000).',
    );
  }
  return st;
}

export async function readDataset(file: string, opts: ReadDatasetOptions): Promise<Dataset> {
  checkDatasetFile(file);
  const format = opts.format ?? formatOf(file);
  if (!format)
    throw new InspectorError(
      'DATASET_INVALID',
      `${file}: unknown dataset format.`,
      'Use a .csv, .tsv, .jsonl or .parquet file.',
    );
  if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1))
    throw new InspectorError(
      'BAD_OPTION',
      `--limit must be a positive whole number, got ${opts.limit}.`,
      'Pass e.g. --limit 1000.',
    );

  const texts: string[] = [];
  const lines: number[] = [];
  const rawLabels: string[] = [];
  const skipped: SkippedRows = { emptyText: 0, noLabel: 0, lines: [] };
  let pending: SourceRecord[] | undefined = [];
  let textColumn: string | undefined;
  let labelColumn: string | undefined;
  let textAlternatives: string[] = [];
  let columns: string[] = [];

  const skip = (line: number, why: 'emptyText' | 'noLabel') => {
    skipped[why]++;
    if (skipped.lines.length < 20) skipped.lines.push(line);
  };
  const take = (rec: SourceRecord): boolean => {
    const t = rec.values[textColumn!];
    const text = typeof t === 'string' ? t : t === null || t === undefined ? '' : String(t);
    if (text.trim() === '') {
      skip(rec.line, 'emptyText');
      return true;
    }
    if (labelColumn !== undefined) {
      const l = rec.values[labelColumn];
      const raw = l === null || l === undefined ? '' : typeof l === 'bigint' ? l.toString() : String(l).trim();
      if (raw === '') {
        skip(rec.line, 'noLabel');
        return true;
      }
      rawLabels.push(raw);
    }
    texts.push(text);
    lines.push(rec.line);
    if (texts.length > MAX_DATASET_ROWS) {
      throw new InspectorError(
        'TEXT_TOO_LARGE',
        `${file} has more than ${MAX_DATASET_ROWS.toLocaleString('en-US')} examples.`,
        'Read a part of it with --limit N.',
      );
    }
    return opts.limit === undefined || texts.length < opts.limit;
  };
  const decide = (seen: string[]) => {
    columns = seen;
    const guess = guessColumns(
      seen,
      pending!.map((r) => r.values),
    );
    textColumn = opts.textColumn ?? guess.text;
    labelColumn = opts.labelColumn === null ? undefined : (opts.labelColumn ?? guess.label);
    if (opts.textColumn === undefined) textAlternatives = guess.textAlternatives;
    for (const [what, c] of [
      ['text', textColumn],
      ['label', labelColumn],
    ] as const) {
      if (c !== undefined && !seen.includes(c)) {
        throw new InspectorError(
          'DATASET_INVALID',
          `${file} has no column "${c}"; its columns are ${seen.join(', ')}.`,
          `Name the ${what} column with --${what}-column.`,
        );
      }
    }
    if (textColumn === undefined)
      throw new InspectorError(
        'DATASET_INVALID',
        `${file}: no column looks like text (columns: ${seen.join(', ')}).`,
        'Name it with --text-column.',
      );
    if (textColumn === labelColumn)
      throw new InspectorError(
        'DATASET_INVALID',
        `${file}: "${textColumn}" cannot be both the text and the label column.`,
        'Pick another --label-column.',
      );
  };

  let keepGoing = true;
  const summary = await readRecords(file, format, (rec) => {
    if (pending) {
      pending.push(rec);
      for (const k of Object.keys(rec.values)) if (!columns.includes(k)) columns.push(k);
      if (pending.length < SAMPLE_ROWS) return true;
      decide(columns);
      const held = pending;
      pending = undefined;
      for (const r of held) if (keepGoing) keepGoing = take(r);
      return keepGoing;
    }
    return take(rec);
  });
  if (pending) {
    decide(summary.columns.length ? summary.columns : columns);
    const held = pending;
    pending = undefined;
    for (const r of held) if (keepGoing) keepGoing = take(r);
  }
  if (texts.length === 0) {
    throw new InspectorError(
      'EMPTY_TEXT',
      `${file} has no example with text in column "${textColumn}" (${skipped.emptyText} empty, ${skipped.noLabel} without a label).`,
      'Check the --text-column and --label-column.',
    );
  }
  let gold: Int32Array | undefined;
  let labelKind: LabelKind | undefined;
  if (labelColumn !== undefined) {
    const { kind, map } = labelMapper(rawLabels, opts.modelLabels, file, opts.labelMap);
    labelKind = kind;
    gold = Int32Array.from(rawLabels, (r) => map.get(r)!);
  }
  return {
    file,
    format,
    sha256: summary.sha256,
    bytes: summary.bytes,
    columns,
    textColumn: textColumn!,
    labelColumn,
    textAlternatives,
    texts,
    lines: Int32Array.from(lines),
    gold,
    labelKind,
    skipped,
    complete: summary.complete && keepGoing,
  };
}
