// On-disk cache of tapped models, keyed by the original's content sha256 so a renamed or copied model
// reuses its entry. A small index maps path+size+mtime to the hash so an unchanged file is not re-read
// on every load. Entry layout: <cacheDir>/onnx-taps-v3/<sha256>/{model.onnx, head.bin, plan.json};
// plan.json is written last and acts as the commit marker. Every file is written to a temp name and
// renamed, so a crash or a concurrent writer never leaves a half-written file under a final name.
// Each entry is a model-sized copy, so the cache keeps the MAX_ENTRIES most recently used (plan.json's mtime,
// touched on every hit) and drops older ones, and the folders of earlier formats, when it stores a new one.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { HeadWeights, TapPlan } from './taps';

/** Bump when the tap plan or the appended record changes, so old entries are not reused. */
const FORMAT = 'onnx-taps-v3';
const MAX_INDEX_ENTRIES = 64;
/** Tapped copies kept: enough for a few models, each fp32 and int8, without growing without bound. */
export const MAX_ENTRIES = 8;

export interface CacheEntry {
  modelPath: string;
  plan: TapPlan;
  weights: HeadWeights;
}

interface Meta {
  format: string;
  sourceSize: number;
  appendedLength: number;
  appendedSha256: string;
  headSha256: string;
  plan: TapPlan;
}

interface IndexRecord {
  size: number;
  mtimeMs: number;
  sha256: string;
  usedAt: number;
}

/** The content key of `onnxPath` and its cache entry if a valid one exists. */
export async function cacheLookup(
  onnxPath: string,
  stat: fs.Stats,
  cacheDir: string,
): Promise<{ key: string; entry?: CacheEntry }> {
  const root = path.join(cacheDir, FORMAT);
  const abs = path.resolve(onnxPath);
  const index = await readIndex(root);
  const rec = index[abs];
  let key: string;
  if (rec && rec.size === stat.size && rec.mtimeMs === stat.mtimeMs && /^[0-9a-f]{64}$/.test(rec.sha256)) {
    key = rec.sha256;
  } else {
    key = await sha256File(onnxPath);
    index[abs] = { size: stat.size, mtimeMs: stat.mtimeMs, sha256: key, usedAt: Date.now() };
    // The index only saves re-hashing; failing to write it must not fail the load (cacheStore reports
    // an unwritable cache folder).
    await writeIndex(root, index).catch(() => undefined);
  }
  const entry = await loadEntry(path.join(root, key), stat.size);
  if (entry) {
    // Recency for pruning; a read-only cache still serves the entry.
    const now = new Date();
    await fs.promises.utimes(path.join(root, key, 'plan.json'), now, now).catch(() => undefined);
  }
  return entry ? { key, entry } : { key };
}

/** Writes a new entry: the original bytes plus `record`, the head weights, then the plan. */
export async function cacheStore(
  cacheDir: string,
  key: string,
  sourcePath: string,
  record: Buffer,
  plan: TapPlan,
  weights: HeadWeights,
): Promise<CacheEntry> {
  const dir = path.join(cacheDir, FORMAT, key);
  await fs.promises.mkdir(dir, { recursive: true });
  await removeAbandonedTemps(dir);
  const modelPath = path.join(dir, 'model.onnx');
  const sourceSize = (await fs.promises.stat(sourcePath)).size;
  await atomicWrite(modelPath, async (tmp) => {
    // copyFile lets the kernel copy (copy_file_range / reflink): the weights never pass through JS.
    await fs.promises.copyFile(sourcePath, tmp);
    await fs.promises.appendFile(tmp, record);
    const size = (await fs.promises.stat(tmp)).size;
    if (size !== sourceSize + record.length) throw new Error(`${sourcePath} changed while it was being cached`);
  });
  const head = encodeWeights(weights);
  await atomicWrite(path.join(dir, 'head.bin'), (tmp) => fs.promises.writeFile(tmp, head));
  const meta: Meta = {
    format: FORMAT,
    sourceSize,
    appendedLength: record.length,
    appendedSha256: sha256(record),
    headSha256: sha256(head),
    plan,
  };
  await atomicWrite(path.join(dir, 'plan.json'), (tmp) => fs.promises.writeFile(tmp, JSON.stringify(meta, null, 1)));
  await pruneCache(cacheDir, key).catch(() => undefined); // a failed clean-up must not fail the load
  return { modelPath, plan, weights };
}

