// Partition SHAP against oracles written from the definitions, with the same value function (pure, so the
// bound is 1e-9): brute-force Shapley values over all 2^n coalitions for a flat hierarchy, and brute-force Owen
// values (for each word, every choice of sibling subsets along its path, with their Shapley weights) for a
// nested one. The core computes Owen values differently (contexts inherited node by node, merged, batched
// under a budget), so agreement is a real check. Faithfulness' pure parts are checked by hand-made cases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FRACTIONS,
  faithfulnessVariants,
  protocolScores,
  ranking,
  topCount,
} from '../../src/core/attribution/faithfulness';
import { withPresence } from '../../src/core/attribution/perturb';
import { breakStrengths, flatHierarchy, owenValues, splitHierarchy, type HNode } from '../../src/core/attribution/shap';
import type { Encoding } from '../../src/core/types';

/** A value function with pairwise and triple interactions and a saturating nonlinearity (seeded). */
function game(n: number, seed: number): (m: ArrayLike<number>) => number {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const a = Array.from({ length: n }, rnd);
  const b = Array.from({ length: n }, () => Array.from({ length: n }, rnd));
  return (m) => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      if (!m[i]) continue;
      v += a[i]!;
      for (let j = i + 1; j < n; j++) if (m[j]) v += 0.5 * b[i]![j]!;
    }
    if (m[0] && m[1] && m[2 % n]) v += 0.7;
    return Math.tanh(v);
  };
}

const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
const weight = (s: number, k: number) => (factorial(s) * factorial(k - s - 1)) / factorial(k);

function bruteShapley(n: number, v: (m: number[]) => number): number[] {
  const phi = new Array<number>(n).fill(0);
  for (let set = 0; set < 1 << n; set++) {
    const m = Array.from({ length: n }, (_, i) => (set >> i) & 1);
    const size = m.reduce((a, b) => a + b, 0);
    for (let i = 0; i < n; i++) {
      if (m[i]) continue;
      const with_ = m.slice();
      with_[i] = 1;
      phi[i]! += weight(size, n) * (v(with_) - v(m));
    }
  }
  return phi;
}

/** Owen value of item i: along the root-to-leaf path, every subset of the other children at each node. */
function bruteOwen(n: number, root: HNode, v: (m: number[]) => number, i: number): number {
  const path: HNode[] = [];
  for (let node = root; node.children.length > 0;) {
    path.push(node);
    node = node.children.find((c) => c.items.includes(i))!;
  }
  const walk = (level: number, coalition: Set<number>, w: number): number => {
    if (level === path.length) {
      const m = Array.from({ length: n }, (_, j) => (coalition.has(j) ? 1 : 0));
      const with_ = m.slice();
      with_[i] = 1;
      return w * (v(with_) - v(m));
    }
    const node = path[level]!;
    const others = node.children.filter((c) => !c.items.includes(i));
    const k = node.children.length;
    let total = 0;
    for (let s = 0; s < 1 << others.length; s++) {
      const next = new Set(coalition);
      let size = 0;
      others.forEach((c, j) => {
        if ((s >> j) & 1) {
          size++;
          c.items.forEach((x) => next.add(x));
        }
      });
      total += walk(level + 1, next, w * weight(size, k));
    }
    return total;
  };
  return walk(0, new Set(), 1);
}

const asValue = (v: (m: ArrayLike<number>) => number) => async (masks: Uint8Array[]) => masks.map(v);
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));

