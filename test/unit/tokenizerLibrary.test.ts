// TextTokenizer's ids must equal @huggingface/tokenizers' own `encode(text).ids` for any input, and every
// word piece's range must point at the text it came from. Checked on SST-2 (read from ../shared beside
// the repository, never copied), on tricky strings, and on seeded random strings over nasty characters,
// for the fixture tokenizer.json and variants of its normalizer / added tokens / post_processor.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { TextTokenizer } from '../../src/core/tokenizer/textTokenizer';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'models', 'tiny-distilbert-o14-gemm');
const BERT_FIXTURE = path.join(ROOT, 'test', 'fixtures', 'models', 'tiny-bert-o17');
const ROBERTA_FIXTURE = path.join(ROOT, 'test', 'fixtures', 'models', 'tiny-roberta-o17');
const BUNDLED = path.join(ROOT, 'models', 'distilbert-sst2-small');
const SST2 = path.resolve(ROOT, '..', 'shared', 'data', 'sst2');

type Json = Record<string, any>; // parsed JSON we edit freely in tests
const readJson = (file: string): Json => JSON.parse(fs.readFileSync(file, 'utf8')) as Json;

function sst2Sentences(file: string): string[] {
  return fs
    .readFileSync(path.join(SST2, file), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.length > 0)
    .map((l) => l.slice(0, l.lastIndexOf('\t')));
}

const TRICKY = [
  '',
  ' ',
  '\n\t  \r\n',
  'ΟΔΟΣ ΑΣ. Σ ΣΑ Σ\u0301',
  'İstanbul İİ',
  'café cafe\u0301 naïve NAÏVE Ångström',
  '😀 👍🏽 ❤️ 👨‍👩‍👧 🇫🇷',
  '日本語 中文字符 电影很好',
  '한국어 텍스트',
  'مرحبا بالعالم!',
  '\u202bשלום\u202c world',
  'a\u0000b\u0001c\u200bd\u200de\uFEFFf\uFFFDg',
  '[CLS] [SEP] [MASK] [mask] [PAD]x y[UNK]z [SEP',
  'x'.repeat(101),
  'a'.repeat(100),
  "it isn't bad -- at all... (really?!) [sic]",
  'ﬁne ² Ⅻ ǅ ß ẞ ﬀ',
  '\uD800 lone \uDC00 surrogates \uDBFF',
  'tab\tsep\u00a0nbsp\u3000ideo\u2028line\u0085nel',
  'e\u0301\u0316\u0300 a\u1715\u1734 ᾳ ΐ \u0345',
  'A.B.C. U.S.A.',
];

