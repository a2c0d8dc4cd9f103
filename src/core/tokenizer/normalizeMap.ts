// Normalization with a map back to the original text. The library normalizes whole strings and keeps no
// offsets; we apply ITS normalizer to one code point at a time (cached), which gives the same string as
// the whole-string call except in two context-dependent cases handled below, and remember for every
// UTF-16 unit of the output the original code point it came from.

/** Normalized text plus, for each of its UTF-16 units, the original offset of the source code point. */
export interface NormalizedText {
  text: string;
  /** origin[k] = offset in the original text of the code point that produced text[k]. */
  origin: Int32Array;
}

// Code points whose whole-string normalization can differ from the per-code-point result:
// - U+03A3 GREEK CAPITAL SIGMA: toLowerCase() makes it final 'ς' or 'σ' depending on its neighbours.
// - Spacing marks (Mc) with a non-zero canonical combining class: NFD reorders adjacent ones, and unlike
//   nonspacing marks (Mn) they survive strip_accents. Found by scanning all code points with Node 20's ICU
//   (NFD('a\u0301' + c + '\u0316') !== input, c not Mn); test/unit/tokenizerNormalize.test.ts re-checks it.
// Both cases have the same length either way, so we keep our origin map and take the library's string
// for the space-delimited chunk around them.
export const CONTEXT_SENSITIVE = new Set<number>([
  0x03a3, 0x1715, 0x1734, 0x1b44, 0x1baa, 0x1bf2, 0x1bf3, 0x302e, 0x302f, 0xa953, 0xa9c0, 0x111c0, 0x11235, 0x1134d,
  0x113cf, 0x116b6, 0x1193d, 0x11f41, 0x16ff0, 0x16ff1, 0x1d165, 0x1d166, 0x1d16d, 0x1d16e, 0x1d16f, 0x1d170, 0x1d171,
  0x1d172,
]);

const DECODER = new TextDecoder('utf-16le');
// What String.prototype.trim and /\s+/ treat as whitespace (remove_space); astral code points never are.
const JS_SPACE = /^\s$/;

/** Normalizes like a library normalizer, per code point, with an origin map. */
export class OffsetNormalizer {
  /** ASCII fast path: the normalized form of each ASCII character. */
  private readonly ascii: string[] = [];
  private readonly cache = new Map<number, string>();
  // Reused output buffers (grown on demand): typed arrays keep 1 MB inputs cheap for the GC.
  private units = new Uint16Array(1024);
  private origins = new Int32Array(1024);

  private readonly asciiSpace: boolean[] = [];

  /**
   * `normalize` is the library's normalizer (e.g. BertNormalizer.normalize), or null for none.
   * `removeSpace` mirrors tokenizer_config.json's remove_space, which the library applies first:
   * trim, then every run of JavaScript whitespace (\s, which includes U+FEFF) becomes one ' '.
   */
  constructor(
    private readonly normalize: ((text: string) => string) | null,
    private readonly removeSpace = false,
  ) {
    for (let c = 0; c < 128; c++) {
      this.ascii.push(this.apply(String.fromCharCode(c)));
      this.asciiSpace.push(JS_SPACE.test(String.fromCharCode(c)));
    }
    this.space = this.apply(' ');
  }

  private readonly space: string;

  private apply(s: string): string {
    return this.normalize === null ? s : this.normalize(s);
  }

  private ensure(size: number): void {
    if (size <= this.units.length) return;
    const cap = Math.max(size, this.units.length * 2);
    const units = new Uint16Array(cap);
    units.set(this.units);
    const origins = new Int32Array(cap);
    origins.set(this.origins);
    this.units = units;
    this.origins = origins;
  }

  /** Appends `piece` (from original offset `origin`) at output position n; returns the new length. */
  private emit(piece: string, origin: number, n: number, remaining: number): number {
    // Worst case per code point is small (CJK: " c ", NFD: a few units), but grow rather than assume.
    if (n + piece.length + remaining > this.units.length) this.ensure(n + piece.length + remaining + 16);
    for (let k = 0; k < piece.length; k++) {
      this.units[n] = piece.charCodeAt(k);
      this.origins[n++] = origin;
    }
    return n;
  }

