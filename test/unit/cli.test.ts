// The CLI as a user runs it: a child process, its stdout, stderr and exit code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseArgs } from '../../src/cli/main';
import { FIXTURES, ROOT, isolateHome, tempDir } from './helpers';

const home = isolateHome();
const CLI = path.join(ROOT, 'out', 'src', 'cli', 'main.js');
const MODEL = path.join(FIXTURES, 'tiny-distilbert-o17-multilabel');
const cache = tempDir('dbi-cli-cache-');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '--cache-dir', cache, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HOME: home, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('cli', () => {
  it('prints the layer-by-layer view in order', () => {
    const r = cli('--model', MODEL, 'a gorgeous , witty , seductive movie .');
    assert.equal(r.code, 0, r.err);
    const order = [
      'block 1',
      'block 2',
      'CLS',
      'pre_classifier',
      'ReLU',
      'dropout',
      'classifier',
      'probabilities',
      '=>',
    ];
    let at = -1;
    for (const word of order) {
      const i = r.out.indexOf(word, at + 1);
      assert.ok(i > at, `"${word}" missing or out of order in:\n${r.out}`);
      at = i;
    }
    assert.match(r.out, /identity at inference \(p=0\.2\)/);
    assert.match(r.out, /units active, \d+ zeroed/);
  });

  it('--json follows the documented contract', () => {
    const r = cli('--model', MODEL, '--json', 'it is not bad at all');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(j.model.labels, ['NEGATIVE', 'NEUTRAL', 'POSITIVE']);
    assert.ok(Array.isArray(j.windows) && j.windows.length === 1);
    const w = j.windows[0];
    assert.equal(w.start, 0);
    assert.equal(w.end, 'it is not bad at all'.length);
    assert.ok(j.model.labels.includes(w.label));
    assert.equal(w.logits.length, 3);
    for (const key of ['cls', 'preClassifier', 'relu']) assert.equal(w.stages[key].length, 32, key);
    // The activation's output keeps its JSON name `relu` (the code calls it stages.activation); no second copy.
    assert.deepEqual(Object.keys(w.stages).slice(0, 4), ['cls', 'preClassifier', 'relu', 'layers']);
    assert.equal(w.stages.activation, undefined);
    assert.equal(j.model.head.activation, 'relu');
    // relu = max(0, pre_classifier) unit by unit, so the field holds what its name says for this head.
    w.stages.relu.forEach((v: number, u: number) =>
      assert.ok(v === Math.max(0, w.stages.preClassifier[u]), `unit ${u}`),
    );
    assert.equal(w.stages.layers.length, 2);
    // Sigmoid per label for multi-label models.
    j.model.labels.forEach((l: string, i: number) =>
      assert.ok(Math.abs(w.probabilities[l] - 1 / (1 + Math.exp(-w.logits[i]))) < 1e-9),
    );
    for (const l of j.model.labels) {
      const c = w.contributions[l];
      assert.equal(typeof c.bias, 'number');
      assert.equal(c.units.length, 32);
    }
    assert.ok(j.model.labels.includes(j.aggregate.label));
    assert.equal(typeof j.aggregate.probabilities.POSITIVE, 'number');
  });

  it('prints the head lens table, and the token lens only with --token-lens; --json carries both', () => {
    const text = 'a gorgeous , witty , seductive movie .';
    const r = cli('--model', MODEL, text);
    assert.equal(r.code, 0, r.err);
    const table = r.out.slice(r.out.indexOf('Head lens'));
    assert.match(table, /the label settles at (the embeddings|block \d)/);
    const rows = table.split('\n').filter((l) => /^ {2}(embeddings|block \d) /.test(l));
    assert.deepEqual(
      rows.map((l) =>
        l.trim().split(/\s+/)[0] === 'embeddings' ? 'embeddings' : l.trim().split(/\s+/).slice(0, 2).join(' '),
      ),
      ['embeddings', 'block 1', 'block 2'],
    );
    assert.equal(rows.filter((l) => l.endsWith('<- settles')).length, 1);
    assert.doesNotMatch(r.out, /Token lens/);

    const j = JSON.parse(cli('--model', MODEL, '--json', '--token-lens', text).out);
    const w = j.windows[0];
    assert.deepEqual(
      w.lens.map((e: { layer: number }) => e.layer),
      [0, 1, 2],
    );
    const last = w.lens[2];
    last.logits.forEach((x: number, i: number) => assert.ok(Math.abs(x - w.logits[i]) < 1e-4));
    // The table shows the JSON's numbers: the last row's logits, to 3 decimals.
    assert.ok(rows[2]!.includes(last.logits.map((x: number) => (x >= 0 ? '+' : '') + x.toFixed(3))[0]));
    assert.equal(w.tokenLens.length, w.tokens.length);
    assert.ok(
      cli('--model', MODEL, '--token-lens', text).out.includes(
        'what the head would read if it looked at each word piece instead of [CLS]',
      ),
    );
  });

  it('--file reads a long file in windows and says what it covered', () => {
    const dir = tempDir('dbi-cli-file-');
    const file = path.join(dir, 'long.txt');
    fs.writeFileSync(file, 'the movie is a charming and often affecting journey . '.repeat(40));
    const r = cli('--model', MODEL, '--json', '--file', file);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.ok(j.windows.length > 1);
    assert.equal(j.coverage.complete, true);
    const t = cli('--model', MODEL, '--json', '--truncate', '--file', file);
    const jt = JSON.parse(t.out);
    assert.equal(jt.windows.length, 1);
    assert.equal(jt.coverage.complete, false);
    assert.ok(jt.coverage.coveredEnd < fs.statSync(file).size);
  });

  it('bad input exits non-zero with one line naming the problem', () => {
    const dir = tempDir('dbi-cli-bad-');
    const bin = path.join(dir, 'x.bin');
    fs.writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]));
    const broken = path.join(dir, 'model');
    fs.cpSync(MODEL, broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'onnx', 'model.onnx'), Buffer.from('not an onnx file at all'));
    const noTok = path.join(dir, 'notok');
    fs.cpSync(MODEL, noTok, { recursive: true });
    fs.rmSync(path.join(noTok, 'tokenizer.json'));
    const smallVocab = path.join(dir, 'smallvocab');
    fs.cpSync(MODEL, smallVocab, { recursive: true });
    const cfg = JSON.parse(fs.readFileSync(path.join(smallVocab, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(smallVocab, 'config.json'), JSON.stringify({ ...cfg, vocab_size: 100 }));
    const cases: [string[], RegExp][] = [
      [['--model', smallVocab, 'text'], /tokenizer\.json has 1500 tokens .*vocab_size 100/],
      [['--model', MODEL, '   '], /empty/],
      [['--model', MODEL, '--file', bin], /x\.bin .*binary/],
      [['--model', MODEL, '--file', path.join(dir, 'missing.txt')], /Cannot read .*missing\.txt/],
      [['--model', path.join(dir, 'nowhere'), 'text'], /does not exist/],
      [['--model', noTok, 'text'], /no tokenizer\.json/],
      [['--model', broken, 'text'], /model\.onnx/],
      [['--model', MODEL, '--window-tokens', '1000', 'text'], /at most 64/],
      [['--bogus'], /Unknown option --bogus/],
    ];
    for (const [args, pattern] of cases) {
      const r = cli(...args);
      assert.notEqual(r.code, 0, `${args.join(' ')} succeeded`);
      assert.equal(r.err.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.err}`);
      assert.match(r.err, pattern, args.join(' '));
      assert.equal(r.out, '');
    }
  });

  it('parses options strictly', () => {
    const a = parseArgs(['--json', '--window-tokens', '128', 'two', 'words'], {});
    assert.equal(a.text, 'two words');
    assert.equal(a.windowTokens, 128);
    assert.throws(() => parseArgs(['--overlap', 'x', 't'], {}), /whole number/);
    assert.throws(() => parseArgs(['t', '--file', 'f'], {}), /not both/);
    assert.equal(parseArgs(['t'], { DISTILBERT_INSPECTOR_CACHE: '/c' }).cacheDir, '/c');
  });
});
