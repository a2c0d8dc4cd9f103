// Dataset files: every format, column guessing, label mapping, and bad input named by file and line.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './helpers';
import { readDataset } from '../../src/core/dataset/dataset';
import { DelimitedParser, type DelimitedRecord } from '../../src/core/dataset/delimited';
import { InspectorError } from '../../src/core/errors';
import { LabelMappingNeeded } from '../../src/core/dataset/labels';

const LABELS = ['NEGATIVE', 'POSITIVE'];
const SST2 = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data', 'sst2', 'dev.tsv');

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(tempDir('dbi-ds-'), name);
  fs.writeFileSync(file, content);
  return file;
}

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof InspectorError, String(err));
    assert.match(err.oneLine(), pattern);
    return true;
  });
}

describe('dataset files', () => {
  it(
    'reads SST-2 dev.tsv: 872 examples, sentence/label guessed, ids mapped',
    { skip: !fs.existsSync(SST2) && 'no SST-2 data' },
    async () => {
      const ds = await readDataset(SST2, { modelLabels: LABELS });
      assert.equal(ds.texts.length, 872);
      assert.equal(ds.textColumn, 'sentence');
      assert.equal(ds.labelColumn, 'label');
      assert.equal(ds.labelKind, 'ids');
      // Independent count straight from the file's lines.
      const lines = fs
        .readFileSync(SST2, 'utf8')
        .split('\n')
        .slice(1)
        .filter((l) => l.trim());
      assert.equal(
        ds.gold!.reduce((a, b) => a + b, 0),
        lines.filter((l) => l.endsWith('\t1')).length,
      );
      assert.equal(ds.texts[0], lines[0]!.split('\t')[0]);
      assert.equal(ds.lines[0], 2);
      assert.match(ds.sha256, /^[0-9a-f]{64}$/);
    },
  );

  it('lets the event loop through at least once per 128 KB read (1 MB at once blocked a caller ~30 ms)', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `a sentence of some length, number ${i}\t${i % 2}`);
    const file = write('big.tsv', `sentence\tlabel\n${rows.join('\n')}\n`);
    const bytes = fs.statSync(file).size;
    let turns = 0;
    let on = true;
    const spin = () => {
      turns++;
      if (on) setImmediate(spin);
    };
    setImmediate(spin);
    const ds = await readDataset(file, { modelLabels: LABELS });
    on = false;
    assert.equal(ds.texts.length, 40_000);
    // One setImmediate turn per chunk read: a whole-MB chunk gives ~2 turns for this ~1.8 MB file.
    assert.ok(turns >= Math.floor(bytes / (128 << 10)), `${turns} event-loop turns for ${bytes} bytes`);
  });

  it('parses RFC 4180 CSV across chunk boundaries: quotes, commas and newlines inside fields, CRLF', () => {
    const csv = 'text,label\r\n"a, ""quoted"" one",POSITIVE\r\n"two\nlines",NEGATIVE\r\nplain,POSITIVE\r\n';
    for (let cut = 1; cut < csv.length; cut++) {
      const p = new DelimitedParser(',', 'x.csv');
      const out: DelimitedRecord[] = [];
      p.push(csv.slice(0, cut), out);
      p.push(csv.slice(cut), out);
      p.end(out);
      assert.deepEqual(
        out.map((r) => r.fields),
        [
          ['text', 'label'],
          ['a, "quoted" one', 'POSITIVE'],
          ['two\nlines', 'NEGATIVE'],
          ['plain', 'POSITIVE'],
        ],
        `cut at ${cut}`,
      );
      assert.deepEqual(
        out.map((r) => r.line),
        [1, 2, 3, 5],
        `cut at ${cut}`,
      );
    }
  });

  it('maps label names case-insensitively and guesses the longest string column as text', async () => {
    const file = write(
      'd.csv',
      'id,body_text,label\n1,a long sentence about a film,positive\n2,another long sentence here,Negative\n',
    );
    const ds = await readDataset(file, { modelLabels: LABELS });
    assert.equal(ds.textColumn, 'body_text');
    assert.equal(ds.labelKind, 'names');
    assert.deepEqual([...ds.gold!], [1, 0]);
  });

  it('streams JSONL; skips and counts empty texts and missing labels; numbers as labels', async () => {
    const file = write(
      'd.jsonl',
      '{"text":"good","label":1}\n\n{"text":"  ","label":0}\n{"text":"bad","label":0}\n{"text":"no label"}\n',
    );
    const ds = await readDataset(file, { modelLabels: LABELS });
    assert.deepEqual(ds.texts, ['good', 'bad']);
    assert.deepEqual([...ds.lines], [1, 4]);
    assert.deepEqual(ds.skipped, { emptyText: 1, noLabel: 1, lines: [3, 5] });
  });

  it('names the line of broken JSON and of a CSV row with the wrong field count', async () => {
    await rejects(
      readDataset(write('b.jsonl', '{"text":"a","label":1}\n{"text": oops}\n'), { modelLabels: LABELS }),
      /b\.jsonl:2: not valid JSON/,
    );
    await rejects(
      readDataset(write('b.jsonl', '{"text":"a","label":1}\n[1,2]\n'), { modelLabels: LABELS }),
      /b\.jsonl:2: a JSON array, not an object/,
    );
    await rejects(
      readDataset(write('b.csv', 'text,label\ngood,1\nbad,0,extra\n'), { modelLabels: LABELS }),
      /b\.csv:3: 3 fields, but the header has 2/,
    );
    await rejects(
      readDataset(write('b.csv', 'text,label\n"never closed,1\n'), { modelLabels: LABELS }),
      /b\.csv:2: a quoted field is never closed/,
    );
  });

  it('refuses a missing column, mixed label kinds, labels the model lacks (offering a mapping)', async () => {
    const csv = write('c.csv', 'text,label\ngood,1\nbad,0\n');
    await rejects(
      readDataset(csv, { modelLabels: LABELS, textColumn: 'review' }),
      /has no column "review"; its columns are text, label.*--text-column/,
    );
    await rejects(
      readDataset(write('m.csv', 'text,label\ngood,1\nbad,NEGATIVE\n'), { modelLabels: LABELS }),
      /mixes ids \(1\) and names \("NEGATIVE"\)/,
    );
    await rejects(
      readDataset(write('u.csv', 'text,label\ngood,pos\nbad,neg\n'), { modelLabels: LABELS }),
      /no label "pos", "neg".*--label-map "pos=NEGATIVE"/,
    );
    await rejects(
      readDataset(write('i.csv', 'text,label\ngood,2\n'), { modelLabels: LABELS }),
      /label id 2 is outside the model's 2 labels/,
    );
    await assert.rejects(
      readDataset(write('u.csv', 'text,label\ngood,pos\nbad,neg\n'), { modelLabels: LABELS }),
      (e: unknown) => e instanceof LabelMappingNeeded && e.fileLabels.join() === 'pos,neg',
    );
    const mapped = await readDataset(write('u.csv', 'text,label\ngood,pos\nbad,neg\n'), {
      modelLabels: LABELS,
      labelMap: { pos: 'POSITIVE', neg: 'NEGATIVE' },
    });
    assert.deepEqual([...mapped.gold!], [1, 0]);
  });

  it('stops at --limit but still hashes the whole file; no label column when asked', async () => {
    const file = write('l.tsv', 'sentence\tlabel\na\t1\nb\t0\nc\t1\n');
    const all = await readDataset(file, { modelLabels: LABELS });
    const two = await readDataset(file, { modelLabels: LABELS, limit: 2, labelColumn: null });
    assert.deepEqual(two.texts, ['a', 'b']);
    assert.equal(two.complete, false);
    assert.equal(two.gold, undefined);
    assert.equal(two.sha256, all.sha256);
  });

  it('checks the path first: a folder, an empty file, binary bytes, an unknown extension', async () => {
    const dir = tempDir('dbi-ds-dir-');
    await rejects(readDataset(dir, { modelLabels: LABELS }), /is not a regular file/);
    await rejects(readDataset(write('e.csv', ''), { modelLabels: LABELS }), /e\.csv is empty/);
    await rejects(
      readDataset(write('z.csv', new Uint8Array([0x74, 0, 0x0a])), { modelLabels: LABELS }),
      /contains NUL bytes/,
    );
    await rejects(readDataset(write('x.xlsx', 'a'), { modelLabels: LABELS }), /unknown dataset format/);
  });

  it('reads Parquet written by an independent writer (hyparquet-writer), a row range at a time', async () => {
    const { parquetWriteBuffer } = (await import('hyparquet-writer')) as typeof import('hyparquet-writer');
    const n = 20000;
    const texts = Array.from({ length: n }, (_, i) => (i === 7 ? '' : `example ${i}`));
    const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'POSITIVE' : 'NEGATIVE'));
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'idx', data: Int32Array.from({ length: n }, (_, i) => i) },
        { name: 'text', data: texts },
        { name: 'label', data: labels },
      ],
      rowGroupSize: 5000,
    });
    const ds = await readDataset(write('d.parquet', new Uint8Array(buf)), { modelLabels: LABELS });
    assert.equal(ds.format, 'parquet');
    assert.equal(ds.texts.length, n - 1);
    assert.equal(ds.skipped.emptyText, 1);
    assert.equal(ds.texts[n - 2], `example ${n - 1}`);
    assert.equal(ds.lines[n - 2], n);
    // Row 7 was skipped, so example k >= 7 is row k + 1: example 8 is row 9 (POSITIVE), example 9 is row 10.
    assert.deepEqual([...ds.gold!.subarray(6, 10)], [1, 0, 1, 0]);
  });
});
