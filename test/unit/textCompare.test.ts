// "Compare two texts" core: real inspections of a fixture model through the Inspector (worker + ONNX Runtime),
// checked against independent routes: a plain loop recomputing cosine / norms / deltas, torch's own vectors from
// reference.json, and the classifier weights read from the ONNX graph for the multi-window mean.
import assert from 'node:assert/strict';
import { deepEqual as looseDeepEqual } from 'node:assert';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, isolateHome, loopDiff, readReference, tempDir } from './helpers';

isolateHome();
import { Inspector } from '../../src/core/inspector';
import { compareTexts, stageKeyName, weightedMean, type StageDiff } from '../../src/core/compare/textCompare';
import { prepareTappedModel } from '../../src/core/onnx/taps';
import type { Inspection } from '../../src/core/types';

const dir = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
const ref = readReference(dir);

/** Same arithmetic, different order of operations: 1e-9 absolute covers the float64 rounding differences. */
const EXACT = 1e-9;

function checkStage(d: StageDiff, a: number[], b: number[], tol: number, what: string): void {
  const r = loopDiff(a, b);
  assert.ok(Math.abs(d.normA - r.na) <= tol, `${what} normA ${d.normA} vs ${r.na}`);
  assert.ok(Math.abs(d.normB - r.nb) <= tol, `${what} normB ${d.normB} vs ${r.nb}`);
  assert.ok(Math.abs(d.distance - r.dist) <= tol, `${what} distance ${d.distance} vs ${r.dist}`);
  if (r.cos === null) assert.equal(d.cosine, null, what);
  else assert.ok(d.cosine !== null && Math.abs(d.cosine - r.cos) <= tol, `${what} cosine ${d.cosine} vs ${r.cos}`);
}