describe('partition SHAP', () => {
  for (const n of [1, 2, 5, 8, 10]) {
    it(`flat hierarchy, ${n} words: exact Shapley values (1e-9)`, async () => {
      const v = game(n, 7 + n);
      const r = await owenValues(n, flatHierarchy(n), asValue(v), 2 ** n);
      assert.ok(r.exact);
      assert.equal(r.evaluations, 2 ** n);
      assert.ok(maxDiff(r.values, bruteShapley(n, v)) < 1e-9, `max |diff| ${maxDiff(r.values, bruteShapley(n, v))}`);
    });
  }

  it('nested hierarchy (sentences -> phrases -> words): exact Owen values (1e-9) when the budget allows', async () => {
    const words = ['a', 'charming', 'film', ',', 'truly', '.', 'but', 'the', 'ending', 'drags', '.'];
    const n = words.length;
    const root = splitHierarchy(breakStrengths(words));
    // The first split is at the sentence end (after item 5), not at the exact middle.
    assert.deepEqual(
      root.children.map((c) => c.items.length),
      [6, 5],
    );
    const v = game(n, 3);
    const r = await owenValues(n, root, asValue(v), 1e6);
    assert.ok(r.exact);
    const oracle = Array.from({ length: n }, (_, i) => bruteOwen(n, root, v, i));
    assert.ok(maxDiff(r.values, oracle) < 1e-9, `max |diff| ${maxDiff(r.values, oracle)}`);
    assert.ok(r.evaluations < 2 ** n, `${r.evaluations} coalitions, fewer than the ${2 ** n} of exact Shapley`);
  });

  it('a small budget is respected and the values still add up to v(all) - v(none)', async () => {
    const n = 40;
    const v = game(n, 11);
    for (const budget of [2, 50, 500]) {
      const r = await owenValues(n, splitHierarchy(new Array(n - 1).fill(1)), asValue(v), budget);
      assert.ok(r.evaluations <= budget, `${r.evaluations} > ${budget}`);
      assert.equal(r.exact, false);
      const sum = r.values.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - (v(new Array(n).fill(1)) - v(new Array(n).fill(0)))) < 1e-9);
    }
  });
});

describe('faithfulness (pure parts)', () => {
  // [CLS] w0 w1a w1b w2 [SEP]: word 1 has two pieces.
  const enc: Encoding = {
    ids: [101, 10, 11, 12, 13, 102],
    attentionMask: [1, 1, 1, 1, 1, 1],
    tokens: [],
    truncated: false,
    coveredEnd: 0,
  };
  const groups = [[1], [2, 3], [4]];

  it('withPresence deletes or masks every piece of an absent word; specials stay', () => {
    assert.deepEqual(withPresence(enc, groups, [1, 0, 1], 'delete').ids, [101, 10, 13, 102]);
    assert.deepEqual(withPresence(enc, groups, [1, 0, 1], 'mask', 103).ids, [101, 10, 103, 103, 13, 102]);
    assert.throws(() => withPresence(enc, groups, [0, 0, 0], 'mask'));
  });

  it('variants remove (then keep only) the top-ranked words at each fraction', () => {
    assert.deepEqual(ranking([0.1, 0.5, 0.5, -1]), [1, 2, 0, 3]);
    assert.deepEqual(
      FRACTIONS.map((f) => topCount(3, f)),
      [1, 1, 1, 1, 2, 2, 2, 2, 3],
    );
    const vs = faithfulnessVariants(enc, groups, [0.2, 0.9, -0.5], 'delete');
    assert.equal(vs.length, 2 * FRACTIONS.length);
    assert.deepEqual(vs[0]!.ids, [101, 10, 13, 102]); // top 1 (word 1) removed
    assert.deepEqual(vs[8]!.ids, [101, 102]); // 90% of 3 words rounds to all of them
    assert.deepEqual(vs[9]!.ids, [101, 11, 12, 102]); // only word 1 kept
  });

  it('AOPC is the mean drop over the fractions', () => {
    const probs = [...FRACTIONS.map(() => 0.5), ...FRACTIONS.map(() => 0.8)];
    const s = protocolScores(0.9, probs);
    assert.ok(Math.abs(s.comprehensivenessAopc - 0.4) < 1e-12);
    assert.ok(Math.abs(s.sufficiencyAopc - 0.1) < 1e-12);
  });
});
