// TextTokenizer on a small hand-made BERT tokenizer.json whose vocabulary we know by heart, so every
// expected token, id and offset below is worked out by hand (not produced by the code under test).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Tokenizer } from '@huggingface/tokenizers';
import { TextTokenizer } from '../../src/core/tokenizer/textTokenizer';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');
/** ids: [PAD]0 [UNK]1 [CLS]2 [SEP]3 [MASK]4, then the words in this order, then a-z, then ##a-##z. */
const WORDS = [
  'the',
  'movie',
  'is',
  'great',
  '!',
  '.',
  ',',
  "'",
  'un',
  '##believ',
  '##able',
  'cafe',
  '##tanbul',
  '日',
  '本',
  '語',
  'οδος',
  'σ',
  'مرحبا',
];
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS, ...LETTERS, ...LETTERS.map((l) => '##' + l)];
assert.equal(new Set(VOCAB).size, VOCAB.length, 'no duplicate tokens');
const id = (t: string): number => {
  const i = VOCAB.indexOf(t);
  assert.ok(i >= 0, t);
  return i;
};

/** A tokenizer.json as DistilBertTokenizerFast.save_pretrained writes it (uncased, CJK split). */
function devTokenizerJson(): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((content, i) => ({
      id: i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [],
      special_tokens: {},
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])),
    },
  };
}

const tok = new TextTokenizer(devTokenizerJson(), { pad_token: '[PAD]', model_max_length: 16 });
const lib = new Tokenizer(devTokenizerJson(), { pad_token: '[PAD]' });

/** [piece, start, end] triples of tokenize(). */
function spans(text: string): [string, number, number][] {
  return tok.tokenize(text).map((t) => [t.text, t.start, t.end]);
}

describe('TextTokenizer (hand-made vocabulary)', () => {
  it('exposes the special ids and vocabulary size', () => {
    assert.deepEqual([tok.padId, tok.unkId, tok.clsId, tok.sepId], [0, 1, 2, 3]);
    assert.equal(tok.vocabSize, VOCAB.length);
    assert.equal(tok.modelMaxLength, 16);
    assert.equal(tok.numSpecialTokens, 2);
  });

  // text -> [piece, start, end]; worked out by hand from the vocabulary above.
  const table: [string, string, [string, number, number][]][] = [
    [
      'plain words and punctuation',
      'The movie is great!',
      [
        ['the', 0, 3],
        ['movie', 4, 9],
        ['is', 10, 12],
        ['great', 13, 18],
        ['!', 18, 19],
      ],
    ],
    [
      'sub-words carry ##',
      'Unbelievable.',
      [
        ['un', 0, 2],
        ['##believ', 2, 8],
        ['##able', 8, 12],
        ['.', 12, 13],
      ],
    ],
    ['precomposed accent', 'Café', [['cafe', 0, 4]]],
    [
      'combining accent stays inside the range',
      'Cafe\u0301!',
      [
        ['cafe', 0, 5],
        ['!', 5, 6],
      ],
    ],
    [
      'lowercase longer than the letter (İ -> i + U+0307)',
      'İstanbul',
      [
        ['is', 0, 2],
        ['##tanbul', 2, 8],
      ],
    ],
    [
      'emoji (surrogate pair) is one [UNK] word',
      '😀 movie',
      [
        ['[UNK]', 0, 2],
        ['movie', 3, 8],
      ],
    ],
    [
      'CJK: each character its own word',
      '日本語',
      [
        ['日', 0, 1],
        ['本', 1, 2],
        ['語', 2, 3],
      ],
    ],
    ['control/format characters removed by clean_text join the word', 'mo\u200bv\u0000ie', [['movie', 0, 7]]],
    [
      'whitespace runs',
      '  the \t\n movie  ',
      [
        ['the', 2, 5],
        ['movie', 9, 14],
      ],
    ],
    [
      'RTL text with an embedding mark',
      '\u202bمرحبا!',
      [
        ['مرحبا', 1, 6],
        ['!', 6, 7],
      ],
    ],
    ['final sigma needs the whole word (ΟΔΟΣ -> οδος)', 'ΟΔΟΣ', [['οδος', 0, 4]]],
    [
      'unknown word: [UNK] covers the whole word',
      'the €uro',
      [
        ['the', 0, 3],
        ['[UNK]', 4, 8],
      ],
    ],
    [
      'added token written in the text keeps its range',
      'the [MASK]!',
      [
        ['the', 0, 3],
        ['[MASK]', 4, 10],
        ['!', 10, 11],
      ],
    ],
    [
      'apostrophe splits',
      "it's",
      [
        ['i', 0, 1],
        ['##t', 1, 2],
        ["'", 2, 3],
        ['s', 3, 4],
      ],
    ],
    ['empty', '', []],
    ['whitespace only', ' \n\t ', []],
  ];
  for (const [name, text, expected] of table) {
    it(`offsets: ${name}`, () => {
      assert.deepEqual(spans(text), expected);
      const ids = tok.tokenize(text).map((t) => t.id);
      assert.deepEqual(
        ids,
        expected.map(([p]) => id(p)),
      );
      assert.deepEqual([tok.clsId, ...ids, tok.sepId], lib.encode(text).ids, 'library ids');
    });
  }

  it('a word longer than max_input_chars_per_word is one [UNK] over the whole word', () => {
    const text = `the ${'a'.repeat(150)} movie`;
    assert.deepEqual(spans(text), [
      ['the', 0, 3],
      ['[UNK]', 4, 154],
      ['movie', 155, 160],
    ]);
  });

  it('only template tokens are special, with empty ranges at 0 and text.length', () => {
    const e = tok.encode('The movie', 16);
    assert.deepEqual(
      e.tokens.map((t) => [t.text, t.start, t.end, t.special]),
      [
        ['[CLS]', 0, 0, true],
        ['the', 0, 3, false],
        ['movie', 4, 9, false],
        ['[SEP]', 9, 9, true],
      ],
    );
    assert.deepEqual(e.ids, [2, id('the'), id('movie'), 3]);
    assert.deepEqual(e.attentionMask, [1, 1, 1, 1]);
    assert.equal(e.truncated, false);
    assert.equal(e.coveredEnd, 9);
  });

  it('coveredEnd is text.length when complete, even with trailing spaces', () => {
    const e = tok.encode('the movie   ', 16);
    assert.equal(e.coveredEnd, 12);
    assert.deepEqual(e.tokens.at(-1), { id: 3, text: '[SEP]', start: 12, end: 12, special: true });
  });

  it('empty or whitespace-only text gives just [CLS] [SEP]', () => {
    for (const text of ['', '   \n']) {
      const e = tok.encode(text, 16);
      assert.deepEqual(e.ids, [2, 3]);
      assert.equal(e.truncated, false);
      assert.equal(e.coveredEnd, text.length);
    }
  });
});