/** Seeded mulberry32, so a failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ALPHABET = [
  'a',
  'b',
  'Z',
  'the',
  'movie',
  'great',
  'film',
  ' ',
  '  ',
  '\t',
  '\n',
  '.',
  ',',
  '!',
  "'",
  '-',
  'é',
  'e\u0301',
  '\u0301',
  '\u0316',
  'İ',
  'ß',
  'Σ',
  'ΟΔΟΣ',
  'σ',
  '😀',
  '👍🏽',
  '❤️',
  '日',
  '本',
  '中',
  '한',
  '\u200b',
  '\u200d',
  '\u0000',
  '\uFFFD',
  '\u202e',
  'مرحبا',
  'שלום',
  '\uD800',
  '\uDC00',
  '[CLS]',
  '[MASK]',
  '[mask]',
  '[SEP',
  'ﬁ',
  '²',
  '\u3000',
  '\u00a0',
  '\u2028',
  '\u0085',
  'ǅ',
  '\u0345',
  'ᾳ',
  '\u1715',
  'ÅNGSTRÖM',
  'x'.repeat(60),
];
function randomStrings(count: number, seed: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = 1 + Math.floor(r() * 25);
    for (let k = 0; k < n; k++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
    out.push(s);
  }
  return out;
}

/** Asserts library-equal ids and sound ranges for `text`; returns the number of pieces checked. */
function check(tok: TextTokenizer, lib: Tokenizer, text: string): number {
  const pieces = tok.tokenize(text);
  const where = JSON.stringify(text);
  assert.deepEqual([tok.clsId, ...pieces.map((p) => p.id), tok.sepId], lib.encode(text).ids, `ids of ${where}`);
  const normalize = (s: string): string => (lib.normalizer === null ? s : lib.normalizer.normalize(s));
  const unk = lib.model?.unk_token;
  const isAdded = (t: string): boolean =>
    lib.get_added_tokens_decoder().size > 0 &&
    [...lib.get_added_tokens_decoder().values()].some((a) => a.content === t || normalize(a.content) === t);
  let prev: { start: number; end: number } | undefined;
  for (const p of pieces) {
    const at = `${p.text} [${p.start},${p.end}) in ${where}`;
    assert.ok(p.special === false, at);
    assert.ok(0 <= p.start && p.start < p.end && p.end <= text.length, `range of ${at}`);
    // Never split a surrogate pair.
    for (const edge of [p.start, p.end]) {
      const before = text.charCodeAt(edge - 1),
        after = text.charCodeAt(edge);
      assert.ok(
        !(before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff),
        `edge inside a surrogate pair: ${at}`,
      );
    }
    // In order; ranges only overlap when pieces come from one code point (e.g. Hangul jamo).
    if (prev !== undefined)
      assert.ok(p.start >= prev.end || (p.start === prev.start && p.end === prev.end), `order: ${at}`);
    prev = p;
    if (p.text === unk || isAdded(p.text)) continue;
    // The range, normalized on its own, spells the piece (final sigma is context-dependent: compare σ/ς alike).
    const body = p.text.startsWith('##') && !text.slice(p.start, p.end).startsWith('##') ? p.text.slice(2) : p.text;
    const got = normalize(text.slice(p.start, p.end)).replace(/ /g, '').replace(/ς/g, 'σ');
    const want = body.replace(/ς/g, 'σ');
    assert.ok(
      got === want || (got.includes(want) && p.end - p.start <= 2),
      `normalized range "${got}" vs piece "${want}": ${at}`,
    );
  }
  return pieces.length;
}

/** Byte-level BPE: library-equal ids; each whole-character piece's range is its decoded text, trimmed. */
function checkBpe(tok: TextTokenizer, lib: Tokenizer, text: string): number {
  const pieces = tok.tokenize(text);
  const where = JSON.stringify(text);
  assert.deepEqual([tok.clsId, ...pieces.map((p) => p.id), tok.sepId], lib.encode(text).ids, `ids of ${where}`);
  let prevStart = 0;
  for (const p of pieces) {
    const at = `${JSON.stringify(p.text)} [${p.start},${p.end}) in ${where}`;
    assert.ok(0 <= p.start && p.start <= p.end && p.end <= text.length && p.start >= prevStart, `range of ${at}`);
    prevStart = p.start;
    for (const edge of [p.start, p.end]) {
      const before = text.charCodeAt(edge - 1),
        after = text.charCodeAt(edge);
      assert.ok(
        !(before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff),
        `edge inside a surrogate pair: ${at}`,
      );
    }
    const decoded = lib.decode([p.id], { clean_up_tokenization_spaces: false });
    if (decoded.includes('\uFFFD')) continue; // part of a multi-byte character: covers the whole character
    const got = text.slice(p.start, p.end);
    if (decoded.trim() === '') assert.equal(got.trim(), '', `whitespace piece: ${at}`);
    else assert.equal(got, decoded.trim(), `range of ${at}`);
  }
  return pieces.length;
}

/** Fixture tokenizer.json variants exercising every branch of the normalizer and added-token handling. */
function variants(base: Json): [string, Json, Json][] {
  const v = (name: string, edit: (j: Json, c: Json) => void): [string, Json, Json] => {
    const j = structuredClone(base.json) as Json,
      c = structuredClone(base.config) as Json;
    edit(j, c);
    return [name, j, c];
  };
  return [
    v('as saved', () => undefined),
    v('cased, no accent stripping', (j) => Object.assign(j.normalizer, { lowercase: false, strip_accents: null })),
    v('cased, strip_accents', (j) => Object.assign(j.normalizer, { lowercase: false, strip_accents: true })),
    v('lowercase, strip_accents false', (j) => Object.assign(j.normalizer, { strip_accents: false })),
    v('no clean_text, no CJK splitting', (j) =>
      Object.assign(j.normalizer, { clean_text: false, handle_chinese_chars: false }),
    ),
    v('normalizer null', (j) => {
      j.normalizer = null;
    }),
    v('[MASK] normalized (matched after lowercasing)', (j) => {
      j.added_tokens[4].normalized = true;
    }),
    v('fuse_unk', (j) => {
      j.model.fuse_unk = true;
    }),
    v('[MASK] lstrip/rstrip', (j) => Object.assign(j.added_tokens[4], { lstrip: true, rstrip: true })),
    v('remove_space, cased', (j, c) => {
      c.remove_space = true;
      j.normalizer.lowercase = false;
    }),
    v('BertProcessing, remove_space', (j, c) => {
      j.post_processor = { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] };
      c.remove_space = true;
    }),
  ];
}

