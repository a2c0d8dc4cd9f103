// `distilbert-inspector dataset` as a user runs it: a child process, its JSON contract checked against the
// single-text inspection path, and bad input answered with one line and the right exit code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, isolateHome, readReference, tempDir } from './helpers';

const home = isolateHome();
import { Inspector } from '../../src/core/inspector';
import type { DatasetReport } from '../../src/core/dataset/report';

const CLI = path.join(ROOT, 'out', 'src', 'cli', 'main.js');
const MODEL = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
const cache = tempDir('dbi-cli-cache-');

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, 'dataset', ...args, '--model', MODEL, '--cache-dir', cache], {
    encoding: 'utf8',
    env: { ...process.env, HOME: home, NO_COLOR: '1' },
  });
}

describe('dataset command', () => {
  const ref = readReference(MODEL);
  const file = path.join(tempDir('dbi-cli-ds-'), 'd.csv');
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  fs.writeFileSync(
    file,
    `review,gold\n${ref.cases.map((c, i) => `${quote(c.text)},${i % 3 === 0 ? 'POSITIVE' : 'NEGATIVE'}`).join('\n')}\n\n"",POSITIVE\n`,
  );

  it('--json: metrics, confusion and every example agree with one-at-a-time inspections', async () => {
    const r = cli(file, '--json', '--text-column', 'review');
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as DatasetReport;
    assert.equal(rep.dataset.examples, ref.cases.length);
    assert.equal(rep.dataset.skipped.emptyText, 1);
    const inspector = await Inspector.open({ modelDir: MODEL, cacheDir: tempDir('dbi-cache-'), threads: 1 });
    try {
      const labels = inspector.model.labels;
      const confusion = labels.map(() => labels.map(() => 0));
      let correct = 0;
      for (const [i, c] of ref.cases.entries()) {
        const ins = await inspector.inspect(c.text, { mode: 'truncate' });
        const gold = i % 3 === 0 ? 'POSITIVE' : 'NEGATIVE';
        const ex = rep.examples[i]!;
        assert.equal(ex.index, i);
        assert.equal(ex.label, gold);
        assert.equal(ex.predicted, ins.aggregate.label);
        for (const l of labels)
          assert.ok(Math.abs(ex.probabilities[l]! - ins.aggregate.probabilities[l]!) < 1e-6, `p(${l}) row ${i}`);
        confusion[labels.indexOf(gold)]![labels.indexOf(ins.aggregate.label)]! += 1;
        if (gold === ins.aggregate.label) correct++;
      }
      assert.equal(rep.metrics!.accuracy, correct / ref.cases.length);
      assert.deepEqual(rep.confusion, confusion);
      assert.deepEqual(Object.keys(rep.metrics!.perClass), labels);
      assert.equal(rep.headStudy!.rows[0]!.id, 'head');
    } finally {
      await inspector.dispose();
    }
  });

  it('prints the text summary and writes an escaped HTML page', () => {
    const html = path.join(tempDir('dbi-cli-html-'), 'r.html');
    const hostile = path.join(tempDir('dbi-cli-ds-'), 'h.jsonl');
    fs.writeFileSync(
      hostile,
      ['<script>alert(1)</script> bad', 'fine words'].map((t) => JSON.stringify({ text: t, label: 1 })).join('\n'),
    );
    const r = cli(hostile, '--html', html);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /accuracy: \d\.\d{4}/);
    assert.match(r.stdout, /confusion matrix/);
    const page = fs.readFileSync(html, 'utf8');
    assert.ok(!page.includes('<script>'), 'raw script tag in the report');
    assert.match(page, /default-src 'none'/);
  });

  it('the text and HTML views name the units that add most to each label, as the JSON numbers say', () => {
    const json = cli(file, '--json', '--text-column', 'review');
    assert.equal(json.status, 0, json.stderr);
    const rep = JSON.parse(json.stdout) as DatasetReport;
    const html = path.join(tempDir('dbi-cli-html-'), 'r.html');
    const text = cli(file, '--text-column', 'review', '--html', html);
    assert.equal(text.status, 0, text.stderr);
    const page = fs.readFileSync(html, 'utf8');
    for (const label of rep.model.labels) {
      // Independently: sort the units by their mean contribution, keep the five largest positive ones.
      const want = rep.headUnits.meanContribution[label]!.map((m, u) => [u, m] as const)
        .filter(([, m]) => m > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5);
      assert.ok(want.length > 0, `no unit adds to ${label}`);
      const line = text.stdout.split('\n').find((l) => l.trim().startsWith(`${label} `) && l.includes(' #'));
      assert.ok(line, `no contributors line for ${label}:\n${text.stdout}`);
      assert.deepEqual(
        [...line.matchAll(/#(\d+) ([+-]\d+\.\d{3})/g)].map((m) => [Number(m[1]), Number(m[2])]),
        want.map(([u, m]) => [u, Number(m.toFixed(3))]),
      );
      for (const [u] of want) assert.ok(page.includes(`<td>${label}</td><td>#${u}</td>`), `HTML row ${label} #${u}`);
    }
  });

  it('bad input: one line naming the problem, exit 2 for options and 1 for the file', () => {
    const missing = cli(file, '--text-column', 'nope');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /has no column "nope"; its columns are review, gold/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    const opt = cli(file, '--limit', '0');
    assert.equal(opt.status, 2);
    assert.match(opt.stderr, /--limit needs a whole number from 1 to /);
    assert.equal(cli(file, '--threads', '1e3').status, 2, '--threads takes digits only');
    const broken = path.join(tempDir('dbi-cli-ds-'), 'b.jsonl');
    fs.writeFileSync(broken, '{"text":"ok","label":1}\n{"text":\n');
    const b = cli(broken);
    assert.equal(b.status, 1);
    assert.match(b.stderr, /b\.jsonl:2: not valid JSON/);
  });
});
