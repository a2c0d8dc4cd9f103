// Protocol Buffers wire format, just enough to read an ONNX file without decoding its weights and to
// append a record to it. A full protobuf library would decode every initializer (hundreds of MB) and
// drop fields it does not know; reading positionally keeps memory flat and the original bytes intact.
import * as fs from 'fs';

/** Random access to the bytes of a protobuf message, e.g. a file read positionally. */
export interface ByteSource {
  readonly size: number;
  /** Bytes [pos, pos+len); may be a view into a shared window, valid until the next call. */
  read(pos: number, len: number): Buffer;
}

/** Thrown for bytes that are not a well-formed protobuf message (truncated or not ONNX at all). */
export class WireError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(`${message} at byte ${pos}`);
    this.name = 'WireError';
  }
}

export class BufferSource implements ByteSource {
  constructor(private readonly buf: Buffer) {}
  get size(): number {
    return this.buf.length;
  }
  read(pos: number, len: number): Buffer {
    if (pos < 0 || len < 0 || pos + len > this.buf.length) throw new WireError('read past the end', pos);
    return this.buf.subarray(pos, pos + len);
  }
}

/**
 * Reads a file through one reusable window. Headers are tiny and clustered (the node list is contiguous),
 * so a 64 KiB window serves almost every read; a jump over a weight payload costs one small read rather
 * than a window-sized one, and the payloads themselves are never requested.
 */
export class FileSource implements ByteSource {
  private backing: Buffer | undefined;
  private window: Buffer = Buffer.alloc(0);
  private windowPos = 0;
  readonly size: number;
  constructor(
    private readonly fd: number,
    private readonly windowSize = 1 << 16,
  ) {
    this.size = fs.fstatSync(fd).size;
  }
  read(pos: number, len: number): Buffer {
    if (pos < 0 || len < 0 || pos + len > this.size) throw new WireError('read past the end', pos);
    if (pos >= this.windowPos && pos + len <= this.windowPos + this.window.length) {
      return this.window.subarray(pos - this.windowPos, pos - this.windowPos + len);
    }
    if (len > this.windowSize) {
      const out = Buffer.allocUnsafe(len);
      readFully(this.fd, out, pos);
      return out;
    }
    const n = Math.min(this.windowSize, this.size - pos);
    this.backing ??= Buffer.allocUnsafe(this.windowSize);
    this.window = this.backing.subarray(0, n);
    readFully(this.fd, this.window, pos);
    this.windowPos = pos;
    return this.window.subarray(0, len);
  }
}

function readFully(fd: number, into: Buffer, pos: number): void {
  let done = 0;
  while (done < into.length) {
    const n = fs.readSync(fd, into, done, into.length - done, pos + done);
    if (n === 0) throw new WireError('unexpected end of file', pos + done);
    done += n;
  }
}

export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

/** One field occurrence. For Bytes fields, [pos, pos+len) is the payload; for varints, `value`. */
export interface Field {
  no: number;
  wire: WireType;
  /** Varint value as a signed 64-bit integer (int64 fields store negatives in ten bytes). */
  value: bigint;
  pos: number;
  len: number;
}

/** Decodes a varint at pos; returns the value and the position after it. */
export function readVarint(src: ByteSource, pos: number, end: number): { value: bigint; next: number } {
  const bytes = src.read(pos, Math.min(10, end - pos));
  // Fast path: tags, lengths and small values fit in 4 bytes (28 bits), exact in a JS number.
  let small = 0;
  for (let i = 0; i < 4 && i < bytes.length; i++) {
    const b = bytes[i]!;
    small |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) === 0) return { value: BigInt(small), next: pos + i + 1 };
  }
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value: BigInt.asIntN(64, result), next: pos + i + 1 };
    shift += 7n;
  }
  throw new WireError('truncated varint', pos);
}

/**
 * Calls visit for each field of the message occupying [start, end). Payloads are not read, only located,
 * so skipping a 200 MB raw_data costs nothing.
 */
export function forEachField(src: ByteSource, start: number, end: number, visit: (f: Field) => void): void {
  let pos = start;
  while (pos < end) {
    const key = readVarint(src, pos, end);
    const tag = Number(key.value);
    const no = tag >>> 3;
    const wire = tag & 7;
    if (no === 0) throw new WireError('field number 0', pos);
    pos = key.next;
    switch (wire) {
      case WireType.Varint: {
        const v = readVarint(src, pos, end);
        visit({ no, wire, value: v.value, pos, len: v.next - pos });
        pos = v.next;
        break;
      }
      case WireType.Fixed64:
      case WireType.Fixed32: {
        const len = wire === WireType.Fixed64 ? 8 : 4;
        if (pos + len > end) throw new WireError('truncated fixed-width field', pos);
        visit({ no, wire, value: 0n, pos, len });
        pos += len;
        break;
      }
      case WireType.Bytes: {
        const l = readVarint(src, pos, end);
        const len = Number(l.value);
        if (len < 0 || l.next + len > end) throw new WireError(`field ${no} of ${len} bytes overruns its message`, pos);
        visit({ no, wire, value: 0n, pos: l.next, len });
        pos = l.next + len;
        break;
      }
      default:
        throw new WireError(`unsupported wire type ${wire}`, pos);
    }
  }
  if (pos !== end) throw new WireError('message overruns its length', pos);
}

export function readString(src: ByteSource, f: Field): string {
  return src.read(f.pos, f.len).toString('utf8');
}

/** Packed repeated varints (e.g. int64 dims / ints). */
export function readPackedVarints(src: ByteSource, f: Field): bigint[] {
  const out: bigint[] = [];
  let pos = f.pos;
  const end = f.pos + f.len;
  while (pos < end) {
    const v = readVarint(src, pos, end);
    out.push(v.value);
    pos = v.next;
  }
  return out;
}

// ---- writing: only what the appended graph record needs ----

export function encodeVarint(v: number | bigint): Buffer {
  let x = BigInt.asUintN(64, BigInt(v));
  const bytes: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    bytes.push(b);
  } while (x !== 0n);
  return Buffer.from(bytes);
}

export function fieldVarint(no: number, v: number | bigint): Buffer {
  return Buffer.concat([encodeVarint((no << 3) | WireType.Varint), encodeVarint(v)]);
}

export function fieldBytes(no: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([encodeVarint((no << 3) | WireType.Bytes), encodeVarint(body.length), body]);
}

export function fieldMessage(no: number, parts: Buffer[]): Buffer {
  return fieldBytes(no, Buffer.concat(parts));
}
