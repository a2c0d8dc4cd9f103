// A 2-D PCA of row vectors for the dataset panel's scatter plot: the top two principal directions by power
// iteration with deflation (deterministic start), so 10,000 x 768 takes a few passes over the data, no SVD.

/** Coordinates of every row on the first two principal components, and the variance share of each. */
export interface Projection {
  x: number[];
  y: number[];
  explained: [number, number];
}

export function pca2(X: ArrayLike<number>, n: number, dim: number, iterations = 100): Projection {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += X[i * dim + j]! / n;
  let total = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) total += (X[i * dim + j]! - mean[j]!) ** 2;
  const comps: Float64Array[] = [];
  const variances: number[] = [];
  const proj = new Float64Array(n);
  for (let c = 0; c < 2; c++) {
    // A fixed, non-symmetric start vector keeps the result deterministic and avoids a zero projection.
    let v = Float64Array.from({ length: dim }, (_, j) => 1 + ((j * 7919) % 13) / 13);
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      // w = C v, with C the covariance minus the components already found.
      const w = new Float64Array(dim);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (X[i * dim + j]! - mean[j]!) * v[j]!;
        proj[i] = s;
        for (let j = 0; j < dim; j++) w[j]! += s * (X[i * dim + j]! - mean[j]!);
      }
      for (const [k, u] of comps.entries()) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += u[j]! * v[j]!;
        for (let j = 0; j < dim; j++) w[j]! -= variances[k]! * d * u[j]!;
      }
      const norm = Math.hypot(...w);
      if (norm === 0) break;
      lambda = norm;
      const next = w.map((x) => x / norm);
      let change = 0;
      for (let j = 0; j < dim; j++) change = Math.max(change, Math.abs(next[j]! - v[j]!));
      v = next;
      if (change < 1e-10) break;
    }
    comps.push(v);
    variances.push(lambda);
  }
  const coords = comps.map((u) => {
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += (X[i * dim + j]! - mean[j]!) * u[j]!;
      out[i] = s;
    }
    return out;
  });
  return {
    x: coords[0]!,
    y: coords[1]!,
    explained: [total ? variances[0]! / total : 0, total ? variances[1]! / total : 0],
  };
}
