// BERT (pooler dense + tanh) and RoBERTa (classifier.dense + tanh, byte-level BPE) heads beside
// DistilBERT's, and the int8 DistilBERT, end to end through the Inspector's worker: every stage against
// torch (reference.json, 1e-4 for fp32), contributions adding up to the logits, ids equal to the library's.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, ROOT, isolateHome, maxAbsDiff, readReference, tempDir, type Reference } from './helpers';

isolateHome();
import { Tokenizer } from '@huggingface/tokenizers';
import { Inspector, InspectorError } from '../../src/core/inspector';
import { SUPPORTED_ARCHITECTURES, parseModelConfig } from '../../src/core/model/modelConfig';
import { TextTokenizer } from '../../src/core/tokenizer/textTokenizer';
import type { HeadInfo, Inspection } from '../../src/core/types';

/**
 * int8 vs torch's fp32 values. Observed max |diff| (cls, dense, activation, layers, logits):
 * DistilBERT 0.066 0.054 0.050 0.066 0.085; BERT 0.059 0.125 0.093 0.059 0.049; RoBERTa 0.044 0.123 0.060
 * 0.044 0.053 (BERT/RoBERTa's dense outputs are larger, |x| ~ 11, so their absolute error is too).
 */
const INT8_TOL = 0.15;
const INT8_LOGITS_TOL = 0.1;

interface HeadCase {
  fixture: string;
  variant: 'fp32' | 'quantized';
  head: Omit<HeadInfo, 'denseOp' | 'classifierOp'>;
  denseOp: string;
  inputs: number; // graph inputs: BERT also takes token_type_ids
}

const CASES: HeadCase[] = [
  {
    fixture: 'tiny-bert-o17',
    variant: 'fp32',
    head: {
      kind: 'bert',
      activation: 'tanh',
      denseName: 'bert.pooler.dense',
      classifierName: 'classifier',
      pretrainedDense: true,
      denseParams: 32 * 32 + 32,
      classifierParams: 2 * 32 + 2,
      quantized: false,
    },
    denseOp: 'Gemm',
    inputs: 3,
  },
  {
    fixture: 'tiny-roberta-o17',
    variant: 'fp32',
    head: {
      kind: 'roberta',
      activation: 'tanh',
      denseName: 'classifier.dense',
      classifierName: 'classifier.out_proj',
      pretrainedDense: false,
      denseParams: 32 * 32 + 32,
      classifierParams: 2 * 32 + 2,
      quantized: false,
    },
    denseOp: 'Gemm',
    inputs: 2,
  },
  {
    fixture: 'tiny-bert-o17',
    variant: 'quantized',
    head: {
      kind: 'bert',
      activation: 'tanh',
      denseName: 'bert.pooler.dense',
      classifierName: 'classifier',
      pretrainedDense: true,
      denseParams: 32 * 32 + 32,
      classifierParams: 2 * 32 + 2,
      quantized: true,
    },
    denseOp: 'MatMulInteger+Add',
    inputs: 3,
  },
  {
    fixture: 'tiny-roberta-o17',
    variant: 'quantized',
    head: {
      kind: 'roberta',
      activation: 'tanh',
      denseName: 'classifier.dense',
      classifierName: 'classifier.out_proj',
      pretrainedDense: false,
      denseParams: 32 * 32 + 32,
      classifierParams: 2 * 32 + 2,
      quantized: true,
    },
    denseOp: 'MatMulInteger+Add',
    inputs: 2,
  },
  {
    fixture: 'tiny-distilbert-o17-int8',
    variant: 'quantized',
    head: {
      kind: 'distilbert',
      activation: 'relu',
      denseName: 'pre_classifier',
      classifierName: 'classifier',
      pretrainedDense: false,
      denseParams: 32 * 32 + 32,
      classifierParams: 2 * 32 + 2,
      quantized: true,
    },
    denseOp: 'MatMulInteger+Add',
    inputs: 2,
  },
];

function checkContributions(ins: Inspection, labels: string[]): void {
  for (const w of ins.windows) {
    labels.forEach((l, k) => {
      const d = w.contributions[l]!;
      const sum = d.bias + d.units.reduce((s, x) => s + x, 0);
      assert.ok(Math.abs(sum - w.logits[k]!) <= 1e-5, `contributions of ${l}: ${sum} vs ${w.logits[k]}`);
    });
  }
}

