// Multinomial logistic regression with an L2 penalty, fitted by L-BFGS: the linear probes of the head study.
// Deterministic (zero start, fixed iteration order, no randomness), so a study reproduces bit for bit.
// Objective: mean cross-entropy + (lambda/2) * |W|^2 (bias not penalised), on standardised features.

/** A fitted probe: weights [classes][dim] over standardised features, plus the standardisation. */
export interface Probe {
  classes: number;
  dim: number;
  weights: Float64Array;
  bias: Float64Array;
  mean: Float64Array;
  scale: Float64Array;
  iterations: number;
  loss: number;
}

/** Fitting options. */
export interface FitOptions {
  lambda?: number;
  maxIterations?: number;
  /** Stop when the gradient's largest entry falls below this (default 1e-4: accuracies stop moving long before). */
  tolerance?: number;
  /**
   * Room for the standardised training rows (rows x dim), reused across fits: a fresh 100 MB array per probe
   * on a large dataset piled up faster than the worker's GC released them.
   */
  scratch?: Float64Array;
}

/**
 * Fits on rows `rows` of X (n x dim, row-major) with labels y in 0..classes-1. Features are standardised with
 * the training rows' mean and standard deviation (a constant feature gets scale 1).
 */
export function fitProbe(
  X: ArrayLike<number>,
  dim: number,
  y: ArrayLike<number>,
  rows: ArrayLike<number>,
  classes: number,
  opts: FitOptions = {},
): Probe {
  const lambda = opts.lambda ?? 1e-2;
  const n = rows.length;
  const mean = new Float64Array(dim);
  const scale = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) mean[j]! += X[rows[r]! * dim + j]! / n;
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) scale[j]! += (X[rows[r]! * dim + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < dim; j++) scale[j] = scale[j]! > 1e-12 ? Math.sqrt(scale[j]!) : 1;
  const Z = opts.scratch && opts.scratch.length >= n * dim ? opts.scratch : new Float64Array(n * dim);
  for (let r = 0; r < n; r++)
    for (let j = 0; j < dim; j++) Z[r * dim + j] = (X[rows[r]! * dim + j]! - mean[j]!) / scale[j]!;
  const Y = Int32Array.from({ length: n }, (_, r) => y[rows[r]!]!);
  const P = classes * dim + classes;
  const logits = new Float64Array(classes);

  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let r = 0; r < n; r++) {
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        let s = theta[classes * dim + c]!;
        const w = c * dim,
          z = r * dim;
        for (let j = 0; j < dim; j++) s += theta[w + j]! * Z[z + j]!;
        logits[c] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(logits[c]! - max);
      const logSum = max + Math.log(sum);
      loss += logSum - logits[Y[r]!]!;
      for (let c = 0; c < classes; c++) {
        const d = (Math.exp(logits[c]! - logSum) - (c === Y[r] ? 1 : 0)) / n;
        const w = c * dim,
          z = r * dim;
        for (let j = 0; j < dim; j++) grad[w + j]! += d * Z[z + j]!;
        grad[classes * dim + c]! += d;
      }
    }
    loss /= n;
    for (let k = 0; k < classes * dim; k++) {
      loss += 0.5 * lambda * theta[k]! ** 2;
      grad[k]! += lambda * theta[k]!;
    }
    return loss;
  };
  const { x, iterations, value } = lbfgs(
    objective,
    new Float64Array(P),
    opts.maxIterations ?? 200,
    opts.tolerance ?? 1e-4,
  );
  return {
    classes,
    dim,
    weights: x.slice(0, classes * dim),
    bias: x.slice(classes * dim),
    mean,
    scale,
    iterations,
    loss: value,
  };
}

/** The probe's predicted class for row i of X. */
export function predictProbe(p: Probe, X: ArrayLike<number>, i: number): number {
  let best = 0,
    bestScore = -Infinity;
  for (let c = 0; c < p.classes; c++) {
    let s = p.bias[c]!;
    for (let j = 0; j < p.dim; j++) s += p.weights[c * p.dim + j]! * ((X[i * p.dim + j]! - p.mean[j]!) / p.scale[j]!);
    if (s > bestScore) {
      bestScore = s;
      best = c;
    }
  }
  return best;
}

/** Limited-memory BFGS (m = 10) with a backtracking Armijo line search. */
export function lbfgs(
  f: (x: Float64Array, g: Float64Array) => number,
  x0: Float64Array,
  maxIterations: number,
  tolerance: number,
): { x: Float64Array; value: number; iterations: number } {
  const m = 10;
  const P = x0.length;
  let x = x0.slice();
  let g = new Float64Array(P);
  let value = f(x, g);
  const S: Float64Array[] = [],
    Yv: Float64Array[] = [],
    rho: number[] = [];
  const dir = new Float64Array(P);
  const alpha = new Array<number>(m).fill(0);
  let it = 0;
  for (; it < maxIterations; it++) {
    if (maxAbs(g) < tolerance) break;
    // Two-loop recursion: dir = -H g.
    for (let k = 0; k < P; k++) dir[k] = -g[k]!;
    for (let h = S.length - 1; h >= 0; h--) {
      alpha[h] = rho[h]! * dot(S[h]!, dir);
      axpy(-alpha[h]!, Yv[h]!, dir);
    }
    if (S.length) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Yv[last]!) / dot(Yv[last]!, Yv[last]!);
      for (let k = 0; k < P; k++) dir[k]! *= gamma;
    }
    for (let h = 0; h < S.length; h++) {
      const beta = rho[h]! * dot(Yv[h]!, dir);
      axpy(alpha[h]! - beta, S[h]!, dir);
    }
    let slope = dot(g, dir);
    if (slope >= 0) {
      // Not a descent direction (curvature information went stale): restart from steepest descent.
      S.length = Yv.length = rho.length = 0;
      for (let k = 0; k < P; k++) dir[k] = -g[k]!;
      slope = dot(g, dir);
    }
    let step = S.length ? 1 : Math.min(1, 1 / Math.sqrt(-slope));
    const xNew = new Float64Array(P);
    const gNew = new Float64Array(P);
    let vNew = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let k = 0; k < P; k++) xNew[k] = x[k]! + step * dir[k]!;
      vNew = f(xNew, gNew);
      if (vNew <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(vNew < value)) break; // no progress possible at this precision
    const s = new Float64Array(P),
      yv = new Float64Array(P);
    for (let k = 0; k < P; k++) {
      s[k] = xNew[k]! - x[k]!;
      yv[k] = gNew[k]! - g[k]!;
    }
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Yv.shift();
        rho.shift();
      }
      S.push(s);
      Yv.push(yv);
      rho.push(1 / sy);
    }
    x = xNew;
    g = gNew;
    value = vNew;
  }
  return { x, value, iterations: it };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let k = 0; k < x.length; k++) y[k]! += a * x[k]!;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]!));
  return m;
}
