// The worker->caller wire format: a window packed in the worker and unpacked in the caller is the same window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packWindow, unpackWindow } from '../../src/core/engine/packing';
import { labelRecord, type LogitContribution, type WindowResult } from '../../src/core/types';

function windowOf(tokens: WindowResult['tokens']): WindowResult {
  const v = (n: number, k: number) => Array.from({ length: n }, (_, i) => Math.sin(i * k) / 3);
  return {
    start: 0,
    end: 42,
    tokenCount: tokens.length,
    label: 'POSITIVE',
    probabilities: { NEGATIVE: 0.25, POSITIVE: 0.75 },
    logits: [-0.5, 0.6],
    stages: {
      cls: v(8, 1),
      preClassifier: v(8, 2),
      activation: v(8, 3).map((x) => Math.max(0, x)),
      layers: [v(8, 4), v(8, 5)],
    },
    // Label-keyed records have no prototype (a label may be named __proto__), as the core makes them.
    contributions: Object.assign(labelRecord<LogitContribution>(), {
      NEGATIVE: { bias: 0.1, units: v(8, 6) },
      POSITIVE: { bias: -0.1, units: v(8, 7) },
    }),
    head: {} as WindowResult['head'],
    tokens,
    truncated: false,
  };
}

describe('window packing', () => {
  it('round-trips vectors exactly and tokens with any text (emoji, CJK, empty, specials)', () => {
    const w = windowOf([
      { id: 2, text: '[CLS]', start: 0, end: 0, special: true },
      { id: 7, text: '👍', start: 0, end: 2, special: false },
      { id: 9, text: '日本', start: 3, end: 5, special: false },
      { id: 11, text: '##ing', start: 5, end: 8, special: false },
      { id: 0, text: '', start: 8, end: 8, special: false },
      { id: 3, text: '[SEP]', start: 8, end: 8, special: true },
    ]);
    const { window, transfer } = packWindow(w);
    // Every vector and token column travels as a transferred buffer, not as cloned numbers.
    assert.equal(transfer.length, 3 + 2 + 2 + 5);
    assert.ok(window.tokens.ids instanceof Int32Array);
    const back = unpackWindow(structuredClone(window, { transfer }));
    assert.deepEqual(back, w);
    assert.ok(
      Array.isArray(back.stages.cls) && Array.isArray(back.contributions.POSITIVE!.units),
      'plain arrays again (the JSON contract)',
    );
  });

  it('expands tokens, stages and contributions only when read, and serialises like the original', () => {
    const w = windowOf([{ id: 2, text: '[CLS]', start: 0, end: 0, special: true }]);
    const { window, transfer } = packWindow(w);
    const back = unpackWindow(structuredClone(window, { transfer }));
    for (const key of ['tokens', 'stages', 'contributions']) {
      assert.equal(typeof Object.getOwnPropertyDescriptor(back, key)?.get, 'function', `${key} is not expanded yet`);
    }
    assert.deepEqual(
      JSON.parse(JSON.stringify(back)),
      JSON.parse(JSON.stringify(w)),
      'JSON (the CLI contract, the webview) reads through',
    );
    assert.deepEqual(
      Object.getOwnPropertyDescriptor(back, 'tokens')?.value,
      w.tokens,
      'expanded once, then a plain property',
    );
    back.label = 'NEGATIVE';
    back.tokens = [];
    assert.deepEqual({ ...back }.tokens, []);
  });

  it('keeps the int8 head input and an empty window', () => {
    const w = windowOf([]);
    w.stages.classifierInput = [0.5, -0.25];
    const { window, transfer } = packWindow(w);
    assert.deepEqual(unpackWindow(structuredClone(window, { transfer })), w);
  });

  it('carries the embeddings vector as a buffer and the lens, experiments and token lens as one string, expanded on read', () => {
    const w = windowOf([{ id: 2, text: '[CLS]', start: 0, end: 0, special: true }]);
    w.stages.embeddings = [0.25, -0.5, 1 / 3];
    const reading = (x: number) => ({
      logits: [x, -x],
      probabilities: [0.5 + x / 10, 0.5 - x / 10],
      label: x > 0 ? 'NEGATIVE' : 'POSITIVE',
    });
    // A label named like a lens field must not confuse the unpacking.
    w.lens = [0, 1, 2].map((layer) => ({
      layer,
      ...reading(layer / 7 + 0.05),
      activeUnits: layer,
      topUnits: { lens: { toward: [{ unit: 1, value: 0.1 }], against: [] } },
    }));
    w.lensSettledAt = 1;
    w.experiments = { bypassDense: reading(0.3), noActivation: reading(-0.2) };
    w.tokenLens = [reading(0.1)];
    const { window, transfer } = packWindow(w);
    assert.equal(transfer.length, 3 + 2 + 2 + 5 + 1, 'stages.embeddings travels as a buffer');
    assert.equal(typeof window.lensJson, 'string');
    const back = unpackWindow(structuredClone(window, { transfer }));
    for (const key of ['lens', 'experiments', 'tokenLens']) {
      assert.equal(typeof Object.getOwnPropertyDescriptor(back, key)?.get, 'function', `${key} is not parsed yet`);
    }
    assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(w)));
    assert.deepEqual(back.lens, w.lens);
    assert.equal(back.lensSettledAt, 1);

    const without = windowOf([]);
    const plain = unpackWindow(packWindow(without).window);
    assert.ok(!('lens' in plain) && !('tokenLens' in plain), 'no lens fields appear from nowhere');
  });
});