for (const hc of CASES) {
  describe(`inspector on ${hc.fixture} (${hc.variant})`, () => {
    const dir = path.join(FIXTURES, hc.fixture);
    const ref: Reference = readReference(dir);
    const tol = hc.variant === 'fp32' ? ref.tolerance : INT8_TOL;
    const logitsTol = hc.variant === 'fp32' ? ref.tolerance : INT8_LOGITS_TOL;
    let inspector: Inspector;
    before(async () => {
      inspector = await Inspector.open({
        modelDir: dir,
        cacheDir: tempDir('dbi-heads-cache-'),
        threads: 1,
        variant: hc.variant,
      });
    });
    after(() => inspector.dispose());

    it('names the head in its own terms', () => {
      const m = inspector.model;
      assert.deepEqual(
        { ...m.head, denseOp: undefined, classifierOp: undefined },
        { ...hc.head, denseOp: undefined, classifierOp: undefined },
      );
      assert.equal(m.head?.denseOp, hc.denseOp);
      assert.equal(m.maxLength, ref.maxLength);
      assert.deepEqual(m.labels, ref.labels);
      assert.match(inspector.info.headDescription, hc.head.activation === 'tanh' ? /<- Tanh <-/ : /<- Relu <-/);
    });

    for (const [i, c] of ref.cases.entries()) {
      it(`case ${i}: every stage matches torch within ${tol}, logits ${logitsTol} (${JSON.stringify(c.text.slice(0, 30))})`, async () => {
        const ins = await inspector.inspect(c.text, { mode: 'truncate' });
        const w = ins.windows[0]!;
        assert.deepEqual(
          w.tokens.map((t) => t.id),
          c.ids,
          'token ids',
        );
        assert.equal(w.truncated, c.truncated);
        const d = (a: number[], b: number[], what: string): void =>
          assert.ok(maxAbsDiff(a, b) <= tol, `${what}: ${maxAbsDiff(a, b)}`);
        d(w.stages.cls, c.cls, 'cls');
        d(w.stages.preClassifier, c.preClassifier, hc.head.denseName);
        d(w.stages.activation, c.relu, hc.head.activation);
        c.layers.forEach((l, k) => d(w.stages.layers[k]!, l, `layer ${k}`));
        assert.ok(maxAbsDiff(w.logits, c.logits) <= logitsTol, `logits: ${maxAbsDiff(w.logits, c.logits)}`);
        assert.ok(
          maxAbsDiff(
            ref.labels.map((l) => w.probabilities[l]!),
            c.probabilities,
          ) <= logitsTol,
          'probabilities',
        );
        if (hc.head.activation === 'tanh') {
          assert.ok(
            w.stages.activation.every((v, u) => Math.abs(v - Math.tanh(w.stages.preClassifier[u]!)) <= 1e-6),
            'tanh of the dense output',
          );
        }
        assert.equal(w.stages.classifierInput !== undefined, hc.head.quantized);
        checkContributions(ins, ref.labels);
      });
    }

    it('a padded batch of windows gives the single-window values', async () => {
      const text = ref.cases.map((c) => c.text).join(' ');
      const one = await inspector.inspect(text, { windowTokens: 24, overlap: 4, batchTokens: 24 });
      const batched = await inspector.inspect(text, { windowTokens: 24, overlap: 4, batchTokens: 4096 });
      assert.ok(one.windows.length > 2 && one.coverage.complete);
      one.windows.forEach((w, k) => assert.ok(maxAbsDiff(w.logits, batched.windows[k]!.logits) <= 1e-4, `window ${k}`));
      checkContributions(batched, ref.labels);
    });
  });
}