  /**
   * Replaces output units [outStart, outEnd) (from text[a, b)) with the library's normalization of the
   * whole chunk (rare: Greek capitals, a few scripts' viramas). False if the lengths differ.
   */
  private redoChunk(text: string, a: number, b: number, outStart: number, outEnd: number): boolean {
    if (this.normalize === null) return true;
    const fixed = this.normalize(text.slice(a, b));
    if (fixed.length !== outEnd - outStart) return false;
    for (let k = 0; k < fixed.length; k++) this.units[outStart + k] = fixed.charCodeAt(k);
    return true;
  }

  /** Normalize text[start, end) (a section between added tokens). */
  run(text: string, start: number, end: number): NormalizedText {
    this.ensure(end - start + 16);
    let n = 0;
    let contextSensitive = false;
    let seenNonSpace = false;
    let pendingSpace = -1; // remove_space: origin of a whitespace run not yet emitted
    // Chunks between ASCII whitespace: no normalization step looks across a space (final sigma stops at
    // it, NFD never reorders across it), so a context-sensitive chunk can be redone alone.
    let chunkStart = start,
      chunkOut = 0,
      chunkDirty = false;
    for (let i = start; i < end;) {
      const c = text.charCodeAt(i);
      let piece: string;
      let len = 1;
      if (chunkDirty && (c === 32 || c === 9 || c === 10 || c === 13)) {
        if (!this.redoChunk(text, chunkStart, i, chunkOut, n)) contextSensitive = true;
        chunkDirty = false;
      }
      if (this.removeSpace && (c < 128 ? this.asciiSpace[c] : c <= 0xffff && JS_SPACE.test(text[i] as string))) {
        // Leading runs vanish (trim), later runs become one ' ' once a non-space follows (trailing runs vanish).
        if (seenNonSpace && pendingSpace < 0) pendingSpace = i;
        i += 1;
        continue;
      }
      if (pendingSpace >= 0) {
        n = this.emit(this.space, pendingSpace, n, end - i);
        pendingSpace = -1;
      }
      seenNonSpace = true;
      if (c < 128) {
        piece = this.ascii[c] as string;
      } else {
        let cp = c;
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
          const d = text.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
            len = 2;
          }
        }
        let cached = this.cache.get(cp);
        if (cached === undefined) {
          cached = this.apply(String.fromCodePoint(cp));
          this.cache.set(cp, cached);
        }
        piece = cached;
        if (CONTEXT_SENSITIVE.has(cp)) {
          if (this.removeSpace) contextSensitive = true;
          else chunkDirty = true;
        }
      }
      if (piece.length > 0) n = this.emit(piece, i, n, end - i);
      i += len;
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        chunkStart = i;
        chunkOut = n;
      }
    }
    if (chunkDirty && !this.redoChunk(text, chunkStart, end, chunkOut, n)) contextSensitive = true;
    let out = DECODER.decode(this.units.subarray(0, n));
    const origin = this.origins.slice(0, n);
    if (contextSensitive && this.normalize !== null) {
      // Only if a redone chunk changed length (not expected) or with remove_space: the library's
      // whole-section result is authoritative.
      const raw = text.slice(start, end);
      const whole = this.normalize(this.removeSpace ? raw.trim().split(/\s+/).join(' ') : raw);
      if (whole.length !== out.length) {
        // Not expected (see CONTEXT_SENSITIVE); keep ids exact and clamp offsets into the section.
        const clamped = new Int32Array(whole.length);
        for (let k = 0; k < whole.length; k++) clamped[k] = origin[Math.min(k, n - 1)] ?? start;
        return { text: whole, origin: clamped };
      }
      out = whole;
    }
    return { text: out, origin };
  }
}
