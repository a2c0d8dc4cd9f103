// The shipped default model through the TypeScript path: torch's own values for every stage, the
// tokenizer's ids as the Python recipe produced them, and sentences written here whose labels a broken
// model or tokenizer file would get wrong.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUNDLED, isolateHome, maxAbsDiff, readReference, tempDir } from './helpers';

isolateHome();
import { Inspector, defaultModelDir } from '../../src/core/inspector';

describe('bundled model distilbert-sst2-small', () => {
  const ref = readReference(BUNDLED);
  let inspector: Inspector;
  before(async () => {
    inspector = await Inspector.open({ modelDir: BUNDLED, cacheDir: tempDir('dbi-bundled-cache-'), threads: 1 });
  });
  after(() => inspector.dispose());

  it('is the default model, with labels from its config.json', () => {
    assert.equal(defaultModelDir(), BUNDLED);
    assert.deepEqual(inspector.model.labels, ['NEGATIVE', 'POSITIVE']);
  });

  for (const [i, c] of ref.cases.entries()) {
    it(`reference case ${i}: ids as the Python tokenizer made them, every stage as torch computed it`, async () => {
      const w = (await inspector.inspect(c.text, { mode: 'truncate' })).windows[0]!;
      assert.deepEqual(
        w.tokens.map((t) => t.text),
        c.tokens,
      );
      assert.deepEqual(
        w.tokens.map((t) => t.id),
        c.ids,
      );
      // fp32 ONNX Runtime vs torch on the same weights: reference.json's tolerance (1e-4).
      for (const [name, got, want] of [
        ['cls', w.stages.cls, c.cls],
        ['preClassifier', w.stages.preClassifier, c.preClassifier],
        ['relu', w.stages.activation, c.relu],
        ['logits', w.logits, c.logits],
      ] as const) {
        assert.ok(maxAbsDiff(got, want) <= ref.tolerance, `${name}: ${maxAbsDiff(got, want)}`);
      }
      c.layers.forEach((l, k) => assert.ok(maxAbsDiff(w.stages.layers[k]!, l) <= ref.tolerance, `block ${k + 1}`));
    });
  }

  // Sentences written for this test (not from SST-2). Known weaknesses stay out of the assertions and in the
  // model card: "it is not a bad film at all" and "the film is never boring" come out NEGATIVE.
  const cases: [string, 'POSITIVE' | 'NEGATIVE'][] = [
    ['a wonderful , moving and beautifully acted film .', 'POSITIVE'],
    ['one of the best movies i have seen this year , funny and warm .', 'POSITIVE'],
    ['an absolute delight from start to finish .', 'POSITIVE'],
    ['a dull , boring and painfully bad movie .', 'NEGATIVE'],
    ['the plot is a mess and the acting is terrible .', 'NEGATIVE'],
    ['a waste of time and money .', 'NEGATIVE'],
    ['i did not like this movie at all .', 'NEGATIVE'], // negation of a positive verb
  ];
  for (const [text, label] of cases) {
    it(`"${text}" -> ${label}`, async () => {
      const ins = await inspector.inspect(text);
      assert.equal(ins.aggregate.label, label);
      assert.ok(ins.aggregate.probabilities[label]! > 0.8, `${label} at ${ins.aggregate.probabilities[label]}`);
    });
  }
});
