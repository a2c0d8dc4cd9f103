// A small ZIP reader for tests that look inside a VSIX (or any zip): the central directory, then each entry
// inflated with node's zlib and checked against its CRC-32 and size. Independent of the zip library vsce
// writes with, so a packaging bug is not read back through the same code.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/** One file of a ZIP archive, its bytes read on demand. */
export interface ZipEntry {
  name: string;
  compressedSize: number;
  size: number;
  read(): Buffer;
}

/** The entries of the ZIP file at `file` (no ZIP64: a VSIX stays far below 4 GB). */
export function readZip(file: string): ZipEntry[] {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  // The end-of-central-directory record is in the last 22 + 65535 (max comment) bytes.
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a ZIP file (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    entries.push({
      name,
      compressedSize,
      size,
      read(): Buffer {
        if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`${file}: bad local header for ${name}`);
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const raw = buf.subarray(start, start + compressedSize);
        const data = method === 0 ? Buffer.from(raw) : method === 8 ? zlib.inflateRawSync(raw) : undefined;
        if (!data) throw new Error(`${file}: ${name} uses compression method ${method}`);
        if (data.length !== size || zlib.crc32(data) !== crc)
          throw new Error(`${file}: ${name} fails its size/CRC check`);
        return data;
      },
    });
  }
  return entries;
}
