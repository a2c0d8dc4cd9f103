// Window results cross the worker boundary with their vectors as transferred Float64Arrays. Structured
// clone turns a number[] into one heap number per element; a whole-file result on a full-size model is
// ~350k of them, and collecting those stalled the caller's event loop for 30-70 ms. Float64 keeps every
// value exact (the contributions are double products).
import type { WindowResult } from '../types';

type Vec = number[] | Float64Array;

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

/** Replaces the window's vectors by Float64Arrays and lists their buffers for postMessage's transfer list. */
export function packWindow(w: WindowResult): { window: WindowResult; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const s = w.stages;
  const stages = {
    ...s,
    cls: pack(s.cls, transfer),
    preClassifier: pack(s.preClassifier, transfer),
    relu: pack(s.relu, transfer),
    layers: s.layers.map((l) => pack(l, transfer)),
    ...(s.classifierInput ? { classifierInput: pack(s.classifierInput, transfer) } : {}),
  };
  const contributions: WindowResult['contributions'] = {};
  for (const [label, c] of Object.entries(w.contributions)) contributions[label] = { bias: c.bias, units: pack(c.units, transfer) };
  return { window: { ...w, stages, contributions }, transfer };
}

/** The inverse of packWindow, on the caller's side: plain arrays again (the JSON contract). */
export function unpackWindow(w: WindowResult): WindowResult {
  const s = w.stages;
  const stages = {
    ...s,
    cls: unpack(s.cls),
    preClassifier: unpack(s.preClassifier),
    relu: unpack(s.relu),
    layers: s.layers.map(unpack),
    ...(s.classifierInput ? { classifierInput: unpack(s.classifierInput) } : {}),
  };
  const contributions: WindowResult['contributions'] = {};
  for (const [label, c] of Object.entries(w.contributions)) contributions[label] = { bias: c.bias, units: unpack(c.units) };
  return { ...w, stages, contributions };
}