/**
 * Removes all but the `keep` most recently used entries (never `current`), entries a killed writer left without
 * plan.json after an hour, and folders of earlier cache formats. Another process still using a removed copy is
 * unaffected on Linux and macOS (ONNX Runtime has read the file; an open file outlives its name); where removal
 * fails (Windows, a file in use) the entry stays for next time.
 */
export async function pruneCache(cacheDir: string, current: string, keep = MAX_ENTRIES): Promise<string[]> {
  const removed: string[] = [];
  const rm = async (dir: string) => {
    if (
      await fs.promises.rm(dir, { recursive: true, force: true }).then(
        () => true,
        () => false,
      )
    )
      removed.push(dir);
  };
  for (const name of await fs.promises.readdir(cacheDir)) {
    if (/^onnx-taps-v\d+$/.test(name) && name !== FORMAT) await rm(path.join(cacheDir, name));
  }
  const root = path.join(cacheDir, FORMAT);
  const entries: { dir: string; usedMs: number }[] = [];
  for (const name of await fs.promises.readdir(root)) {
    if (!/^[0-9a-f]{64}$/.test(name) || name === current) continue;
    const dir = path.join(root, name);
    const plan = await fs.promises.stat(path.join(dir, 'plan.json')).catch(() => undefined);
    if (plan) entries.push({ dir, usedMs: plan.mtimeMs });
    else if (Date.now() - ((await fs.promises.stat(dir).catch(() => undefined))?.mtimeMs ?? 0) > 3600_000)
      await rm(dir);
  }
  entries.sort((a, b) => b.usedMs - a.usedMs);
  for (const e of entries.slice(Math.max(0, keep - 1))) await rm(e.dir);
  return removed;
}

/** A valid entry, or undefined when missing, stale or corrupt (the caller rebuilds it). */
async function loadEntry(dir: string, sourceSize: number): Promise<CacheEntry | undefined> {
  try {
    const meta = JSON.parse(await fs.promises.readFile(path.join(dir, 'plan.json'), 'utf8')) as Meta;
    if (meta.format !== FORMAT || meta.sourceSize !== sourceSize || !validPlan(meta.plan)) return undefined;
    const modelPath = path.join(dir, 'model.onnx');
    // Checking size and the appended tail is cheap and catches truncation or a foreign file.
    const fh = await fs.promises.open(modelPath, 'r');
    try {
      const { size } = await fh.stat();
      if (size !== meta.sourceSize + meta.appendedLength) return undefined;
      const tail = Buffer.alloc(meta.appendedLength);
      await fh.read(tail, 0, tail.length, meta.sourceSize);
      if (sha256(tail) !== meta.appendedSha256) return undefined;
    } finally {
      await fh.close();
    }
    const head = await fs.promises.readFile(path.join(dir, 'head.bin'));
    if (sha256(head) !== meta.headSha256) return undefined;
    const weights = decodeWeights(head, meta.plan.head.dim, meta.plan.head.numLabels);
    return weights ? { modelPath, plan: meta.plan, weights } : undefined;
  } catch {
    return undefined;
  }
}