describe('int8 beside fp32 for the same text', () => {
  const dir = path.join(FIXTURES, 'tiny-distilbert-o17-int8');
  it(`logits agree within ${INT8_LOGITS_TOL} and the labels agree`, async () => {
    const [q, f] = await Promise.all([
      Inspector.open({ modelDir: dir, cacheDir: tempDir('dbi-heads-cache-'), threads: 1, variant: 'quantized' }),
      Inspector.open({ modelDir: dir, cacheDir: tempDir('dbi-heads-cache-'), threads: 1, variant: 'fp32' }),
    ]);
    try {
      assert.equal(f.model.head?.quantized, false);
      assert.equal(f.model.head?.denseOp, 'Gemm');
      for (const c of readReference(dir).cases) {
        const [a, b] = [await q.inspect(c.text, { mode: 'truncate' }), await f.inspect(c.text, { mode: 'truncate' })];
        assert.ok(maxAbsDiff(a.windows[0]!.logits, b.windows[0]!.logits) <= INT8_LOGITS_TOL);
        assert.equal(a.windows[0]!.label, b.windows[0]!.label);
      }
    } finally {
      await Promise.all([q.dispose(), f.dispose()]);
    }
  });
});

describe('config.json of each architecture', () => {
  const read = (name: string): Record<string, unknown> =>
    JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'config.json'), 'utf8')) as Record<string, unknown>;

  it('reads BERT / RoBERTa keys; RoBERTa can use max_position_embeddings - 2 tokens', () => {
    const bert = parseModelConfig(JSON.stringify(read('tiny-bert-o17')), 'bert/config.json');
    assert.deepEqual(
      [bert.headKind, bert.dim, bert.nLayers, bert.nHeads, bert.hiddenDim, bert.maxLength],
      ['bert', 32, 2, 4, 64, 64],
    );
    assert.equal(bert.seqClassifDropout, 0.1); // classifier_dropout null -> hidden_dropout_prob
    const roberta = parseModelConfig(JSON.stringify(read('tiny-roberta-o17')), 'roberta/config.json');
    assert.deepEqual([roberta.headKind, roberta.maxPositionEmbeddings, roberta.maxLength], ['roberta', 66, 64]);
    const distil = parseModelConfig(JSON.stringify(read('tiny-distilbert-o17-int8')), 'd/config.json');
    assert.deepEqual([distil.headKind, distil.maxLength], ['distilbert', 64]);
  });

  it('an unsupported architecture lists the supported ones', () => {
    assert.deepEqual(SUPPORTED_ARCHITECTURES, [
      'DistilBertForSequenceClassification',
      'BertForSequenceClassification',
      'RobertaForSequenceClassification',
    ]);
    assert.throws(
      () =>
        parseModelConfig(
          JSON.stringify({ ...read('tiny-bert-o17'), architectures: ['XLNetForSequenceClassification'] }),
          'x/config.json',
        ),
      (e: InspectorError) =>
        e.code === 'MODEL_UNSUPPORTED' &&
        /XLNetForSequenceClassification is not supported; supported: DistilBertForSequenceClassification, BertForSequenceClassification, RobertaForSequenceClassification/.test(
          e.message,
        ),
    );
  });

  it('a BERT config with a DistilBERT graph is refused: the activation names the mismatch', async () => {
    const dir = tempDir('dbi-heads-mixed-');
    const src = path.join(FIXTURES, 'tiny-distilbert-o17-int8');
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(src, f), path.join(dir, f));
    fs.mkdirSync(path.join(dir, 'onnx'));
    fs.copyFileSync(path.join(src, 'onnx', 'model.onnx'), path.join(dir, 'onnx', 'model.onnx'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(read('tiny-bert-o17')));
    await assert.rejects(
      Inspector.open({ modelDir: dir, cacheDir: tempDir('dbi-heads-cache-'), threads: 1 }),
      (e: InspectorError) => {
        assert.match(
          e.message,
          /no bert classification head \(dense -> tanh -> classifier\).*reads Relu .*expected a Tanh/,
        );
        return true;
      },
    );
  });
});

