// Writing a changed copy of an ONNX model at the wire level (the quantizer and the [CLS]-only passes copy use it):
// every field not rewritten (other nodes, weights, opsets, unknown fields) is copied byte for byte from the
// source file, so nothing is decoded but what changes, and memory stays flat however large the weights are.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TensorField } from './graphIndex';
import { atomicWrite } from './tapCache';
import {
  ByteSource,
  Field,
  FileSource,
  WireType,
  encodeVarint,
  fieldBytes,
  fieldMessage,
  fieldVarint,
  forEachField,
  readString,
} from './wire';

/** New bytes, or a range of the source file copied as it is. */
type Part = Buffer | { pos: number; len: number };

export interface GraphRewrite {
  /** Replacement NodeProto records (GraphProto field 1) per node index; absent: the node is copied. */
  replaced: Map<number, Buffer[]>;
  /** New nodes, written after the source's last node. */
  newNodes?: Buffer[];
  /** New initializers (GraphProto field 5 records), written after the first kept initializer. */
  newInitializers: Buffer[];
  /** Initializers (and their IR < 4 input declarations) left out. */
  dropped: Set<string>;
  /** When given, only these graph outputs are kept. */
  keepOutputs?: Set<string>;
  /** Drop value_info records (shapes the rewrite may have made stale; ONNX Runtime infers them again). */
  dropValueInfo?: boolean;
  /** A ModelProto.metadata_props entry added at the end. */
  metadata?: { key: string; value: string };
}

/** Writes the rewritten copy of `src` to `dst` (through a temp file beside it, then renamed); returns its size. */
export async function writeRewrite(
  src: string,
  dst: string,
  plan: (source: FileSource) => GraphRewrite,
): Promise<number> {
  const fd = fs.openSync(src, 'r');
  try {
    const source = new FileSource(fd);
    const parts = assemble(source, plan(source));
    await fs.promises.mkdir(path.dirname(dst), { recursive: true });
    let size = 0;
    await atomicWrite(dst, async (tmp) => void (size = writeParts(fd, tmp, parts)));
    return size;
  } finally {
    fs.closeSync(fd);
  }
}

/** The new file: the source's top-level fields in order, the graph records merged into one rewritten record. */
function assemble(src: ByteSource, plan: GraphRewrite): Part[] {
  const parts: Part[] = [];
  const graph: Part[] = [];
  let graphAt = -1;
  let nodeIndex = 0;
  let pending = plan.newInitializers;
  eachRawField(src, 0, src.size, (f, raw) => {
    if (f.no !== 7 || f.wire !== WireType.Bytes) {
      parts.push(raw);
      return;
    }
    if (graphAt < 0) graphAt = parts.push(Buffer.alloc(0)) - 1; // placeholder for the merged graph
    eachRawField(src, f.pos, f.pos + f.len, (gf, graw) => {
      if (gf.wire !== WireType.Bytes) return void graph.push(graw);
      if (gf.no === 1) {
        const r = plan.replaced.get(nodeIndex++);
        graph.push(...(r ?? [graw]));
        return;
      }
      if (gf.no === 5) {
        if (!plan.dropped.has(nameOf(src, gf, TensorField.name))) graph.push(graw);
        graph.push(...pending);
        pending = [];
      } else if (gf.no === 11) {
        if (!plan.dropped.has(nameOf(src, gf, 1))) graph.push(graw); // IR < 4 lists initializers as inputs
      } else if (gf.no === 12) {
        if (!plan.keepOutputs || plan.keepOutputs.has(nameOf(src, gf, 1))) graph.push(graw);
      } else if (gf.no !== 13 || !plan.dropValueInfo) graph.push(graw);
    });
  });
  if (graphAt < 0) throw new Error('no graph found');
  // New nodes go last: ONNX Runtime sorts the node list itself (as it does for our tapped files' appended records).
  graph.push(...(plan.newNodes ?? []));
  graph.push(...pending);
  const len = graph.reduce((n, p) => n + partLength(p), 0);
  parts.splice(graphAt, 1, Buffer.concat([encodeVarint((7 << 3) | WireType.Bytes), encodeVarint(len)]), ...graph);
  if (plan.metadata)
    parts.push(fieldMessage(14, [fieldBytes(1, plan.metadata.key), fieldBytes(2, plan.metadata.value)]));
  return parts;
}

/** A node record (GraphProto field 1 at `nodeField`) with the inputs named in `inputs` replaced, all else copied. */
export function rewireNode(
  src: ByteSource,
  nodeField: { pos: number; len: number },
  inputs: Map<string, string>,
): Buffer {
  const fields: Buffer[] = [];
  eachRawField(src, nodeField.pos, nodeField.pos + nodeField.len, (f, raw) => {
    const to = f.no === 1 && f.wire === WireType.Bytes ? inputs.get(readString(src, f)) : undefined;
    fields.push(to !== undefined ? fieldBytes(1, to) : Buffer.from(src.read(raw.pos, raw.len)));
  });
  return fieldMessage(1, fields);
}

/** forEachField plus each field's whole encoding (key included) as a source range. */
function eachRawField(
  src: ByteSource,
  start: number,
  end: number,
  visit: (f: Field, raw: { pos: number; len: number }) => void,
): void {
  let at = start;
  forEachField(src, start, end, (f) => {
    const fieldEnd = f.pos + f.len;
    visit(f, { pos: at, len: fieldEnd - at });
    at = fieldEnd;
  });
}

/** The string field `no` of the message at `f` (a tensor's or a value_info's name). */
function nameOf(src: ByteSource, f: { pos: number; len: number }, no: number): string {
  let name = '';
  forEachField(src, f.pos, f.pos + f.len, (t) => {
    if (t.no === no && t.wire === WireType.Bytes) name = readString(src, t);
  });
  return name;
}

function partLength(p: Part): number {
  return Buffer.isBuffer(p) ? p.length : p.len;
}

/** Writes the parts to `tmp` (source ranges copied in chunks) and flushes it; returns its size. */
function writeParts(srcFd: number, tmp: string, parts: Part[]): number {
  const out = fs.openSync(tmp, 'w');
  const chunk = Buffer.allocUnsafe(4 << 20);
  let size = 0;
  try {
    for (const p of parts) {
      if (Buffer.isBuffer(p)) {
        writeAll(out, p);
        size += p.length;
        continue;
      }
      for (let done = 0; done < p.len;) {
        const n = fs.readSync(srcFd, chunk, 0, Math.min(chunk.length, p.len - done), p.pos + done);
        if (n === 0) throw new Error('the source model changed while it was being rewritten');
        writeAll(out, chunk.subarray(0, n));
        done += n;
      }
      size += p.len;
    }
    fs.fsyncSync(out);
  } finally {
    fs.closeSync(out);
  }
  return size;
}

function writeAll(fd: number, b: Buffer): void {
  for (let done = 0; done < b.length;) done += fs.writeSync(fd, b, done, b.length - done);
}

/** TensorProto {dims, data_type, name, raw_data} as GraphProto field 5 (initializer). */
export function initializer(name: string, dataType: number, dims: number[], raw: Buffer): Buffer {
  return fieldMessage(5, [
    ...dims.map((d) => fieldVarint(1, d)),
    fieldVarint(2, dataType),
    fieldBytes(8, name),
    fieldBytes(9, raw),
  ]);
}
