// Window results cross the worker boundary packed: vectors as transferred Float64Arrays, tokens as a few
// typed arrays and one string. Structured clone turns a number[] into one heap number per element and a
// token into a generic object; a whole-file result on a full-size model is ~350k numbers and ~20k tokens, and
// collecting those stalled the caller's event loop for 30-70 ms. Float64 keeps every value exact (the
// contributions are double products).
import { labelRecord, type TokenSpan, type WindowResult } from '../types';

type Vec = number[] | Float64Array;

/** A window's tokens as columns: texts concatenated, each ending at textEnds[i]. */
export interface PackedTokens {
  ids: Int32Array<ArrayBuffer>;
  starts: Int32Array<ArrayBuffer>;
  ends: Int32Array<ArrayBuffer>;
  special: Uint8Array<ArrayBuffer>;
  texts: string;
  textEnds: Int32Array<ArrayBuffer>;
}

/**
 * A WindowResult as it travels: tokens packed (vectors are Float64Arrays behind their number[] type); the
 * lens, the head experiments and the token lens as one JSON string (a few hundred small objects per window
 * otherwise, and a string is one allocation to clone; JSON keeps doubles exact).
 */
export type WireWindow = Omit<WindowResult, 'tokens' | LensKey> & {
  tokens: PackedTokens;
  lensJson?: string;
  lensKeys?: LensKey[];
};

type LensKey = 'lens' | 'experiments' | 'tokenLens';
const LENS_KEYS: LensKey[] = ['lens', 'experiments', 'tokenLens'];

function pack(v: number[], transfer: ArrayBuffer[]): number[] {
  const f = Float64Array.from(v);
  transfer.push(f.buffer);
  return f as unknown as number[];
}

function unpack(v: Vec): number[] {
  if (!(v instanceof Float64Array)) return v;
  // A counted loop, not Array.from: Array.from walks the iterator, boxing every element (measured on 20k
  // vectors of 768: 352 scavenges and 530 ms with Array.from, 16 and 30-60 ms with this loop).
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]!;
  return out;
}

function packTokens(tokens: TokenSpan[], transfer: ArrayBuffer[]): PackedTokens {
  const n = tokens.length;
  const p: PackedTokens = {
    ids: new Int32Array(n),
    starts: new Int32Array(n),
    ends: new Int32Array(n),
    special: new Uint8Array(n),
    texts: tokens.map((t) => t.text).join(''),
    textEnds: new Int32Array(n),
  };
  let at = 0;
  tokens.forEach((t, i) => {
    p.ids[i] = t.id;
    p.starts[i] = t.start;
    p.ends[i] = t.end;
    p.special[i] = t.special ? 1 : 0;
    at += t.text.length;
    p.textEnds[i] = at;
  });
  transfer.push(p.ids.buffer, p.starts.buffer, p.ends.buffer, p.special.buffer, p.textEnds.buffer);
  return p;
}

function unpackTokens(p: PackedTokens): TokenSpan[] {
  const out = new Array<TokenSpan>(p.ids.length);
  let from = 0;
  for (let i = 0; i < out.length; i++) {
    const to = p.textEnds[i]!;
    out[i] = {
      id: p.ids[i]!,
      text: p.texts.slice(from, to),
      start: p.starts[i]!,
      end: p.ends[i]!,
      special: p.special[i] === 1,
    };
    from = to;
  }
  return out;
}

/** Packs the window's vectors and tokens and lists their buffers for postMessage's transfer list. */
export function packWindow(w: WindowResult): { window: WireWindow; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const s = w.stages;
  const stages = {
    ...s,
    cls: pack(s.cls, transfer),
    preClassifier: pack(s.preClassifier, transfer),
    activation: pack(s.activation, transfer),
    layers: s.layers.map((l) => pack(l, transfer)),
    ...(s.classifierInput ? { classifierInput: pack(s.classifierInput, transfer) } : {}),
    ...(s.embeddings ? { embeddings: pack(s.embeddings, transfer) } : {}),
  };
  const contributions: WindowResult['contributions'] = labelRecord();
  for (const [label, c] of Object.entries(w.contributions))
    contributions[label] = { bias: c.bias, units: pack(c.units, transfer) };
  const { lens, experiments, tokenLens, ...rest } = w;
  const lensPart = { lens, experiments, tokenLens };
  const lensKeys = LENS_KEYS.filter((k) => lensPart[k] !== undefined);
  const lensWire = lensKeys.length > 0 ? { lensJson: JSON.stringify(lensPart), lensKeys } : {};
  return { window: { ...rest, stages, contributions, tokens: packTokens(w.tokens, transfer), ...lensWire }, transfer };
}

/**
 * The inverse of packWindow, on the caller's side: plain arrays and objects again (the JSON contract). The
 * tokens, stages and contributions expand on first read: a whole-file run then leaves the caller a few objects
 * per window instead of ~1,000 (its GC pauses were what blocked the event loop), and callers that only read
 * labels and ranges (Problems-panel diagnostics, the status bar) never pay for the rest. JSON.stringify,
 * structuredClone and spreading all read through the getters.
 */
export function unpackWindow(w: WireWindow): WindowResult {
  const { tokens, stages, contributions, lensJson, lensKeys, ...rest } = w;
  const out = rest as WindowResult;
  if (lensJson !== undefined) {
    let parsed: Pick<WindowResult, LensKey> | undefined;
    const part = () => (parsed ??= JSON.parse(lensJson) as Pick<WindowResult, LensKey>);
    for (const key of lensKeys ?? []) lazy(out, key, () => part()[key]);
  }
  lazy(out, 'tokens', () => unpackTokens(tokens));
  lazy(out, 'stages', () => unpackStages(stages));
  lazy(out, 'contributions', () => {
    const c: WindowResult['contributions'] = labelRecord();
    for (const [label, x] of Object.entries(contributions)) c[label] = { bias: x.bias, units: unpack(x.units) };
    return c;
  });
  return out;
}

function unpackStages(s: WindowResult['stages']): WindowResult['stages'] {
  return {
    ...s,
    cls: unpack(s.cls),
    preClassifier: unpack(s.preClassifier),
    activation: unpack(s.activation),
    layers: s.layers.map(unpack),
    ...(s.classifierInput ? { classifierInput: unpack(s.classifierInput) } : {}),
    ...(s.embeddings ? { embeddings: unpack(s.embeddings) } : {}),
  };
}

/** An enumerable property computed on first read and then stored as a plain data property. */
function lazy<T, K extends keyof T>(obj: T, key: K, make: () => T[K]): void {
  const settle = (value: T[K]) =>
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = make();
      settle(value);
      return value;
    },
    set: settle,
  });
}
