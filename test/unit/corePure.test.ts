// The pure parts of the core: config validation, the head's arithmetic, windows, text checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InspectorError } from '../../src/core/errors';
import { argmax, decomposeLogits, summarizeHead, toProbabilities } from '../../src/core/head/head';
import { parseModelConfig } from '../../src/core/model/modelConfig';
import { checkText, decodeTextFile } from '../../src/core/text/textInput';
import { checkWindowOptions, coveredChars, planWindows } from '../../src/core/text/windows';
import type { TokenSpan } from '../../src/core/types';

const baseConfig = {
  architectures: ['DistilBertForSequenceClassification'],
  model_type: 'distilbert',
  dim: 32,
  n_layers: 2,
  n_heads: 4,
  hidden_dim: 64,
  vocab_size: 100,
  max_position_embeddings: 64,
  id2label: { '0': 'NEGATIVE', '1': 'POSITIVE' },
};

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InspectorError, `expected InspectorError, got ${e}`);
    return e.code;
  }
  return 'no error';
}

describe('config.json validation', () => {
  it('reads labels in id order and defaults problem_type', () => {
    const c = parseModelConfig(JSON.stringify({ ...baseConfig, id2label: { '1': 'POS', '0': 'NEG' } }), 'config.json');
    assert.deepEqual(c.labels, ['NEG', 'POS']);
    assert.equal(c.problemType, 'single_label_classification');
    assert.equal(c.dim, 32);
  });
  it('names the problem in garbled or incomplete files', () => {
    assert.equal(
      code(() => parseModelConfig('{not json', 'x/config.json')),
      'MODEL_CONFIG_INVALID',
    );
    assert.equal(
      code(() => parseModelConfig(JSON.stringify({ ...baseConfig, dim: 'big' }), 'c')),
      'MODEL_CONFIG_INVALID',
    );
    assert.equal(
      code(() => parseModelConfig(JSON.stringify({ ...baseConfig, id2label: { '0': 'A', '2': 'B' } }), 'c')),
      'MODEL_CONFIG_INVALID',
    );
    assert.equal(
      code(() => parseModelConfig(JSON.stringify({ ...baseConfig, problem_type: 'ranking' }), 'c')),
      'MODEL_CONFIG_INVALID',
    );
    const { architectures: _, ...noArch } = baseConfig;
    assert.equal(
      code(() => parseModelConfig(JSON.stringify(noArch), 'c')),
      'MODEL_CONFIG_INVALID',
    );
    try {
      parseModelConfig(JSON.stringify({ ...baseConfig, architectures: ['GPT2LMHeadModel'] }), 'c');
      assert.fail('accepted GPT-2');
    } catch (e) {
      assert.ok(e instanceof InspectorError && e.code === 'MODEL_UNSUPPORTED');
      assert.match(e.hint, /DistilBertForSequenceClassification/);
    }
  });
});

