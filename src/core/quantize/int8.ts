// Symmetric int8 weight quantization, computed exactly as ONNX Runtime's Python quantizer does for
// QuantType.QInt8 weights (quant_utils.py: compute_scale_zp with symmetric=True, quantize_nparray):
//   absmax = max(|min(w, 0)|, |max(w, 0)|)            (float32, per tensor or per output column)
//   scale  = float32(2 * absmax / (qmax - qmin))      (qmin..qmax = -127..127, or -64..64 with reduce_range)
//   q      = clip(roundHalfEven(float32(w / scale)), qmin, qmax), zero point 0
// so a graph quantized here dequantizes to the same weights as one quantized by ORT's tools.

/** Options of the weight quantization. */
export interface Int8Options {
  /** One scale per output column (ORT's per_channel, axis 1 of a [in, out] MatMul weight) instead of one per tensor. */
  perChannel: boolean;
  /** 7-bit weights (-64..64): u8 x s8 products cannot saturate the int16 pair sums of x86 CPUs without VNNI. */
  reduceRange: boolean;
}

/** A quantized [in, out] weight: q row-major like the float weight, scale per column (or one). */
export interface Int8Weight {
  q: Int8Array;
  scale: Float32Array;
}

/** The quantized range ORT uses for symmetric int8 weights. */
export function int8Range(reduceRange: boolean): { qmin: number; qmax: number } {
  return reduceRange ? { qmin: -64, qmax: 64 } : { qmin: -127, qmax: 127 };
}

/** numpy's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The float32 scale for a range that includes 0, symmetrised; 1 for an all-zero range (as ORT). */
export function symmetricScale(min: number, max: number, reduceRange: boolean): number {
  const { qmin, qmax } = int8Range(reduceRange);
  const absmax = Math.max(Math.abs(Math.min(min, 0)), Math.abs(Math.max(max, 0)));
  // numpy computes (rmax - rmin) in float32 (exact: 2 * absmax) and divides in float64 before the cast.
  const scale = Math.fround((2 * absmax) / (qmax - qmin));
  return scale < 1.1754943508222875e-38 ? 1 : scale;
}

/** Quantizes a row-major [inDim, outDim] float weight (the B of x W). */
export function quantizeWeight(w: Float32Array, inDim: number, outDim: number, opts: Int8Options): Int8Weight {
  if (w.length !== inDim * outDim) throw new Error(`weight has ${w.length} values, expected ${inDim} x ${outDim}`);
  const { qmin, qmax } = int8Range(opts.reduceRange);
  const channels = opts.perChannel ? outDim : 1;
  const min = new Float64Array(channels).fill(Infinity);
  const max = new Float64Array(channels).fill(-Infinity);
  for (let i = 0; i < inDim; i++) {
    const row = i * outDim;
    for (let o = 0; o < outDim; o++) {
      const c = opts.perChannel ? o : 0;
      const v = w[row + o]!;
      if (v < min[c]!) min[c] = v;
      if (v > max[c]!) max[c] = v;
    }
  }
  const scale = new Float32Array(channels);
  for (let c = 0; c < channels; c++) scale[c] = symmetricScale(min[c]!, max[c]!, opts.reduceRange);
  const q = new Int8Array(w.length);
  for (let i = 0; i < inDim; i++) {
    const row = i * outDim;
    for (let o = 0; o < outDim; o++) {
      // float32 division: the float64 quotient rounded once to float32 is the correctly rounded result.
      const r = roundHalfEven(Math.fround(w[row + o]! / scale[opts.perChannel ? o : 0]!));
      q[row + o] = r < qmin ? qmin : r > qmax ? qmax : r;
    }
  }
  return { q, scale };
}
