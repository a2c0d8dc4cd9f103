// Dataset results on disk: one folder per (model, file content, text column, rows), flat little-endian typed
// arrays plus a small JSON index. Chunks are appended as they finish and the index records how many rows are
// complete, so an interrupted run resumes where it stopped and a finished one reopens without the model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { atomicWrite } from '../onnx/tapCache';

/** Bump when the layout changes: old entries are then ignored, never misread. */
const FORMAT = 'dataset-runs-v1';

/** The arrays of a run, per row: their element type and width. */
export interface ArraySpec {
  name: string;
  kind: 'f32' | 'i32' | 'u8';
  width: number;
}

/** The small JSON index beside the arrays. */
export interface CacheIndex {
  format: typeof FORMAT;
  count: number;
  done: number;
  arrays: ArraySpec[];
}

type Typed = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;
const BYTES = { f32: 4, i32: 4, u8: 1 } as const;

export function cacheKey(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

export class ResultCache {
  readonly dir: string;

  constructor(
    cacheDir: string,
    key: string,
    private readonly arrays: ArraySpec[],
    private readonly count: number,
  ) {
    this.dir = path.join(cacheDir, FORMAT, key);
  }

  /** Rows already complete on disk (0 when there is no usable entry). */
  rowsDone(): number {
    const index = this.readIndex();
    if (!index) return 0;
    // A crash between an append and the index update leaves extra bytes: cut every file back to `done` rows.
    for (const a of this.arrays) {
      const file = this.file(a);
      const want = index.done * a.width * BYTES[a.kind];
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        return 0;
      }
      if (size < want) return 0;
      if (size > want) fs.truncateSync(file, want);
    }
    return index.done;
  }

  /** Starts an empty entry (any old one is removed). */
  reset(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(this.dir, { recursive: true });
    for (const a of this.arrays) fs.writeFileSync(this.file(a), new Uint8Array(0));
    this.writeIndex(0);
  }

  /** Appends the next rows (in order) and then records them as done; async, so a slow disk blocks no caller. */
  async append(chunk: Record<string, Typed>, rows: number, doneBefore: number): Promise<void> {
    for (const a of this.arrays) {
      const t = chunk[a.name]!;
      await fs.promises.appendFile(
        this.file(a),
        new Uint8Array(t.buffer, t.byteOffset, rows * a.width * BYTES[a.kind]),
      );
    }
    // Async too: a synchronous rename here slept the caller's thread for ~100 ms while the file system committed
    // the hundreds of MB appended before it.
    await this.writeIndexAsync(doneBefore + rows);
  }

  /** Reads the complete rows back into arrays sized for `count` rows (only `names` when given). */
  load(done: number, names?: string[]): Record<string, Typed> {
    const out: Record<string, Typed> = {};
    for (const a of this.arrays) {
      if (names && !names.includes(a.name)) continue;
      const t = alloc(a.kind, this.count * a.width);
      const bytes = done * a.width * BYTES[a.kind];
      const fd = fs.openSync(this.file(a), 'r');
      try {
        fs.readSync(fd, new Uint8Array(t.buffer, 0, bytes), 0, bytes, 0);
      } finally {
        fs.closeSync(fd);
      }
      out[a.name] = t;
    }
    return out;
  }

  private file(a: ArraySpec): string {
    return path.join(this.dir, `${a.name}.${a.kind}`);
  }

  private readIndex(): CacheIndex | undefined {
    try {
      const index = JSON.parse(fs.readFileSync(path.join(this.dir, 'index.json'), 'utf8')) as CacheIndex;
      const same =
        index.format === FORMAT &&
        index.count === this.count &&
        JSON.stringify(index.arrays) === JSON.stringify(this.arrays);
      return same && Number.isInteger(index.done) && index.done >= 0 && index.done <= this.count ? index : undefined;
    } catch {
      return undefined;
    }
  }

  private writeIndex(done: number): void {
    const tmp = path.join(this.dir, `index.json.${process.pid}.tmp`);
    fs.writeFileSync(tmp, this.indexJson(done));
    fs.renameSync(tmp, path.join(this.dir, 'index.json'));
  }

  private writeIndexAsync(done: number): Promise<void> {
    return atomicWrite(path.join(this.dir, 'index.json'), (tmp) => fs.promises.writeFile(tmp, this.indexJson(done)));
  }

  private indexJson(done: number): string {
    return JSON.stringify({ format: FORMAT, count: this.count, done, arrays: this.arrays } satisfies CacheIndex);
  }
}

/** One array of a finished entry read straight from its file (the study worker reads the vectors itself). */
export function readArray(dir: string, name: string): Float32Array {
  const buf = fs.readFileSync(path.join(dir, `${name}.f32`));
  // A Float32Array needs 4-byte alignment; a small read may come from Node's shared pool at any offset.
  return buf.byteOffset % 4 === 0
    ? new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4)
    : new Float32Array(new Uint8Array(buf).buffer);
}

/**
 * Block `block` of every row of a [row][block][dim] float file (e.g. one transformer block's [CLS] out of
 * `layers`), read a few MB at a time: the whole file (410 MB for 100,000 rows of a 4-block, 256-dim model) is
 * never in memory at once. `into` (count x dim) is filled instead of a new array when given.
 */
export function readBlockRows(
  dir: string,
  name: string,
  count: number,
  blocks: number,
  dim: number,
  block: number,
  into?: Float32Array,
): Float32Array {
  const out = into && into.length === count * dim ? into : new Float32Array(count * dim);
  const rowBytes = blocks * dim * 4;
  const step = Math.max(1, Math.floor((8 << 20) / rowBytes));
  const bytes = new Uint8Array(step * rowBytes);
  const floats = new Float32Array(bytes.buffer);
  const fd = fs.openSync(path.join(dir, `${name}.f32`), 'r');
  try {
    for (let r = 0; r < count; r += step) {
      const k = Math.min(step, count - r);
      const got = fs.readSync(fd, bytes, 0, k * rowBytes, r * rowBytes);
      if (got < k * rowBytes)
        throw new Error(`${name}.f32 in ${dir} ends at row ${r + Math.floor(got / rowBytes)} of ${count}`);
      for (let i = 0; i < k; i++)
        out.set(floats.subarray((i * blocks + block) * dim, (i * blocks + block + 1) * dim), (r + i) * dim);
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

export function alloc(kind: ArraySpec['kind'], n: number): Typed {
  return kind === 'f32' ? new Float32Array(n) : kind === 'i32' ? new Int32Array(n) : new Uint8Array(n);
}

/**
 * Writes a result (a head study, a projection) beside a run's vectors: atomically, and async (a synchronous rename
 * slept the caller's thread while the file system committed the run's vectors). An unwritable cache only costs the
 * next reopen a recomputation, so a failure is not an error.
 */
export async function keepJson(file: string, value: unknown): Promise<void> {
  try {
    await atomicWrite(file, (tmp) => fs.promises.writeFile(tmp, JSON.stringify(value)));
  } catch {
    // see above
  }
}
