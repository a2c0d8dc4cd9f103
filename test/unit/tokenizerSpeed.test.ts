// Tokenizing must stay linear: no quadratic blow-up on long texts, huge words, runs of punctuation, CJK,
// Greek capitals (the context-sensitive path) or added-token look-alikes. Compared in CPU time (not wall
// time) so a busy machine does not make it flaky; the absolute speed is printed as a diagnostic.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextTokenizer } from '../../src/core/tokenizer/textTokenizer';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const tok = TextTokenizer.fromFolder(path.join(ROOT, 'test', 'fixtures', 'models', 'tiny-distilbert-o14-gemm'));
const lines = fs
  .readFileSync(path.resolve(ROOT, '..', 'shared', 'data', 'sst2', 'train.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .map((l) => l.slice(0, l.lastIndexOf('\t')));

function english(chars: number): string {
  let t = '';
  for (let i = 0; t.length < chars; i++) t += (lines[i % lines.length] as string) + '\n';
  return t.slice(0, chars);
}

/** Best-of-n CPU milliseconds of f(). */
function cpuMs(f: () => unknown, n = 2): number {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best;
}

describe('tokenizer speed', () => {
  // The speed itself is a figure (printed here, measured in `npm run bench`), not a pass/fail bound.
  it('1 MB of English tokenizes completely (CPU time printed)', (t) => {
    const text = english(1_000_000);
    tok.tokenize(english(100_000)); // warm up the JIT and the word cache's code paths
    let pieces = 0;
    const ms = cpuMs(() => (pieces = tok.tokenize(text).length));
    assert.ok(pieces > 250_000, `${pieces} pieces`);
    t.diagnostic(`1 MB English: ${ms.toFixed(0)} ms CPU, ${(1e3 / ms).toFixed(2)} M chars/s, ${pieces} pieces`);
  });

  const shapes: [string, (n: number) => string][] = [
    ['English', english],
    ['one huge word', (n) => 'a'.repeat(n)],
    ['punctuation run', (n) => '!'.repeat(n)],
    ['CJK', (n) => '日本語中文'.repeat(n / 5)],
    ['Greek capitals (final sigma)', (n) => 'ΟΔΟΣ ΑΣ '.repeat(n / 8)],
    ['Greek capitals, no ASCII spaces', (n) => 'ΟΔΟΣ\u00a0'.repeat(n / 5)],
    ['combining accents', (n) => 'e\u0301'.repeat(n / 2)],
    ['whitespace', (n) => ' \t\n'.repeat(n / 3)],
    ['emoji', (n) => '😀'.repeat(n / 2)],
    ['added tokens and look-alikes', (n) => '[MASK][MAS'.repeat(n / 10)],
  ];
  for (const [name, make] of shapes) {
    it(`linear on ${name}`, () => {
      const small = make(40_000),
        large = make(320_000);
      tok.tokenize(small);
      const a = cpuMs(() => tok.tokenize(small));
      const b = cpuMs(() => tok.tokenize(large));
      // 8x the text: linear is ~8x; quadratic would be ~64x. Allow GC noise, and tiny timings.
      assert.ok(b < Math.max(24 * a, 100), `40 KB: ${a.toFixed(0)} ms, 320 KB: ${b.toFixed(0)} ms of CPU`);
    });
  }
});
