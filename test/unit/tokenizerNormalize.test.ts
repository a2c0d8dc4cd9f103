// The per-code-point normalizer with an origin map (src/core/tokenizer/normalizeMap.ts): its string must
// be the library's BertNormalizer output, including the two context-dependent cases.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BertNormalizer } from '@huggingface/tokenizers';
import { CONTEXT_SENSITIVE, OffsetNormalizer } from '../../src/core/tokenizer/normalizeMap';

const bert = new BertNormalizer({
  type: 'BertNormalizer',
  clean_text: true,
  handle_chinese_chars: true,
  strip_accents: null as unknown as boolean,
  lowercase: true,
});
const norm = new OffsetNormalizer((s) => bert.normalize(s));
const run = (text: string): [string, number[]] => {
  const r = norm.run(text, 0, text.length);
  return [r.text, [...r.origin]];
};

describe('OffsetNormalizer', () => {
  it('maps every output unit to its source code point', () => {
    assert.deepEqual(run('Ab\u0000c'), ['abc', [0, 1, 3]]);
    assert.deepEqual(run('é😀'), ['e😀', [0, 1, 1]]);
    assert.deepEqual(run('日x'), [' 日 x', [0, 0, 0, 1]]);
    assert.deepEqual(run('İ\u0301\t'), ['i ', [0, 2]]);
    assert.deepEqual(run('한'), ['한'.normalize('NFD'), [0, 0, 0]]);
  });

  it('final sigma follows the library (decided per space-delimited chunk)', () => {
    for (const [text, want] of [
      ['ΟΔΟΣ', 'οδος'],
      ['ΑΣ ΑΣ.', 'ας ας.'],
      ['ΣΑ Σ ΑΣΑ', 'σα σ ασα'],
      ['Α\u0000Σ', 'ας'],
      ['ΑΣ\u00a0Α', 'ας α'],
    ] as [string, string][]) {
      const [got, origin] = run(text);
      assert.equal(got, bert.normalize(text), text);
      assert.equal(got, want, text);
      assert.equal(origin.length, got.length);
    }
  });

  it('reordered spacing marks follow the library', () => {
    const text = 'x\u302e\u1b44 y';
    assert.equal(run(text)[0], bert.normalize(text));
    assert.notEqual(run(text)[0], 'x\u302e\u1b44 y', 'NFD reorders these two');
  });

  it('CONTEXT_SENSITIVE is exactly capital sigma plus the spacing marks NFD can reorder', () => {
    // A code point NFD leaves alone but that moves ('a' U+0301 c U+0316 reorders) has a non-zero combining
    // class; the nonspacing ones (Mn) vanish under strip_accents, so only the others matter.
    const found = new Set<number>([0x03a3]);
    for (let cp = 0; cp < 0x40000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      if (c.normalize('NFD') !== c || /\p{Mn}/u.test(c)) continue;
      const s = 'a\u0301' + c + '\u0316';
      if (s.normalize('NFD') !== s) found.add(cp);
    }
    assert.deepEqual(
      [...found].sort((a, b) => a - b),
      [...CONTEXT_SENSITIVE].sort((a, b) => a - b),
    );
  });
});