function validPlan(p: TapPlan | undefined): boolean {
  const o = p?.outputs;
  return (
    !!o &&
    Array.isArray(p.inputNames) &&
    typeof p.batchInvariant === 'boolean' &&
    [o.logits, o.cls, o.preClassifier, o.relu, o.embeddings, o.hiddenStates].every((s) => typeof s === 'string') &&
    Array.isArray(o.layers) &&
    Number.isInteger(p.head?.dim) &&
    Number.isInteger(p.head?.numLabels) &&
    (p.head.activation === 'relu' || p.head.activation === 'tanh') &&
    (o.classifierInput === undefined || typeof o.classifierInput === 'string')
  );
}

/**
 * The head's weights kept beside a tapped copy (`tappedPath` as a load reports it), read without blocking the
 * caller; undefined when the file is gone or not of this shape.
 */
export async function readHeadBeside(
  tappedPath: string,
  dim: number,
  labels: number,
): Promise<HeadWeights | undefined> {
  try {
    return decodeWeights(await fs.promises.readFile(path.join(path.dirname(tappedPath), 'head.bin')), dim, labels);
  } catch {
    return undefined;
  }
}

/** head.bin: float32 little-endian classifier W, classifier b, pre_classifier W, pre_classifier b. */
function encodeWeights(w: HeadWeights): Buffer {
  const parts = [w.classifierWeight, w.classifierBias, w.preClassifierWeight, w.preClassifierBias];
  const out = Buffer.alloc(parts.reduce((n, p) => n + p.length * 4, 0));
  let off = 0;
  for (const p of parts) for (const v of p) off = out.writeFloatLE(v, off);
  return out;
}

function decodeWeights(buf: Buffer, dim: number, labels: number): HeadWeights | undefined {
  const sizes = [labels * dim, labels, dim * dim, dim];
  if (buf.length !== sizes.reduce((a, b) => a + b, 0) * 4) return undefined;
  let off = 0;
  const [cw, cb, pw, pb] = sizes.map((n) => {
    const a = new Float32Array(n);
    // A byte copy where the machine is little-endian (every platform ONNX Runtime ships for): a readFloatLE per
    // value took ~10 ms for a full-size head on the caller's thread.
    if (os.endianness() === 'LE') new Uint8Array(a.buffer).set(buf.subarray(off, off + n * 4));
    else for (let i = 0; i < n; i++) a[i] = buf.readFloatLE(off + i * 4);
    off += n * 4;
    return a;
  }) as [Float32Array, Float32Array, Float32Array, Float32Array];
  return { classifierWeight: cw, classifierBias: cb, preClassifierWeight: pw, preClassifierBias: pb };
}

async function readIndex(root: string): Promise<Record<string, IndexRecord>> {
  try {
    const parsed: unknown = JSON.parse(await fs.promises.readFile(path.join(root, 'index.json'), 'utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, IndexRecord>)
      : {};
  } catch {
    return {};
  }
}

async function writeIndex(root: string, index: Record<string, IndexRecord>): Promise<void> {
  const kept = Object.entries(index)
    .sort((a, b) => (b[1].usedAt ?? 0) - (a[1].usedAt ?? 0))
    .slice(0, MAX_INDEX_ENTRIES);
  await fs.promises.mkdir(root, { recursive: true });
  await atomicWrite(path.join(root, 'index.json'), (tmp) =>
    fs.promises.writeFile(tmp, JSON.stringify(Object.fromEntries(kept))),
  );
}

/** Temp files a killed process left behind (a model-sized copy each); live writers finish well within the age. */
async function removeAbandonedTemps(dir: string, maxAgeMs = 10 * 60_000): Promise<void> {
  for (const name of await fs.promises.readdir(dir)) {
    if (!name.endsWith('.tmp')) continue;
    const file = path.join(dir, name);
    const st = await fs.promises.stat(file).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > maxAgeMs) await fs.promises.rm(file, { force: true });
  }
}

/** Writes through a temp name and renames, so a crash never leaves a half-written file under `target`. */
export async function atomicWrite(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await write(tmp);
    await fs.promises.rename(tmp, target);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hex sha256 of a buffer. */
export function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}
