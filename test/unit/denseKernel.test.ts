// The lens's WebAssembly dense kernel against a plain double loop written here (weight widened to double,
// multiplied and added in input order, bias last, as lens.ts's JS loop does): the results must be equal bit
// for bit, across widths that are not multiples of the lane count, several 8-vector groups, and a change of
// matrix (the kernel holds the last matrix it copied and must not reuse it for another).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { denseLanes } from '../../src/core/head/denseKernel';
import { linear } from '../../src/core/head/lens';

/** Deterministic values in [-1, 1) so a failure reproduces. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function plain(W: Float32Array, b: Float32Array, xs: Float64Array, n: number, inDim: number): Float64Array {
  const outDim = b.length;
  const out = new Float64Array(n * outDim);
  for (let k = 0; k < n; k++) {
    for (let o = 0; o < outDim; o++) {
      let a = 0;
      for (let i = 0; i < inDim; i++) a += W[o * inDim + i]! * xs[k * inDim + i]!;
      out[k * outDim + o] = b[o]! + a;
    }
  }
  return out;
}

function problem(dim: number, n: number, seed: number) {
  const r = seeded(seed);
  return {
    W: Float32Array.from({ length: dim * dim }, r),
    b: Float32Array.from({ length: dim }, r),
    xs: Float64Array.from({ length: n * dim }, () => r() * 4),
  };
}

describe('dense kernel (WebAssembly SIMD)', () => {
  it('is available in Node, so the lens does not fall back to the slower JS loop', () => {
    const out = denseLanes(new Float32Array([2]), new Float64Array(8).fill(3), 1, 1);
    assert.ok(out, 'WebAssembly SIMD kernel did not load');
    assert.deepEqual(Array.from(out), [6, 6, 6, 6, 6, 6, 6, 6]);
  });

  for (const [dim, n] of [
    [768, 7],
    [64, 1],
    [100, 9],
    [130, 17],
  ] as const) {
    it(`equals a plain double loop bit for bit (dim ${dim}, ${n} vectors)`, () => {
      const { W, b, xs } = problem(dim, n, dim * 31 + n);
      assert.deepEqual(Array.from(linear(W, b, xs, n, dim)), Array.from(plain(W, b, xs, n, dim)));
    });
  }

  it('copies a new matrix instead of reusing the one it holds, and grows its memory for a larger one', () => {
    const small = problem(64, 3, 1);
    const big = problem(1024, 3, 2);
    const other = problem(64, 3, 3);
    for (const p of [small, big, other, small])
      assert.deepEqual(
        Array.from(linear(p.W, p.b, p.xs, 3, p.b.length)),
        Array.from(plain(p.W, p.b, p.xs, 3, p.b.length)),
      );
  });
});
