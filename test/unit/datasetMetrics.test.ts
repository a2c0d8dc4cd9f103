// Metrics and the head study's probes against independent computations: hand-worked values, and a numpy
// Newton fit of the same objective (Debian's python3-numpy) for the logistic regression.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './helpers';
import { computeMetrics, softmaxRows } from '../../src/core/dataset/metrics';
import { fitProbe, predictProbe } from '../../src/core/dataset/logistic';
import { headStudy, inTrainSplit } from '../../src/core/dataset/headStudy';
import { pca2 } from '../../src/core/dataset/projection';

/** A seeded LCG + Box-Muller: test data without randomness across runs. */
function gaussians(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function hasNumpy(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('dataset metrics', () => {
  it('accuracy, per-class P/R/F1, confusion and ECE match hand-worked values', () => {
    // gold: A A A B B C ; predicted: A A B B C C
    const labels = ['A', 'B', 'C'];
    const gold = [0, 0, 0, 1, 1, 2];
    const pred = [0, 0, 1, 1, 2, 2];
    const conf = [0.95, 0.85, 0.55, 0.65, 0.45, 0.92];
    const probs = pred.flatMap((p, i) => labels.map((_, k) => (k === p ? conf[i]! : (1 - conf[i]!) / 2)));
    const m = computeMetrics(labels, gold, pred, probs);
    assert.equal(m.accuracy, 4 / 6);
    assert.deepEqual(m.confusion, [
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    // A: P 2/2, R 2/3, F1 0.8. B: P 1/2, R 1/2, F1 0.5. C: P 1/2, R 1/1, F1 2/3.
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
    close(m.perClass['A']!.f1, 0.8);
    close(m.perClass['B']!.precision, 0.5);
    close(m.perClass['C']!.recall, 1);
    close(m.perClass['C']!.f1, 2 / 3);
    close(m.macroF1, (0.8 + 0.5 + 2 / 3) / 3);
    // Bins of width 0.1: 0.95 & 0.92 (bin 9; both correct), 0.85 (bin 8; correct), 0.55 (bin 5; wrong),
    // 0.65 (bin 6; correct), 0.45 (bin 4; wrong).
    const ece = (2 * Math.abs(1 - 0.935) + Math.abs(1 - 0.85) + 0.55 + Math.abs(1 - 0.65) + 0.45) / 6;
    close(m.ece, ece);
    assert.equal(m.reliability[9]!.count, 2);
    // A slice: the last three rows only.
    const s = computeMetrics(labels, gold, pred, probs, [3, 4, 5]);
    assert.equal(s.accuracy, 2 / 3);
    assert.deepEqual(s.confusion, [
      [0, 0, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
  });

  it('softmaxRows is stable for large logits', () => {
    const p = softmaxRows([1000, 1001, -5, -5], 2, 2);
    assert.ok(Math.abs(p[1]! - 1 / (1 + Math.exp(-1))) < 1e-12);
    assert.equal(p[2], 0.5);
  });
});

describe('head study probes', () => {
  it('a probe separates linearly separable classes perfectly on held-out rows', () => {
    const g = gaussians(3);
    const n = 400,
      dim = 5,
      L = 3;
    const X = new Float64Array(n * dim),
      y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % L;
      for (let j = 0; j < dim; j++) X[i * dim + j] = 0.3 * g() + (j === y[i] ? 4 : 0);
    }
    const train = [...Array(n).keys()].filter((i) => inTrainSplit(i, 1));
    const test = [...Array(n).keys()].filter((i) => !inTrainSplit(i, 1));
    assert.ok(train.length > 150 && test.length > 150, `split ${train.length}/${test.length}`);
    const p = fitProbe(X, dim, y, train, L);
    assert.equal(test.filter((i) => predictProbe(p, X, i) !== y[i]).length, 0);
  });

  it(
    'matches a numpy Newton fit of the same objective (weights within 1e-4)',
    { skip: !hasNumpy() && 'needs python3-numpy' },
    () => {
      const g = gaussians(11);
      const n = 300,
        dim = 6,
        L = 3,
        lambda = 0.05;
      const X = new Float64Array(n * dim),
        y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = i % L;
        for (let j = 0; j < dim; j++) X[i * dim + j] = g() * (1 + j) + (j % L === y[i] ? 0.8 : 0) + 3;
      }
      const rows = [...Array(n).keys()];
      const p = fitProbe(X, dim, y, rows, L, { lambda, tolerance: 1e-10, maxIterations: 1000 });
      const dir = tempDir('dbi-probe-');
      fs.writeFileSync(path.join(dir, 'data.json'), JSON.stringify({ X: [...X], y: [...y], n, dim, L, lambda }));
      // Newton's method with the exact Hessian in numpy: a different optimiser on the same strictly convex objective.
      const script = `
import json, sys, numpy as np
d = json.load(open(sys.argv[1]))
n, dim, L, lam = d['n'], d['dim'], d['L'], d['lambda']
X = np.array(d['X']).reshape(n, dim); y = np.array(d['y'])
Z = (X - X.mean(0)) / X.std(0)
A = np.hstack([Z, np.ones((n, 1))])
Y = np.eye(L)[y]
R = np.diag(np.r_[np.full(dim, lam), 0.0])
T = np.zeros((L, dim + 1))
def loss(T):
    s = A @ T.T; s = s - s.max(1, keepdims=True)
    lp = s - np.log(np.exp(s).sum(1, keepdims=True))
    return -(Y * lp).sum() / n + 0.5 * lam * (T[:, :dim] ** 2).sum(), np.exp(lp)
for it in range(100):
    f, P = loss(T)
    G = ((P - Y).T @ A) / n + T @ R
    H = np.zeros((L * (dim + 1), L * (dim + 1)))
    for a in range(L):
        for b in range(L):
            w = P[:, a] * ((a == b) - P[:, b])
            H[a*(dim+1):(a+1)*(dim+1), b*(dim+1):(b+1)*(dim+1)] = (A.T * w) @ A / n + (R if a == b else 0)
    # The softmax is invariant to adding one vector to every class's bias: pin that direction with a tiny ridge.
    step = np.linalg.solve(H + 1e-12 * np.eye(len(H)), G.ravel())
    T = T - step.reshape(T.shape)
    if np.abs(G).max() < 1e-13: break
f, _ = loss(T)
print(json.dumps({'x': T[:, :dim].ravel().tolist() + T[:, dim].tolist(), 'fun': f}))
`;
      const out = JSON.parse(
        execFileSync('/usr/bin/python3', ['-c', script, path.join(dir, 'data.json')], { encoding: 'utf8' }),
      ) as { x: number[]; fun: number };
      const ours = [...p.weights, ...p.bias];
      const worst = Math.max(...ours.map((v, k) => Math.abs(v - out.x[k]!)));
      assert.ok(worst < 1e-4, `max |w - numpy| = ${worst}`);
      assert.ok(Math.abs(p.loss - out.fun) < 1e-9, `loss ${p.loss} vs ${out.fun}`);
    },
  );

  it('head study: the head row uses the logits; probes per block; an identical last block is not refitted', () => {
    const g = gaussians(5);
    const n = 200,
      dim = 4,
      nLayers = 2;
    const gold = Int32Array.from({ length: n }, (_, i) => i % 2);
    const cls = new Float32Array(n * dim),
      layers = new Float32Array(n * nLayers * dim),
      logits = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dim; j++) {
        const v = g() + (j === 0 ? (gold[i] ? 3 : -3) : 0);
        cls[i * dim + j] = v;
        layers[(i * nLayers + 1) * dim + j] = v; // last block = [CLS]
        layers[i * nLayers * dim + j] = g(); // block 1: noise only
      }
      logits[i * 2 + 1] = i % 4 === 0 ? -1 : 1; // the "head" says POSITIVE except every 4th row
    }
    const s = headStudy({ count: n, labels: ['N', 'P'], dim, nLayers, logits, cls, layers, gold });
    assert.deepEqual(
      s.rows.map((r) => r.id),
      ['head', 'probe-cls', 'refit-relu-cls', 'probe-block-1', 'probe-block-2'],
    );
    const head = s.rows[0]!;
    const test = [...Array(n).keys()].filter((i) => !inTrainSplit(i, s.seed));
    const expected = test.filter((i) => (i % 4 === 0 ? 0 : 1) === gold[i]).length / test.length;
    assert.equal(head.testAccuracy, expected);
    assert.ok(s.rows[1]!.testAccuracy > 0.95);
    assert.ok(s.rows[3]!.testAccuracy < 0.75, `noise block ${s.rows[3]!.testAccuracy}`);
    assert.deepEqual({ ...s.rows[4]!, id: 'probe-cls', description: '' }, { ...s.rows[1]!, description: '' });
  });
});

describe('projection', () => {
  it(
    'pca2 matches numpy SVD coordinates up to sign (within 1e-6) and the explained variance shares',
    { skip: !hasNumpy() && 'needs python3-numpy' },
    () => {
      const g = gaussians(21);
      const n = 120,
        dim = 7;
      const X = new Float64Array(n * dim);
      for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) X[i * dim + j] = g() * (dim - j) + (j === 2 ? 5 : 0);
      const p = pca2(X, n, dim, 2000);
      const script = `
import json, sys, numpy as np
X = np.array(json.loads(sys.stdin.read())).reshape(${n}, ${dim})
Xc = X - X.mean(0)
U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
P = Xc @ Vt[:2].T
print(json.dumps({'x': P[:, 0].tolist(), 'y': P[:, 1].tolist(), 'explained': (S[:2] ** 2 / (S ** 2).sum()).tolist()}))
`;
      const ref = JSON.parse(
        execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify([...X]), encoding: 'utf8' }),
      ) as { x: number[]; y: number[]; explained: number[] };
      for (const [ours, theirs] of [
        [p.x, ref.x],
        [p.y, ref.y],
      ] as const) {
        const sign = Math.sign(ours[0]!) === Math.sign(theirs[0]!) ? 1 : -1;
        const worst = Math.max(...ours.map((v, i) => Math.abs(sign * v - theirs[i]!)));
        assert.ok(worst < 1e-6, `coordinates differ by ${worst}`);
      }
      assert.ok(
        Math.abs(p.explained[0] - ref.explained[0]!) < 1e-9 && Math.abs(p.explained[1] - ref.explained[1]!) < 1e-9,
        `${p.explained} vs ${ref.explained}`,
      );
    },
  );
});
