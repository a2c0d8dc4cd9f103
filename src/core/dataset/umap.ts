// UMAP (McInnes et al. 2018) of row vectors into 2-D for the dataset panel, through umap-js (PAIR-code's
// TypeScript port: nearest-neighbour descent, fuzzy simplicial set, SGD layout; no native code). Every random
// draw goes through one seeded generator, so the same rows and seed give the same picture on every machine.
import { UMAP } from 'umap-js';

/** UMAP's settings; the defaults are umap-learn's (15 neighbours, min_dist 0.1). */
export interface UmapOptions {
  seed?: number;
  nNeighbors?: number;
  minDist?: number;
  /** Called while it works: the neighbour search first (done 0 of 1), then each layout epoch. */
  onProgress?: (phase: 'neighbours' | 'layout', done: number, total: number) => void;
}

/** mulberry32: a small, fast, well-mixed 32-bit generator; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 2-D UMAP coordinates of the n rows of X (row-major, dim wide). */
export function umap2(
  X: ArrayLike<number>,
  n: number,
  dim: number,
  opts: UmapOptions = {},
): { x: number[]; y: number[] } {
  // umap-js needs more rows than neighbours; two or three points have no shape to keep: a line does.
  if (n < 4) return { x: Array.from({ length: n }, (_, i) => i), y: new Array<number>(n).fill(0) };
  const rows: number[][] = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from({ length: dim }, (_, j) => X[i * dim + j]!);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(opts.nNeighbors ?? 15, n - 1),
    minDist: opts.minDist ?? 0.1,
    random: seededRandom(opts.seed ?? 42),
  });
  opts.onProgress?.('neighbours', 0, 1);
  const epochs = umap.initializeFit(rows);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 10 === 0) opts.onProgress?.('layout', e, epochs);
  }
  opts.onProgress?.('layout', epochs, epochs);
  const emb = umap.getEmbedding();
  return { x: emb.map((p) => p[0]!), y: emb.map((p) => p[1]!) };
}