describe('compareTexts on tiny-distilbert-o17-gemm', () => {
  let inspector: Inspector;
  let a: Inspection;
  let b: Inspection;
  const [caseA, caseB] = [ref.cases[0]!, ref.cases[1]!];
  before(async () => {
    inspector = await Inspector.open({ modelDir: dir, cacheDir: tempDir('dbi-cmp-cache-'), threads: 1 });
    a = await inspector.inspect(caseA.text, { mode: 'truncate' });
    b = await inspector.inspect(caseB.text, { mode: 'truncate' });
  });
  after(() => inspector.dispose());

  it('labels, logits, probabilities and their differences are B − A of the aggregates', () => {
    const c = compareTexts(a, b);
    assert.equal(c.a.label, a.aggregate.label);
    assert.equal(c.b.label, b.aggregate.label);
    assert.equal(c.labelChanged, a.aggregate.label !== b.aggregate.label);
    ref.labels.forEach((l, i) => {
      assert.equal(c.logitDelta[i], b.aggregate.logits[i]! - a.aggregate.logits[i]!);
      assert.equal(c.probabilityDelta[l], b.aggregate.probabilities[l]! - a.aggregate.probabilities[l]!);
    });
    assert.equal(c.a.mean, false);
    assert.equal(c.stages.length, ref.cases[0]!.layers.length + 3);
    assert.deepEqual(
      c.stages.map((s) => stageKeyName(s.stage)),
      ['block 1', 'block 2', 'cls', 'preClassifier', 'relu'],
    );
    // Plain data: survives JSON unchanged (it crosses the webview protocol and goes into reports).
    // Loose: label-keyed records have no prototype in the core and a plain one after JSON; nothing else may differ.
    looseDeepEqual(JSON.parse(JSON.stringify(c)), c);
  });

  it('every stage matches a plain loop over the window vectors (1e-9), top units are the largest |Δ| in order', () => {
    const c = compareTexts(a, b, { topUnits: 5 });
    const wa = a.windows[0]!.stages;
    const wb = b.windows[0]!.stages;
    const vectors: [number[], number[]][] = [
      ...wa.layers.map((l, i): [number[], number[]] => [l, wb.layers[i]!]),
      [wa.cls, wb.cls],
      [wa.preClassifier, wb.preClassifier],
      [wa.activation, wb.activation],
    ];
    c.stages.forEach((d, s) => {
      const [va, vb] = vectors[s]!;
      checkStage(d, va, vb, EXACT, stageKeyName(d.stage));
      assert.equal(d.delta.length, va.length);
      d.delta.forEach((x, i) => assert.equal(x, vb[i]! - va[i]!));
      const order = loopDiff(va, vb).order;
      assert.equal(d.top.length, 5);
      d.top.forEach((t, k) => {
        assert.equal(
          Math.abs(t.delta),
          Math.abs(vb[order[k]!]! - va[order[k]!]!),
          `rank ${k} of ${stageKeyName(d.stage)}`,
        );
        assert.equal(t.a, va[t.unit]);
        assert.equal(t.b, vb[t.unit]);
      });
    });
  });

  it('agrees with the same figures from torch’s own vectors in reference.json (tolerance 1e-3)', () => {
    // torch and ONNX Runtime differ by ≤ 1e-4 per value (reference.json); cosines and norms of 32-wide vectors
    // of magnitude ~1 then differ by well under 1e-3.
    const c = compareTexts(a, b);
    const byName = (d: StageDiff): [number[], number[]] => {
      const s = d.stage;
      if (s.kind === 'layer') return [caseA.layers[s.layer]!, caseB.layers[s.layer]!];
      return [caseA[s.kind], caseB[s.kind]];
    };
    for (const d of c.stages) checkStage(d, ...byName(d), 1e-3, `torch ${stageKeyName(d.stage)}`);
    ref.labels.forEach((_, i) =>
      assert.ok(Math.abs(c.logitDelta[i]! - (caseB.logits[i]! - caseA.logits[i]!)) <= 2e-4, 'logit delta vs torch'),
    );
  });

  it('contribution deltas add up to the logit difference; top units are the largest moves', () => {
    const c = compareTexts(a, b, { topUnits: 4 });
    ref.labels.forEach((l, i) => {
      const d = c.contributions.find((x) => x.label === l)!;
      const ua = a.windows[0]!.contributions[l]!.units;
      const ub = b.windows[0]!.contributions[l]!.units;
      // Float32 sums in the graph vs float64 here: 1e-5, as inspector.test.ts uses for the decomposition.
      assert.ok(Math.abs(d.logitDelta - c.logitDelta[i]!) <= 1e-5, `${l}: ${d.logitDelta} vs ${c.logitDelta[i]}`);
      const shown = d.top.reduce((s, t) => s + t.delta, 0);
      assert.ok(Math.abs(shown + d.rest - d.logitDelta) <= EXACT);
      const moves = ua.map((x, u) => Math.abs(ub[u]! - x)).sort((x, y) => y - x);
      d.top.forEach((t, k) => {
        assert.equal(Math.abs(t.delta), moves[k]);
        // === rather than assert.equal: the mean of a single -0 contribution is +0.
        assert.ok(t.a === ua[t.unit] && t.b === ub[t.unit], `unit ${t.unit}`);
      });
    });
  });

  it('the same text twice: cosine 1, no distance, no units listed', () => {
    const c = compareTexts(a, a);
    for (const s of c.stages) {
      assert.equal(s.distance, 0);
      assert.equal(s.top.length, 0);
      if (s.cosine !== null) assert.ok(Math.abs(s.cosine - 1) <= 1e-12);
    }
    assert.ok(c.logitDelta.every((x) => x === 0));
  });

  it('a multi-window side is the token-weighted mean, and the mean contributions give the aggregate logits (weights from the graph)', async () => {
    const long = ref.cases.map((x) => x.text).join(' ');
    const many = await inspector.inspect(long, { windowTokens: 24, overlap: 4 });
    assert.ok(many.windows.length > 2, `${many.windows.length} windows`);
    const c = compareTexts(a, many);
    assert.equal(c.b.mean, true);
    assert.equal(c.b.windows, many.windows.length);
    // Independent route: the classifier's weights straight from the ONNX graph, times the mean ReLU vector.
    const weights = (await prepareTappedModel(path.join(dir, 'onnx', 'model.onnx'), tempDir('dbi-cmp-taps-'))).weights;
    const dim = many.model.dim;
    const total = many.windows.reduce((s, w) => s + w.tokenCount, 0);
    const meanRelu = new Array<number>(dim).fill(0);
    for (const w of many.windows) w.stages.activation.forEach((x, u) => (meanRelu[u]! += (x * w.tokenCount) / total));
    const reluStage = c.stages.find((s) => s.stage.kind === 'relu')!;
    checkStage(reluStage, a.windows[0]!.stages.activation, meanRelu, 1e-9, 'mean relu');
    ref.labels.forEach((l, i) => {
      let logit = weights.classifierBias[i]!;
      for (let u = 0; u < dim; u++) logit += weights.classifierWeight[i * dim + u]! * meanRelu[u]!;
      // aggregate logit = bias + W·mean(relu): the head after ReLU is linear. Float32 graph sums: 1e-5.
      assert.ok(
        Math.abs(logit - many.aggregate.logits[i]!) <= 1e-5,
        `${l}: bias + W·mean relu ${logit} vs aggregate ${many.aggregate.logits[i]}`,
      );
      const d = c.contributions[i]!;
      const meanA = a.windows[0]!.contributions[l]!;
      const sumB = meanA.bias + meanA.units.reduce((s, x) => s + x, 0) + d.logitDelta;
      assert.ok(Math.abs(sumB - many.aggregate.logits[i]!) <= 1e-5, `${l}: A + Σ Δcontribution = B's aggregate logit`);
    });
  });

  it('refuses inspections of two different models, naming both', async () => {
    const other = await Inspector.open({
      modelDir: path.join(FIXTURES, 'tiny-distilbert-o17-multilabel'),
      cacheDir: tempDir('dbi-cmp-cache2-'),
      threads: 1,
    });
    try {
      const x = await other.inspect(caseA.text);
      assert.throws(
        () => compareTexts(a, x),
        (e: Error) => e.message.includes('different models') && e.message.includes('multilabel'),
      );
    } finally {
      await other.dispose();
    }
  });
});

describe('weightedMean', () => {
  it('weights each vector by its count; one vector is itself', () => {
    assert.deepEqual(
      weightedMean(
        [
          [1, 2],
          [3, 6],
        ],
        [1, 3],
      ),
      [2.5, 5],
    );
    assert.deepEqual(weightedMean([[0.1, -4]], [7]), [0.1, -4]);
  });
});