describe('head arithmetic', () => {
  it('softmax is stable and sums to one; sigmoid is per label', () => {
    const p = toProbabilities([1000, 1001], 'single_label_classification');
    assert.ok(Math.abs(p[0]! + p[1]! - 1) < 1e-12);
    assert.ok(Math.abs(p[1]! - 1 / (1 + Math.exp(-1))) < 1e-12);
    const s = toProbabilities([0, 2, -2], 'multi_label_classification');
    assert.ok(Math.abs(s[0]! - 0.5) < 1e-12 && Math.abs(s[1]! + s[2]! - 1) < 1e-12);
    assert.equal(argmax([0.1, 3, 2]), 1);
  });
  it('decomposes logits into bias + per-unit terms and ranks units', () => {
    const relu = [0, 2, 1, 0.5];
    const w = [1, -1, 3, 2, /* label 1 */ -2, 0.5, -1, 4];
    const b = [0.25, -0.5];
    const c = decomposeLogits(relu, w, b, ['A', 'B']);
    const logit = (l: string) => c[l]!.bias + c[l]!.units.reduce((s, x) => s + x, 0);
    // Independent: W @ relu + b by hand.
    assert.equal(logit('A'), 0.25 + (1 * 0 - 1 * 2 + 3 * 1 + 2 * 0.5));
    assert.equal(logit('B'), -0.5 + (-2 * 0 + 0.5 * 2 - 1 * 1 + 4 * 0.5));
    const h = summarizeHead(
      { cls: [3, 4, 0, 0], preClassifier: [-1, 2, 1, 0.5], activation: relu, layers: [[1, 0, 0, 0]] },
      c,
      2,
    );
    assert.equal(h.zeroedUnits, 1);
    assert.equal(h.activeUnits, 3);
    assert.equal(h.norms.cls, 5);
    assert.deepEqual(
      h.topUnits['A']!.toward.map((u) => u.unit),
      [2, 3],
    );
    assert.deepEqual(
      h.topUnits['A']!.against.map((u) => u.unit),
      [1],
    );
  });
});

describe('windows over long text', () => {
  const pieces: TokenSpan[] = Array.from({ length: 25 }, (_, i) => ({
    id: 10 + i,
    text: `w${i}`,
    start: i * 4,
    end: i * 4 + 3,
    special: false,
  }));
  it('covers every piece with the configured overlap', () => {
    const plans = planWindows(pieces, 12, 3, 'windows'); // 10 pieces per window, step 7
    assert.deepEqual(
      plans.map((p) => [p.first, p.last]),
      [
        [0, 10],
        [7, 17],
        [14, 24],
        [21, 25],
      ],
    );
    assert.equal(plans[0]!.start, 0);
    assert.equal(plans[3]!.end, 99);
    assert.equal(coveredChars(plans), 99); // the union of [0,39) [28,67) [56,95) [84,99)
    assert.equal(
      coveredChars([
        { first: 0, last: 1, start: 0, end: 10 },
        { first: 2, last: 3, start: 20, end: 30 },
      ]),
      20,
    );
  });
  it('truncate mode reads one window and says so through coverage', () => {
    const plans = planWindows(pieces, 12, 3, 'truncate');
    assert.equal(plans.length, 1);
    assert.equal(plans[0]!.last, 10);
  });
  it('rejects windows larger than the model or overlaps that leave no progress', () => {
    assert.equal(
      code(() => checkWindowOptions(600, 10, 512)),
      'BAD_OPTION',
    );
    assert.equal(
      code(() => checkWindowOptions(4, 0, 512)),
      'BAD_OPTION',
    );
    assert.equal(
      code(() => checkWindowOptions(12, 10, 512)),
      'BAD_OPTION',
    );
    assert.equal(
      code(() => checkWindowOptions(12, 9, 512)),
      'no error',
    );
  });
});

describe('text input checks', () => {
  it('refuses empty, binary and non-UTF-8 input by name', () => {
    assert.equal(
      code(() => checkText('  \n\t ')),
      'EMPTY_TEXT',
    );
    assert.equal(
      code(() => checkText('a\u0000b')),
      'BINARY_TEXT',
    );
    assert.equal(
      code(() => decodeTextFile(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]), 'a.zip')),
      'BINARY_TEXT',
    );
    assert.equal(
      code(() => decodeTextFile(Uint8Array.from([0x63, 0x61, 0x66, 0xe9]), 'latin1.txt')),
      'BINARY_TEXT',
    );
    assert.equal(decodeTextFile(Uint8Array.from([0xef, 0xbb, 0xbf, 0x68, 0x69]), 'bom.txt'), 'hi');
    assert.equal(
      code(() => checkText('x'.repeat(9 * 1024 * 1024))),
      'TEXT_TOO_LARGE',
    );
    assert.equal(
      code(() => checkText('x'.repeat(1024 * 1024))),
      'no error',
    );
  });
});