describe('truncation', () => {
  const text = 'The movie is great!'; // 5 pieces
  it('keeps [CLS] pieces [SEP] within maxLength and says where coverage stops', () => {
    const e = tok.encode(text, 4);
    assert.deepEqual(
      e.tokens.map((t) => t.text),
      ['[CLS]', 'the', 'movie', '[SEP]'],
    );
    assert.equal(e.ids.length, 4);
    assert.equal(e.truncated, true);
    assert.equal(e.coveredEnd, 9);
    assert.deepEqual([e.tokens[3]?.start, e.tokens[3]?.end], [9, 9]);
  });
  it('an exact fit is not truncated', () => {
    const e = tok.encode(text, 7);
    assert.equal(e.ids.length, 7);
    assert.equal(e.truncated, false);
    assert.equal(e.coveredEnd, text.length);
    assert.deepEqual(e.ids, lib.encode(text).ids);
  });
  it('one token short is truncated', () => {
    const e = tok.encode(text, 6);
    assert.equal(e.truncated, true);
    assert.equal(e.coveredEnd, 18);
  });
  it('can cut between the pieces of one word', () => {
    const e = tok.encode('Unbelievable', 4);
    assert.deepEqual(
      e.tokens.map((t) => t.text),
      ['[CLS]', 'un', '##believ', '[SEP]'],
    );
    assert.equal(e.coveredEnd, 8);
  });
  it('encodePieces wraps a window of a longer text', () => {
    const long = 'the movie is great . the movie is great';
    const pieces = tok.tokenize(long);
    const window = pieces.slice(5, 9); // the movie is great (second sentence)
    const e = tok.encodePieces(window, 6, window.at(-1)!.end, window[0]!.start);
    assert.deepEqual(
      e.tokens.map((t) => [t.text, t.start, t.end]),
      [
        ['[CLS]', 21, 21],
        ['the', 21, 24],
        ['movie', 25, 30],
        ['is', 31, 33],
        ['great', 34, 39],
        ['[SEP]', 39, 39],
      ],
    );
    assert.equal(e.truncated, false);
    assert.equal(e.coveredEnd, 39);
    const cut = tok.encodePieces(window, 4, 39, 21);
    assert.equal(cut.truncated, true);
    assert.equal(cut.coveredEnd, 30);
  });
  it('rejects a maxLength that leaves no room for text', () => {
    assert.throws(() => tok.encode(text, 2), { name: 'TokenizerError', code: 'BAD_ARGUMENT' });
    assert.throws(() => tok.encode(text, 3.5), { name: 'TokenizerError', code: 'BAD_ARGUMENT' });
  });
});
