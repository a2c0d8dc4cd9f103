// Reads the values of the few small tensors we need (head weights, index constants) from their located
// payloads. Everything else in the file stays on disk.
import { ByteSource, WireType, readPackedVarints } from './wire';
import { DataType, TensorField, TensorRef } from './graphIndex';

export function elementCount(t: TensorRef): number {
  return t.dims.reduce((a, b) => a * b, 1);
}

/** float32 values of a FLOAT (or FLOAT16 / DOUBLE) tensor. */
export function readFloats(src: ByteSource, t: TensorRef): Float32Array {
  if (t.external) throw new Error(`tensor ${t.name} keeps its data in an external file, which is not supported`);
  const n = elementCount(t);
  const out = new Float32Array(n);
  let k = 0;
  const put = (v: number): void => {
    if (k < n) out[k] = v;
    k++;
  };
  for (const f of t.payload) {
    const isRaw = f.no === TensorField.rawData;
    if (!isRaw && f.no !== TensorField.floatData) continue;
    const bytes = src.read(f.pos, f.len);
    if (t.dataType === DataType.FLOAT) {
      for (let i = 0; i + 4 <= bytes.length; i += 4) put(bytes.readFloatLE(i));
    } else if (t.dataType === DataType.DOUBLE && isRaw) {
      for (let i = 0; i + 8 <= bytes.length; i += 8) put(bytes.readDoubleLE(i));
    } else if (t.dataType === DataType.FLOAT16 && isRaw) {
      for (let i = 0; i + 2 <= bytes.length; i += 2) put(halfToFloat(bytes.readUInt16LE(i)));
    } else {
      throw new Error(`tensor ${t.name} has data type ${t.dataType}, expected a float type`);
    }
  }
  if (k !== n) throw new Error(`tensor ${t.name} holds ${k} values but its dims [${t.dims.join(', ')}] need ${n}`);
  return out;
}

/** Integer values of an INT64 / INT32 / UINT8 / INT8 tensor (index constants, quantized weights and zero points). */
export function readInts(src: ByteSource, t: TensorRef): number[] {
  if (t.external) throw new Error(`tensor ${t.name} keeps its data in an external file, which is not supported`);
  const out: number[] = [];
  for (const f of t.payload) {
    if (f.no === TensorField.rawData) {
      const bytes = src.read(f.pos, f.len);
      if (t.dataType === DataType.INT64)
        for (let i = 0; i + 8 <= bytes.length; i += 8) out.push(Number(bytes.readBigInt64LE(i)));
      else if (t.dataType === DataType.INT32)
        for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(bytes.readInt32LE(i));
      else if (t.dataType === DataType.UINT8) for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
      else if (t.dataType === DataType.INT8) for (let i = 0; i < bytes.length; i++) out.push(bytes.readInt8(i));
      else throw new Error(`tensor ${t.name} has data type ${t.dataType}, expected an integer type`);
    } else if (f.no === TensorField.int64Data || f.no === TensorField.int32Data) {
      // int32_data also carries UINT8/INT8 values (one varint each) when raw_data is not used.
      if (f.wire === WireType.Varint)
        out.push(Number(BigInt.asIntN(f.no === TensorField.int32Data ? 32 : 64, f.value)));
      else
        out.push(
          ...readPackedVarints(src, f).map((v) => Number(f.no === TensorField.int32Data ? BigInt.asIntN(32, v) : v)),
        );
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
