// Unsupported or broken tokenizer files fail with a TokenizerError that names the file, what was found,
// and what is supported.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TextTokenizer, TokenizerError } from '../../src/core/tokenizer/textTokenizer';

const FIXTURE = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'models', 'tiny-distilbert-o14-gemm');
type Json = Record<string, any>; // parsed JSON we edit freely in tests
const base = (): Json => JSON.parse(fs.readFileSync(path.join(FIXTURE, 'tokenizer.json'), 'utf8')) as Json;

function rejects(make: () => unknown, code: string, ...fragments: RegExp[]): void {
  let caught: unknown;
  try {
    make();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof TokenizerError, `expected a TokenizerError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const f of fragments) assert.match(caught.message, f);
  assert.ok(caught.hint.length > 20, 'has a hint');
}

function edited(edit: (j: Json) => void): Json {
  const j = base();
  edit(j);
  return j;
}

describe('TokenizerError cases', () => {
  it('BPE or ByteLevel pieces mixed into a WordPiece tokenizer.json name what was found and what is supported', () => {
    rejects(
      () =>
        new TextTokenizer(
          edited((j) => {
            j.normalizer = null;
            j.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: false };
          }),
        ),
      'TOKENIZER_UNSUPPORTED',
      /pre_tokenizer "ByteLevel"/,
      /supported: BertPreTokenizer/,
    );
    rejects(
      () =>
        new TextTokenizer(
          edited((j) => {
            j.model = { type: 'BPE', vocab: {}, merges: [] };
          }),
        ),
      'TOKENIZER_UNSUPPORTED',
      /model "BPE".*only as RoBERTa-style byte-level BPE/,
      /supported: WordPiece/,
    );
  });
  it('byte-level BPE outside what RoBERTa uses', () => {
    const roberta = (): Json =>
      JSON.parse(fs.readFileSync(path.join(FIXTURE, '..', 'tiny-roberta-o17', 'tokenizer.json'), 'utf8')) as Json;
    const withNormalizer = roberta();
    withNormalizer.normalizer = { type: 'NFC' };
    rejects(() => new TextTokenizer(withNormalizer), 'TOKENIZER_UNSUPPORTED', /normalizer \("NFC"\) is not supported/);
    const template = roberta();
    template.post_processor = { type: 'TemplateProcessing', single: [] };
    rejects(
      () => new TextTokenizer(template),
      'TOKENIZER_UNSUPPORTED',
      /post_processor "TemplateProcessing" is not supported with byte-level BPE/,
    );
  });
  it('other normalizers and post-processors', () => {
    rejects(
      () =>
        new TextTokenizer(
          edited((j) => {
            j.normalizer = { type: 'NFKC' };
          }),
        ),
      'TOKENIZER_UNSUPPORTED',
      /normalizer "NFKC"/,
      /BertNormalizer/,
    );
    rejects(
      () =>
        new TextTokenizer(
          edited((j) => {
            j.post_processor = { type: 'RobertaProcessing' };
          }),
        ),
      'TOKENIZER_UNSUPPORTED',
      /post_processor "RobertaProcessing"/,
    );
    rejects(
      () =>
        new TextTokenizer(
          edited((j) => {
            j.post_processor.single = [{ Sequence: { id: 'A', type_id: 0 } }];
          }),
        ),
      'TOKENIZER_UNSUPPORTED',
      /no \[CLS\]\/\[SEP\]/,
    );
  });
  it('missing keys, tokens and vocabulary', () => {
    rejects(
      () =>
        new TextTokenizer(
          edited((j) => {
            delete j.pre_tokenizer;
          }),
        ),
      'TOKENIZER_INCOMPLETE',
      /missing the "pre_tokenizer" key/,
      /found keys: /,
    );
    rejects(
      () =>
        new TextTokenizer(
          edited((j) => {
            delete j.added_tokens;
          }),
        ),
      'TOKENIZER_INCOMPLETE',
      /added_tokens/,
    );
    rejects(
      () =>
        new TextTokenizer(
          edited((j) => {
            delete j.model.vocab;
          }),
        ),
      'TOKENIZER_INCOMPLETE',
      /model\.vocab/,
    );
    rejects(
      () =>
        new TextTokenizer(
          edited((j) => {
            j.post_processor.single[0].SpecialToken.id = '<s>';
          }),
        ),
      'TOKENIZER_INCOMPLETE',
      /"<s>", which is not in the vocabulary/,
    );
    rejects(
      () => new TextTokenizer(base(), { pad_token: '<pad>' }),
      'TOKENIZER_INCOMPLETE',
      /padding token "<pad>"/,
      /pad_token/,
    );
  });
  it('not an object at all', () => {
    for (const v of [null, 42, 'tokenizer', [1, 2]])
      rejects(() => new TextTokenizer(v), 'TOKENIZER_JSON_INVALID', /tokenizer\.json: expected a JSON object/);
    rejects(() => new TextTokenizer(base(), [1]), 'TOKENIZER_CONFIG_INVALID', /tokenizer_config\.json/);
    rejects(
      () => new TextTokenizer(base(), { do_lowercase_and_remove_accent: true }),
      'TOKENIZER_CONFIG_INVALID',
      /do_lowercase_and_remove_accent/,
    );
  });

  describe('fromFolder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenizer-errors-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const folder = (files: Record<string, string>): string => {
      const d = fs.mkdtempSync(path.join(dir, 'm-'));
      for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(d, name), body);
      return d;
    };
    it('missing tokenizer.json names the path', () => {
      const d = folder({});
      rejects(
        () => TextTokenizer.fromFolder(d),
        'TOKENIZER_MISSING',
        new RegExp(`Missing ${path.join(d, 'tokenizer.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
    });
    it('garbled JSON names the file and the parse error', () => {
      const d = folder({ 'tokenizer.json': '{"model": {"type": "WordPiece", ' });
      rejects(() => TextTokenizer.fromFolder(d), 'TOKENIZER_JSON_INVALID', /tokenizer\.json is not valid JSON/);
      const d2 = folder({ 'tokenizer.json': JSON.stringify(base()), 'tokenizer_config.json': 'not json' });
      rejects(
        () => TextTokenizer.fromFolder(d2),
        'TOKENIZER_CONFIG_INVALID',
        /tokenizer_config\.json is not valid JSON/,
      );
    });
    it('an unsupported file found on disk is named by its full path', () => {
      const d = folder({
        'tokenizer.json': JSON.stringify(
          edited((j) => {
            j.pre_tokenizer = { type: 'Whitespace' };
          }),
        ),
      });
      rejects(
        () => TextTokenizer.fromFolder(d),
        'TOKENIZER_UNSUPPORTED',
        new RegExp(
          `^${path.join(d, 'tokenizer.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: unsupported pre_tokenizer "Whitespace"`,
        ),
      );
    });
    it('tokenizer_config.json is optional', () => {
      const d = folder({ 'tokenizer.json': JSON.stringify(base()) });
      const tok = TextTokenizer.fromFolder(d);
      assert.equal(tok.modelMaxLength, undefined);
      assert.equal(tok.padId, 0);
    });
  });
});
