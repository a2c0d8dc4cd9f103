// Tokenization pinned on the fixture tokenizer (test/fixtures/models/tiny-distilbert-o14-gemm, vocabulary
// learned deterministically from SST-2 by test/fixtures/make_fixtures.py): text -> pieces -> ids ->
// UTF-16 offsets, in the manner of transformers.js's test_tokenization_distilbert.js. Each row was
// reviewed by slicing the text at the offsets; ids are also re-checked against the library below.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { TextTokenizer } from '../../src/core/tokenizer/textTokenizer';

const FIXTURE = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'models', 'tiny-distilbert-o14-gemm');

/** [text, [piece, id, start, end][]] */
const TABLE: [string, [string, number, number, number][]][] = [
  [
    'a gorgeous , witty , seductive movie .',
    [
      ['a', 69, 0, 1],
      ['go', 576, 2, 4],
      ['##r', 191, 4, 5],
      ['##ge', 395, 5, 7],
      ['##ous', 305, 7, 10],
      [',', 16, 11, 12],
      ['wit', 268, 13, 16],
      ['##ty', 599, 16, 18],
      [',', 16, 19, 20],
      ['se', 308, 21, 23],
      ['##d', 177, 23, 24],
      ['##uct', 741, 24, 27],
      ['##ive', 312, 27, 30],
      ['movie', 306, 31, 36],
      ['.', 18, 37, 38],
    ],
  ],
  [
    'The plot is nothing but boilerplate clichés from start to finish.',
    [
      ['the', 218, 0, 3],
      ['plot', 640, 4, 8],
      ['is', 249, 9, 11],
      ['nothing', 800, 12, 19],
      ['but', 339, 20, 23],
      ['bo', 1332, 24, 26],
      ['##ile', 544, 26, 29],
      ['##r', 191, 29, 30],
      ['##pl', 416, 30, 32],
      ['##ate', 348, 32, 35],
      ['cliches', 1216, 36, 43],
      ['from', 392, 44, 48],
      ['start', 1240, 49, 54],
      ['to', 237, 55, 57],
      ['fin', 1478, 58, 61],
      ['##ish', 458, 61, 64],
      ['.', 18, 64, 65],
    ],
  ],
  [
    'Café Société: naïve, but ÜBER charming \ud83d\ude00 — 日本語 too!',
    [
      ['ca', 1098, 0, 2],
      ['##fe', 509, 2, 4],
      ['so', 346, 5, 7],
      ['##c', 176, 7, 8],
      ['##iet', 1083, 8, 11],
      ['##e', 178, 11, 12],
      [':', 30, 12, 13],
      ['n', 82, 14, 15],
      ['##a', 174, 15, 16],
      ['##ive', 312, 16, 19],
      [',', 16, 19, 20],
      ['but', 339, 21, 24],
      ['u', 89, 25, 26],
      ['##ber', 580, 26, 29],
      ['charming', 1337, 30, 38],
      ['[UNK]', 1, 39, 41],
      ['[UNK]', 1, 42, 43],
      ['日', 105, 44, 45],
      ['本', 106, 45, 46],
      ['語', 109, 46, 47],
      ['too', 456, 48, 51],
      ['!', 5, 51, 52],
    ],
  ],
  [
    "it isn't bad at all",
    [
      ['it', 244, 0, 2],
      ['is', 249, 3, 5],
      ['##n', 187, 5, 6],
      ["'", 11, 6, 7],
      ['t', 88, 7, 8],
      ['bad', 525, 9, 12],
      ['at', 338, 13, 15],
      ['all', 377, 16, 19],
    ],
  ],
  [
    'What?!?! ... no way -- (really) [CLS] inside',
    [
      ['what', 534, 0, 4],
      ['?', 35, 4, 5],
      ['!', 5, 5, 6],
      ['?', 35, 6, 7],
      ['!', 5, 7, 8],
      ['.', 18, 9, 10],
      ['.', 18, 10, 11],
      ['.', 18, 11, 12],
      ['no', 442, 13, 15],
      ['way', 529, 16, 19],
      ['-', 17, 20, 21],
      ['-', 17, 21, 22],
      ['(', 12, 23, 24],
      ['really', 728, 24, 30],
      [')', 13, 30, 31],
      ['[CLS]', 2, 32, 37],
      ['ins', 514, 38, 41],
      ['##ide', 508, 41, 44],
    ],
  ],
  [
    '这部电影很好 mixed with English and emoji \ud83d\udc4d\ud83c\udffd❤\ufe0f',
    [
      ['[UNK]', 1, 0, 1],
      ['[UNK]', 1, 1, 2],
      ['电', 107, 2, 3],
      ['影', 103, 3, 4],
      ['[UNK]', 1, 4, 5],
      ['好', 101, 5, 6],
      ['mi', 1080, 7, 9],
      ['##x', 197, 9, 10],
      ['##ed', 230, 10, 12],
      ['with', 277, 13, 17],
      ['eng', 783, 18, 21],
      ['##li', 1434, 21, 23],
      ['##s', 192, 23, 24],
      ['##h', 181, 24, 25],
      ['and', 227, 26, 29],
      ['em', 467, 30, 32],
      ['##o', 188, 32, 33],
      ['##j', 183, 33, 34],
      ['##i', 182, 34, 35],
      ['[UNK]', 1, 36, 42],
    ],
  ],
  [
    'İstanbul\u200b cafe\u0301 ΟΔΟΣ \u202bمرحبا\u202c  \t unflinchingly',
    [
      ['is', 249, 0, 2],
      ['##t', 193, 2, 3],
      ['##an', 234, 3, 5],
      ['##b', 175, 5, 6],
      ['##ul', 258, 6, 8],
      ['ca', 1098, 10, 12],
      ['##fe', 509, 12, 15],
      ['[UNK]', 1, 16, 20],
      ['[UNK]', 1, 22, 27],
      ['unf', 837, 32, 35],
      ['##li', 1434, 35, 37],
      ['##n', 187, 37, 38],
      ['##ching', 941, 38, 43],
      ['##ly', 233, 43, 45],
    ],
  ],
];

describe('fixture tokenizer: pinned text -> tokens -> ids -> offsets', () => {
  const tok = TextTokenizer.fromFolder(FIXTURE);
  const read = (f: string): object => JSON.parse(fs.readFileSync(path.join(FIXTURE, f), 'utf8')) as object;
  const lib = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));

  it('knows its special tokens and size', () => {
    assert.deepEqual(
      [tok.padId, tok.unkId, tok.clsId, tok.sepId, tok.vocabSize, tok.modelMaxLength],
      [0, 1, 2, 3, 1500, 64],
    );
  });

  for (const [text, rows] of TABLE) {
    it(JSON.stringify(text), () => {
      const pieces = tok.tokenize(text);
      assert.deepEqual(
        pieces.map((p) => [p.text, p.id, p.start, p.end]),
        rows,
      );
      const e = tok.encode(text, 64);
      assert.deepEqual(e.ids, [2, ...rows.map((r) => r[1]), 3]);
      assert.deepEqual(e.ids, lib.encode(text).ids);
    });
  }
});