describe('RoBERTa byte-level BPE tokenizer', () => {
  const dir = path.join(FIXTURES, 'tiny-roberta-o17');
  const tok = TextTokenizer.fromFolder(dir);
  const lib = new Tokenizer(
    JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as object,
    JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as object,
  );
  const sst2 = fs
    .readFileSync(path.join(ROOT, '..', 'shared', 'data', 'sst2', 'dev.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.slice(0, l.lastIndexOf('\t')))
    .filter((s) => s.length > 0);
  const tricky = [
    ...readReference(dir).cases.map((c) => c.text),
    "It's <mask>   <mask>x</s> <s>he'll we'd THEY'RE",
    '  leading and trailing  \t\n',
    'Crème brûlée a\u0301 naïve — 日本語の 中文 👍🏽 👨‍👩‍👧 🇫🇷 مرحبا עברית',
    'numbers 3.14 1,000,000 ٣٤ ½ and ＡＢＣ full width',
    'zero\u200bwidth bom\ufeffhere nbsp\u00a0there em\u2003space',
    'x',
    '',
  ];

  it('ids equal @huggingface/tokenizers on SST-2 dev and tricky strings', () => {
    const texts = [...tricky, ...sst2, ...sst2.slice(0, 200).map((s) => s.toUpperCase())];
    let bad = 0;
    for (const t of texts) {
      const ours = tok.encode(t, 100_000).ids;
      const theirs = lib.encode(t).ids;
      if (JSON.stringify(ours) !== JSON.stringify(theirs) && ++bad <= 3)
        assert.deepEqual(ours, theirs, JSON.stringify(t));
    }
    assert.equal(bad, 0);
    assert.equal(tok.clsId, 0);
    assert.equal(tok.sepId, 2);
    assert.equal(tok.padId, 1);
  });

  it('add_prefix_space: the virtual leading space maps to no character; ids still equal the library', () => {
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as {
      pre_tokenizer: Record<string, unknown>;
    };
    json.pre_tokenizer['add_prefix_space'] = true;
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as object;
    const ours = new TextTokenizer(json, config);
    const theirs = new Tokenizer(json, config);
    for (const t of [...tricky, ...sst2.slice(0, 300)]) {
      assert.deepEqual(ours.encode(t, 100_000).ids, theirs.encode(t).ids, JSON.stringify(t));
      for (const p of ours.tokenize(t)) assert.ok(p.start >= 0 && p.start <= p.end && p.end <= t.length);
    }
    const first = ours.tokenize('movie night')[0]!;
    assert.equal(first.text.startsWith('Ġ'), true, 'the word gets the space the pre-tokenizer added');
    assert.deepEqual([first.start, 'movie night'.slice(first.start, first.end)], [0, 'movie'.slice(0, first.end)]);
  });

  it('offsets: UTF-16 ranges of the bytes each piece holds; Ġ pieces cover the word without its space', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const byteOf = new Map<string, number>();
    {
      // GPT-2's table, rebuilt here independently: printable bytes map to themselves, the rest to 256 + n.
      const keep = (b: number): boolean =>
        (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
      let n = 0;
      for (let b = 0; b < 256; b++) byteOf.set(String.fromCharCode(keep(b) ? b : 256 + n++), b);
    }
    for (const t of [...tricky, ...sst2.slice(0, 300)]) {
      let last = 0;
      for (const p of tok.tokenize(t)) {
        assert.ok(
          p.start >= last - 4 && p.start <= p.end && p.end <= t.length,
          `monotonic ranges in ${JSON.stringify(t)}`,
        );
        last = p.start;
        if (p.text === '<mask>' || p.text === '<s>' || p.text === '</s>') {
          assert.equal(t.slice(p.start, p.end), p.text);
          continue;
        }
        let s: string;
        try {
          // Byte-level BPE maps each byte to one code point, so splitting by code point is the point here.
          // eslint-disable-next-line typescript/no-misused-spread
          s = decoder.decode(Uint8Array.from([...p.text].map((ch) => byteOf.get(ch)!)));
        } catch {
          continue; // part of a character: the range is the whole character, checked by the next assertion's neighbours
        }
        const covered = t.slice(p.start, p.end);
        if (s.trim().length > 0) assert.equal(covered, s.trim(), `${JSON.stringify(p.text)} in ${JSON.stringify(t)}`);
        else assert.equal(covered, s, 'a piece of spaces covers its spaces');
      }
    }
    const text = 'a good <mask> movie';
    const spans = tok.tokenize(text).map((p) => [p.text, text.slice(p.start, p.end)]);
    assert.deepEqual(
      spans.find(([piece]) => piece === 'Ġmovie'),
      ['Ġmovie', 'movie'],
    );
    const thumbs = 'ok 👍 go';
    const bytesOfThumb = tok.tokenize(thumbs).filter((p) => thumbs.slice(p.start, p.end) === '👍');
    assert.ok(bytesOfThumb.length >= 1, 'the emoji pieces cover its two UTF-16 units');
  });
});
