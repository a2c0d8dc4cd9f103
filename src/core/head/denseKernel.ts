// The head lens's dim x dim product as a small WebAssembly SIMD kernel. V8 runs the plain JS loop on scalar
// doubles (about 2.5 ms for the 7 [CLS] rows of a 768-wide 6-block model); two doubles per f64x2 lane pair
// halve the instructions. The arithmetic is the JS loop's exactly: each fp32 weight is widened to double,
// multiplied and added in the same order per output (no fused multiply-add), so results are bit-identical.
// The module is assembled here from its opcodes (about 150 bytes), so no build step or binary file is needed.

/** Vectors per pass over the weights: the interleaved X rows the kernel reads are 8 doubles wide. */
export const LANES = 8;

const u32 = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
// i32.const takes a signed LEB128: 64 must be 0xc0 0x00, since 0x40 alone reads as -64.
const i32const = (n: number): number[] => [0x41, ...(n < 64 ? [n] : [0x80 | (n & 0x7f), ...u32(n >>> 7)])]; // n < 8192
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const simd = (op: number, ...rest: number[]) => [0xfd, ...u32(op), ...rest];
const section = (id: number, body: number[]) => [id, ...u32(body.length), ...body];
const vec = (items: number[][]) => [...u32(items.length), ...items.flat()];
const name = (s: string) => [...u32(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// k(wp, xp0, outp, inDim, outDim): for each output o, acc[k] = sum_i W[o][i] * X[i][k] for k < 8, stored
// as 8 doubles at outp + 64 o. Locals: 5 xp, 6 wEnd, 7 o (i32); 8..11 the accumulators, 12 the splat weight.
const [WP, XP0, OUTP, IN, OUT, XP, WEND, O] = [0, 1, 2, 3, 4, 5, 6, 7];
const ACC = [8, 9, 10, 11];
const W = 12;
const V128_LOAD = 0;
const V128_STORE = 11;
const V128_CONST = 12;
const F64X2_SPLAT = 20;
const F64X2_ADD = 240;
const F64X2_MUL = 242;

function body(): number[] {
  const code = [
    ...i32const(0),
    ...set(O),
    0x03,
    0x40, // loop over outputs
    ...ACC.flatMap((a) => [...simd(V128_CONST, ...new Array<number>(16).fill(0)), ...set(a)]),
    ...get(XP0),
    ...set(XP),
    ...get(WP),
    ...get(IN),
    ...i32const(4),
    0x6c,
    0x6a,
    ...set(WEND), // wEnd = wp + 4 * inDim
    0x03,
    0x40, // loop over inputs
    ...get(WP),
    0x2a,
    2,
    0,
    0xbb,
    ...simd(F64X2_SPLAT),
    ...set(W), // w = splat(double(W[o][i]))
    ...ACC.flatMap((a, q) => [
      ...get(a),
      ...get(W),
      ...get(XP),
      ...simd(V128_LOAD, 4, ...u32(16 * q)),
      ...simd(F64X2_MUL),
      ...simd(F64X2_ADD),
      ...set(a),
    ]),
    ...get(WP),
    ...i32const(4),
    0x6a,
    ...set(WP),
    ...get(XP),
    ...i32const(64),
    0x6a,
    ...set(XP),
    ...get(WP),
    ...get(WEND),
    0x47,
    0x0d,
    0, // br_if wp != wEnd
    0x0b,
    ...ACC.flatMap((a, q) => [...get(OUTP), ...get(a), ...simd(V128_STORE, 4, ...u32(16 * q))]),
    ...get(OUTP),
    ...i32const(64),
    0x6a,
    ...set(OUTP),
    ...get(O),
    ...i32const(1),
    0x6a,
    0x22,
    O,
    ...get(OUT),
    0x49,
    0x0d,
    0, // br_if ++o < outDim (unsigned)
    0x0b,
    0x0b,
  ];
  const locals = vec([
    [3, 0x7f],
    [5, 0x7b],
  ]); // 3 i32, 5 v128
  return [...u32(locals.length + code.length), ...locals, ...code];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([[0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0, 1]])),
    ...section(
      7,
      vec([
        [...name('mem'), 2, 0],
        [...name('k'), 0, 0],
      ]),
    ),
    ...section(10, vec([body()])),
  ]);
}

interface Kernel {
  mem: WebAssembly.Memory;
  k: (wp: number, xp: number, outp: number, inDim: number, outDim: number) => void;
  /** The weight matrix now copied at offset 0 (the lens reuses one matrix for every window). */
  held?: Float32Array;
}

let kernel: Kernel | null | undefined;

/** The kernel, or null where WebAssembly SIMD is unavailable (the caller then keeps its JS loop). */
function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
    const e = inst.exports as unknown as { mem: WebAssembly.Memory; k: Kernel['k'] };
    kernel = { mem: e.mem, k: e.k };
  } catch {
    kernel = null;
  }
  return kernel;
}

/**
 * acc[o * 8 + k] = sum_i W[o][i] X[i * 8 + k] for `X` interleaved 8 vectors wide (inDim * 8 doubles), or null
 * when WebAssembly SIMD is unavailable. `W` is copied into the module once and reused while the same array
 * is passed again. The returned view is overwritten by the next call.
 */
export function denseLanes(W: Float32Array, X: Float64Array, inDim: number, outDim: number): Float64Array | null {
  const kn = load();
  if (!kn) return null;
  const wBytes = (W.byteLength + 63) & ~63;
  const xp = wBytes;
  const outp = xp + X.byteLength;
  const need = outp + outDim * LANES * 8;
  if (need > kn.mem.buffer.byteLength) kn.mem.grow(Math.ceil((need - kn.mem.buffer.byteLength) / 65536));
  if (kn.held !== W) {
    new Float32Array(kn.mem.buffer, 0, W.length).set(W);
    kn.held = W;
  }
  new Float64Array(kn.mem.buffer, xp, X.length).set(X);
  kn.k(0, xp, outp, inDim, outDim);
  return new Float64Array(kn.mem.buffer, outp, outDim * LANES);
}