describe('ids equal @huggingface/tokenizers encode(), ranges spell the pieces', () => {
  const base = {
    json: readJson(path.join(FIXTURE, 'tokenizer.json')),
    config: readJson(path.join(FIXTURE, 'tokenizer_config.json')),
  };

  it('every SST-2 dev sentence and 5000 train sentences (fixture tokenizer)', () => {
    const tok = TextTokenizer.fromFolder(FIXTURE);
    const lib = new Tokenizer(base.json, base.config);
    const dev = sst2Sentences('dev.tsv');
    const train = sst2Sentences('train.tsv');
    assert.ok(dev.length > 800 && train.length > 60000, 'SST-2 files read');
    const step = Math.floor(train.length / 5000);
    const sample = train.filter((_, i) => i % step === 0).slice(0, 5000);
    let pieces = 0;
    for (const s of [...dev, ...sample]) pieces += check(tok, lib, s);
    assert.equal(dev.length + sample.length, 872 + 5000);
    assert.ok(pieces > 50000, `${pieces} pieces`);
  });

  it("the bundled model's tokenizer (models/distilbert-sst2-small) on SST-2 dev and tricky strings", () => {
    const tok = TextTokenizer.fromFolder(BUNDLED);
    const lib = new Tokenizer(
      readJson(path.join(BUNDLED, 'tokenizer.json')),
      readJson(path.join(BUNDLED, 'tokenizer_config.json')),
    );
    for (const s of [...sst2Sentences('dev.tsv'), ...TRICKY]) check(tok, lib, s);
  });

  for (const [name, json, config] of variants(base)) {
    it(`tricky and 400 random strings: ${name}`, () => {
      const tok = new TextTokenizer(json, config);
      const lib = new Tokenizer(json, config);
      for (const s of [...TRICKY, ...randomStrings(400, 7)]) check(tok, lib, s);
    });
  }

  it('the tiny BERT fixture (tiny-bert-o17) on SST-2 dev and tricky strings', () => {
    const tok = TextTokenizer.fromFolder(BERT_FIXTURE);
    const lib = new Tokenizer(
      readJson(path.join(BERT_FIXTURE, 'tokenizer.json')),
      readJson(path.join(BERT_FIXTURE, 'tokenizer_config.json')),
    );
    for (const s of [...sst2Sentences('dev.tsv'), ...TRICKY]) check(tok, lib, s);
  });

  it('byte-level BPE (tiny-roberta-o17): SST-2 dev, tricky and random strings', () => {
    const tok = TextTokenizer.fromFolder(ROBERTA_FIXTURE);
    const lib = new Tokenizer(
      readJson(path.join(ROBERTA_FIXTURE, 'tokenizer.json')),
      readJson(path.join(ROBERTA_FIXTURE, 'tokenizer_config.json')),
    );
    const roberta = ['<s> </s> <mask> <pad>x y<unk>z', '  leading and trailing  ', "we'll see what's 'quoted'"];
    let pieces = 0;
    for (const s of [...sst2Sentences('dev.tsv'), ...TRICKY, ...roberta, ...randomStrings(600, 13)])
      pieces += checkBpe(tok, lib, s);
    assert.ok(pieces > 15000, `${pieces} pieces`);
  });

  it('the whole of a long mixed text at once (sections, caches, buffers reused)', () => {
    const tok = new TextTokenizer(base.json, base.config);
    const lib = new Tokenizer(base.json, base.config);
    check(tok, lib, [...TRICKY, ...randomStrings(300, 11), ...sst2Sentences('dev.tsv')].join(' \n'));
  });
});
