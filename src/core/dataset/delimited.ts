// CSV and TSV, streamed: bytes arrive in chunks and records leave one at a time, so a file is never held whole.
// CSV follows RFC 4180 (quoted fields may hold the delimiter, quotes and newlines). TSV is read the way GLUE
// writes it: one record per line, fields split on tabs, no quoting (SST-2's sentences contain bare quotes).
import { InspectorError } from '../errors';

/** One parsed record and the 1-based line it starts on. */
export interface DelimitedRecord {
  fields: string[];
  line: number;
}

/** Incremental parser: feed decoded text, collect finished records; call end() after the last chunk. */
export class DelimitedParser {
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  /** A closing quote was seen; the next character decides whether it was an escaped quote. */
  private quoteSeen = false;
  private line = 1;
  private recordLine = 1;
  private lastWasCr = false;

  constructor(
    private readonly delimiter: ',' | '\t',
    private readonly file: string,
  ) {}

  push(text: string, out: DelimitedRecord[]): void {
    if (this.delimiter === '\t') return this.pushTsv(text, out);
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.inQuotes = false;
          // fall through: c is handled as an unquoted character below
        } else {
          if (c === '"') this.quoteSeen = true;
          else {
            if (c === '\n') this.line++;
            this.field += c;
          }
          continue;
        }
      }
      if (c === '"') {
        if (this.field !== '') {
          throw new InspectorError(
            'DATASET_INVALID',
            `${this.file}:${this.line}: a quote inside an unquoted field.`,
            'Quote the whole field and double inner quotes (""), as CSV requires.',
          );
        }
        this.inQuotes = true;
      } else if (c === this.delimiter) {
        this.fields.push(this.field);
        this.field = '';
      } else if (c === '\n') {
        // The \n of a \r\n pair: the \r already ended the record and counted the line.
        if (this.lastWasCr) {
          this.lastWasCr = false;
          continue;
        }
        this.finish(out);
        this.line++;
        this.recordLine = this.line;
        continue;
      } else if (c === '\r') {
        this.finish(out);
        this.lastWasCr = true;
        this.line++;
        this.recordLine = this.line;
        continue;
      } else {
        this.field += c;
      }
      this.lastWasCr = false;
    }
  }

  end(out: DelimitedRecord[]): void {
    if (this.inQuotes && !this.quoteSeen) {
      throw new InspectorError(
        'DATASET_INVALID',
        `${this.file}:${this.recordLine}: a quoted field is never closed.`,
        'Close the quote (CSV doubles quotes inside a field: "").',
      );
    }
    this.inQuotes = false;
    this.quoteSeen = false;
    if (this.delimiter === '\t') this.finishTsv(out);
    else this.finish(out);
  }

  private finish(out: DelimitedRecord[]): void {
    this.fields.push(this.field);
    this.field = '';
    const fields = this.fields;
    this.fields = [];
    // A blank line is no record (its line number still counts).
    if (fields.length === 1 && fields[0] === '') return;
    out.push({ fields, line: this.recordLine });
  }

  private pushTsv(text: string, out: DelimitedRecord[]): void {
    this.field = splitLines(this.field, text, (raw) => {
      this.tsvLine(raw, out);
      this.line++;
    });
  }

  private finishTsv(out: DelimitedRecord[]): void {
    const raw = this.field;
    this.field = '';
    this.tsvLine(raw, out);
  }

  private tsvLine(raw: string, out: DelimitedRecord[]): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line !== '') out.push({ fields: line.split('\t'), line: this.line });
  }
}

/**
 * Streamed text cut into whole lines: `carry` (the unfinished line of the chunks before) joins the first one,
 * each line ending in "\n" goes to `onLine` without it, and the unfinished rest is returned to carry on.
 */
export function splitLines(carry: string, text: string, onLine: (line: string) => void): string {
  let from = 0;
  for (;;) {
    const nl = text.indexOf('\n', from);
    if (nl < 0) return carry + text.slice(from);
    const line = carry + text.slice(from, nl);
    carry = '';
    from = nl + 1;
    onLine(line);
  }
}
