// Records out of a dataset file, one at a time, whatever the format: CSV/TSV and JSONL are streamed from disk
// (bounded memory whatever the file size), Parquet is read a row range at a time through hyparquet.
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { InspectorError } from '../errors';
import { DelimitedParser, splitLines, type DelimitedRecord } from './delimited';

/** The formats a dataset file may have. */
export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet';

/** A record with its columns and the 1-based line (row number for Parquet) it came from. */
export interface SourceRecord {
  values: Record<string, unknown>;
  line: number;
}

/** Receives records in file order; returning false stops reading (a --limit reached). */
export type RecordSink = (rec: SourceRecord) => boolean;

/** What reading the whole file found, besides the records. */
export interface ReadSummary {
  columns: string[];
  /** sha256 of the file's bytes (the cache key of a dataset run). */
  sha256: string;
  bytes: number;
  /** False when the sink stopped early. */
  complete: boolean;
}

// Read, parsed and handed to the sink per step, then the caller's event loop runs: 1 MB of TSV took ~30 ms of
// parsing on one step (the extension host's longest block in a 10,000-text run); 128 KB is ~4 ms.
const CHUNK = 128 << 10;
/** Parquet rows decoded per step; a row group is decoded at most once per step's range. */
const PARQUET_ROWS = 8192;

export function formatOf(file: string): DatasetFormat | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return 'tsv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  if (lower.endsWith('.parquet') || lower.endsWith('.pq')) return 'parquet';
  return undefined;
}

export async function readRecords(file: string, format: DatasetFormat, sink: RecordSink): Promise<ReadSummary> {
  if (format === 'parquet') return readParquet(file, sink);
  const hash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  let columns: string[] = [];
  let header: string[] | undefined;
  let bytes = 0;
  let stopped = false;
  let firstChunk = true;
  const csv = format === 'jsonl' ? undefined : new DelimitedParser(format === 'csv' ? ',' : '\t', file);
  const jsonl =
    format === 'jsonl'
      ? new JsonlLines(file, (keys) => {
          for (const k of keys) if (!columns.includes(k)) columns.push(k);
        })
      : undefined;

  const deliver = (records: DelimitedRecord[]) => {
    for (const r of records) {
      if (stopped) return;
      if (!header) {
        header = r.fields.map((f) => f.trim());
        columns = header;
        checkHeader(file, header);
        continue;
      }
      if (r.fields.length !== header.length) {
        throw new InspectorError(
          'DATASET_INVALID',
          `${file}:${r.line}: ${r.fields.length} fields, but the header has ${header.length}.`,
          format === 'tsv'
            ? "Every line needs one tab between each of the header's columns."
            : 'Quote fields that contain commas or line breaks.',
        );
      }
      const values: Record<string, unknown> = {};
      header.forEach((h, i) => (values[h] = r.fields[i]));
      if (!sink({ values, line: r.line })) stopped = true;
    }
  };

  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      const bytesRead = buf.subarray(0, n);
      hash.update(bytesRead);
      bytes += n;
      if (stopped) continue; // keep hashing: the cache key covers the whole file
      if (bytesRead.includes(0))
        throw new InspectorError(
          'BINARY_TEXT',
          `${file} contains NUL bytes, so it is not a ${format.toUpperCase()} text file.`,
          'Open a UTF-8 text file (or a .parquet file).',
        );
      let text = decoder.write(bytesRead);
      if (firstChunk && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      firstChunk = false;
      const out: DelimitedRecord[] = [];
      if (csv) csv.push(text, out);
      else
        jsonl!.push(text, (values, line) => {
          if (!stopped && !sink({ values, line })) stopped = true;
        });
      deliver(out);
      // Yield between chunks so a caller's event loop (the extension host) stays responsive.
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    fs.closeSync(fd);
  }
  if (!stopped) {
    const tail = decoder.end();
    const out: DelimitedRecord[] = [];
    if (csv) {
      csv.push(tail, out);
      csv.end(out);
    } else {
      jsonl!.push(tail, (values, line) => {
        if (!stopped && !sink({ values, line })) stopped = true;
      });
      jsonl!.end((values, line) => {
        if (!stopped && !sink({ values, line })) stopped = true;
      });
    }
    deliver(out);
  }
  if (!header && csv)
    throw new InspectorError(
      'DATASET_INVALID',
      `${file} is empty.`,
      'A CSV/TSV dataset needs a header line naming its columns, then one row per example.',
    );
  return { columns, sha256: hash.digest('hex'), bytes, complete: !stopped };
}

function checkHeader(file: string, header: string[]): void {
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h === '')
      throw new InspectorError(
        'DATASET_INVALID',
        `${file}:1: column ${i + 1} of the header has no name.`,
        'The first line must name every column.',
      );
    if (seen.has(h))
      throw new InspectorError(
        'DATASET_INVALID',
        `${file}:1: the header names "${h}" twice.`,
        'Give every column its own name.',
      );
    seen.add(h);
  });
}

/** JSON Lines: one object per line; a line that is not a JSON object is reported with its number. */
class JsonlLines {
  private rest = '';
  private line = 0;

  constructor(
    private readonly file: string,
    private readonly onKeys: (keys: string[]) => void,
  ) {}

  push(text: string, emit: (values: Record<string, unknown>, line: number) => void): void {
    this.rest = splitLines(this.rest, text, (line) => this.one(line, emit));
  }

  end(emit: (values: Record<string, unknown>, line: number) => void): void {
    if (this.rest !== '') this.one(this.rest, emit);
    this.rest = '';
  }

  private one(raw: string, emit: (values: Record<string, unknown>, line: number) => void): void {
    this.line++;
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new InspectorError(
        'DATASET_INVALID',
        `${this.file}:${this.line}: not valid JSON (${(err as Error).message}).`,
        'JSON Lines needs one complete JSON object per line.',
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InspectorError(
        'DATASET_INVALID',
        `${this.file}:${this.line}: a JSON ${Array.isArray(value) ? 'array' : typeof value}, not an object.`,
        'Write each example as an object, e.g. {"text": "...", "label": 1}.',
      );
    }
    this.onKeys(Object.keys(value));
    emit(value as Record<string, unknown>, this.line);
  }
}

async function readParquet(file: string, sink: RecordSink): Promise<ReadSummary> {
  // hyparquet is an ES module; Node 20.19+ loads it through require().
  const hp = (await import('hyparquet')) as typeof import('hyparquet');
  const sha256 = await hashFile(file);
  const source = await hp.asyncBufferFromFile(file);
  let metadata: Awaited<ReturnType<typeof hp.parquetMetadataAsync>>;
  try {
    metadata = await hp.parquetMetadataAsync(source);
  } catch (err) {
    throw new InspectorError(
      'DATASET_INVALID',
      `${file} is not a readable Parquet file: ${(err as Error).message}.`,
      'Check that the file is complete (not a partial download).',
    );
  }
  const columns = hp.parquetSchema(metadata).children.map((c) => c.element.name);
  const total = Number(metadata.num_rows);
  let stopped = false;
  for (let start = 0; start < total && !stopped; start += PARQUET_ROWS) {
    const rows = await hp.parquetReadObjects({
      file: source,
      metadata,
      rowStart: start,
      rowEnd: Math.min(total, start + PARQUET_ROWS),
    });
    for (let i = 0; i < rows.length && !stopped; i++) {
      if (!sink({ values: rows[i]!, line: start + i + 1 })) stopped = true;
    }
  }
  return { columns, sha256, bytes: source.byteLength, complete: !stopped };
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(file, { highWaterMark: CHUNK })
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve());
  });
  return hash.digest('hex');
}
