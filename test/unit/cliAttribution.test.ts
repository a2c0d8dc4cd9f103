// The CLI's attention and attribution options and the faithfulness command, as a user runs them (child process).
// The numbers themselves are checked in attention.test.ts and explain.test.ts; here: the JSON shapes, the
// table, and one clear message (exit 2) for each bad option.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { FIXTURES, ROOT, isolateHome, tempDir } from './helpers';

const home = isolateHome();
const CLI = path.join(ROOT, 'out', 'src', 'cli', 'main.js');
const MODEL = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
const cache = tempDir('dbi-cli-attr-');
after(() => fs.rmSync(cache, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HOME: home, NO_COLOR: '1', DISTILBERT_INSPECTOR_CACHE: cache },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('cli attention and attributions', () => {
  it('--attention adds [CLS] rows and the rollout per window; --attention-full the matrices', () => {
    const r = cli('--model', MODEL, '--json', '--attention', 'a gorgeous , witty , seductive movie .');
    assert.equal(r.code, 0, r.err);
    const w = JSON.parse(r.out).windows[0];
    const a = w.attention;
    const n = w.tokens.length;
    assert.deepEqual([a.layers, a.heads, a.tokens], [2, 4, n]);
    assert.equal(a.cls.length, 2);
    assert.equal(a.cls[0].length, 4);
    assert.equal(a.cls[0][0].length, n);
    assert.equal(a.full, undefined);
    assert.ok(Math.abs(a.rollout.reduce((x: number, y: number) => x + y, 0) - 1) < 1e-6);
    const fw = JSON.parse(cli('--model', MODEL, '--json', '--attention-full', 'a gorgeous movie').out).windows[0];
    const f = fw.attention;
    const m = fw.tokens.length;
    assert.deepEqual([f.full.length, f.full[0].length, f.full[0][0].length, f.full[0][0][0].length], [2, 4, m, m]);
    // The [CLS] rows are the full matrices' query 0.
    assert.deepEqual(f.cls[1][3], f.full[1][3][0]);
  });

  it('--explain shap --budget puts the explanation with its faithfulness in the JSON and the text view', () => {
    const j = JSON.parse(
      cli('--model', MODEL, '--json', '--explain', 'shap', '--budget', '64', 'a gorgeous , witty , seductive movie .')
        .out,
    );
    assert.equal(j.explanation.method, 'shap');
    assert.ok(j.explanation.forwardPasses <= 64);
    assert.equal(j.explanation.items.length, 8);
    assert.equal(j.explanation.faithfulness.fractions.length, 9);
    const t = cli('--model', MODEL, '--explain', 'occlusion', 'a gorgeous , witty , seductive movie .');
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /Explanation {2}occlusion: 9 forward passes in \d+ ms/);
    assert.match(t.out, /faithfulness: masking the top 20% words drops (NEGATIVE|POSITIVE) by -?\d\.\d\d/);
  });

  it('faithfulness prints the method table over a labelled file', () => {
    const data = path.join(cache, 'tiny.tsv');
    fs.writeFileSync(
      data,
      'sentence\tlabel\na gorgeous , witty , seductive movie .\t1\nit is not bad at all\t1\nboring and far too long\t0\n',
    );
    const r = cli('faithfulness', '--model', MODEL, '--data', data, '--methods', 'occlusion,rollout', '--limit', '2');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /2 texts of .*tiny\.tsv/);
    const rows = r.out.split('\n').filter((l) => /^\| (occlusion|attention rollout) \|/.test(l));
    assert.equal(rows.length, 2, r.out);
    for (const row of rows) assert.equal(row.split('|').length, 9, row);
    const j = JSON.parse(cli('faithfulness', '--model', MODEL, '--data', data, '--methods', 'shap', '--json').out);
    assert.equal(j.texts, 3);
    assert.equal(j.rows[0].method, 'shap');
  });

  it('bad options get one line naming the problem (exit 2)', () => {
    const cases: [string[], RegExp][] = [
      [['--explain', 'lime', 'text'], /--explain: unknown attribution method "lime"; use occlusion, shap, rollout/],
      [['--budget', '1', '--explain', 'shap', 'text'], /--budget needs a whole number of at least 2/],
      [['faithfulness'], /--data FILE\.tsv/],
      [['faithfulness', '--data', cache], /is not a regular file/],
      [['faithfulness', '--data', path.join(cache, 'missing.tsv')], /Cannot read .*missing\.tsv: ENOENT/],
      [['faithfulness', '--data', 'x.tsv', '--methods', 'occlusion,ig'], /--methods: unknown attribution method "ig"/],
      // The same number and variant checks as the classify command (no 1e3, no silent clamp, every dtype name).
      [['faithfulness', '--data', 'x.tsv', '--limit', '1e3'], /--limit needs a whole number of at least 1, got "1e3"/],
      [['faithfulness', '--data', 'x.tsv', '--budget', '1'], /--budget needs a whole number of at least 2, got "1"/],
      [['faithfulness', '--data', 'x.tsv', '--threads', '999'], /--threads needs a whole number from 1 to 64/],
      [['faithfulness', '--data', 'x.tsv', '--variant', 'q4'], /4-bit graphs .* are not supported/],
      [['quantize', MODEL, '--threads', '0x20'], /--threads needs a whole number from 1 to 64, got "0x20"/],
    ];
    for (const [args, re] of cases) {
      const r = args[0] === 'faithfulness' || args[0] === 'quantize' ? cli(...args) : cli('--model', MODEL, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, re);
      assert.equal(r.err.trim().split('\n').length, 1);
    }
  });
});
