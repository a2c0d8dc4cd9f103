// The tap cache: one edit per model content, found again by path+size+mtime without re-hashing, shared
// by copies of the same file, and rebuilt when an entry is stale or corrupt.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { MAX_ENTRIES } from '../../src/core/onnx/tapCache';
import { GraphError, PreparedModel, prepareTappedModel } from '../../src/core/onnx/taps';

/** Everything this file writes lives under one temp folder, removed when its tests end. */
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-unit-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

const MODELS = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'models');
const GEMM = path.join(MODELS, 'tiny-distilbert-o14-gemm', 'onnx', 'model.onnx');
const MATMUL = path.join(MODELS, 'tiny-distilbert-o14-matmul', 'onnx', 'model.onnx');

const tmp = (prefix: string): string => fs.mkdtempSync(path.join(TMP, prefix));
const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function sameResult(a: PreparedModel, b: PreparedModel): void {
  assert.equal(a.path, b.path);
  assert.deepEqual(a.plan, b.plan);
  assert.deepEqual(a.weights, b.weights);
}

describe('tap cache', () => {
  it('edits once, then serves the entry keyed by content hash', async () => {
    const cache = tmp('onnx-cache-');
    const first = await prepareTappedModel(GEMM, cache);
    assert.equal(first.fromCache, false);
    assert.equal(path.basename(path.dirname(first.path)), sha(GEMM));
    assert.ok(first.path.startsWith(cache));
    const second = await prepareTappedModel(GEMM, cache);
    assert.equal(second.fromCache, true);
    sameResult(first, second);
    // No temp files left behind by the atomic writes.
    assert.deepEqual(fs.readdirSync(path.dirname(first.path)).sort(), ['head.bin', 'model.onnx', 'plan.json']);
  });

  it('maps an unchanged path to its entry through the index, without re-hashing', async () => {
    const cache = tmp('onnx-cache-');
    const model = path.join(tmp('onnx-model-'), 'model.onnx');
    fs.copyFileSync(GEMM, model);
    const first = await prepareTappedModel(model, cache);
    // Move the entry under another key and point the index at it: a hit proves the hash was not recomputed.
    const root = path.dirname(path.dirname(first.path));
    const indexFile = path.join(root, 'index.json');
    const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as Record<string, { sha256: string }>;
    assert.equal(index[path.resolve(model)]?.sha256, sha(GEMM));
    const fake = 'f'.repeat(64);
    fs.renameSync(path.dirname(first.path), path.join(root, fake));
    index[path.resolve(model)]!.sha256 = fake;
    fs.writeFileSync(indexFile, JSON.stringify(index));
    const second = await prepareTappedModel(model, cache);
    assert.equal(second.fromCache, true);
    assert.equal(path.basename(path.dirname(second.path)), fake);

    // Touching the file (new mtime) forces a re-hash, which finds the real key again.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(model, later, later);
    const third = await prepareTappedModel(model, cache);
    assert.equal(path.basename(path.dirname(third.path)), sha(GEMM));
    assert.equal(third.fromCache, false);
  });

  it('shares one entry between copies of the same file', async () => {
    const cache = tmp('onnx-cache-');
    const copy = path.join(tmp('onnx-model-'), 'renamed.onnx');
    fs.copyFileSync(GEMM, copy);
    const a = await prepareTappedModel(GEMM, cache);
    const b = await prepareTappedModel(copy, cache);
    assert.equal(b.fromCache, true);
    sameResult(a, b);
  });

  it('follows new content at the same path', async () => {
    const cache = tmp('onnx-cache-');
    const model = path.join(tmp('onnx-model-'), 'model.onnx');
    fs.copyFileSync(GEMM, model);
    assert.equal((await prepareTappedModel(model, cache)).plan.head.preClassifierOp, 'Gemm');
    fs.copyFileSync(MATMUL, model);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(model, later, later);
    const swapped = await prepareTappedModel(model, cache);
    assert.equal(swapped.fromCache, false);
    assert.equal(swapped.plan.head.preClassifierOp, 'MatMul+Add');
  });

  const corruptions: [string, (dir: string) => void][] = [
    ['a truncated tapped model', (dir) => fs.truncateSync(path.join(dir, 'model.onnx'), 1000)],
    [
      'a tapped model with a damaged tail',
      (dir) => {
        const f = path.join(dir, 'model.onnx');
        const b = fs.readFileSync(f);
        b[b.length - 3] = b[b.length - 3]! ^ 0xff;
        fs.writeFileSync(f, b);
      },
    ],
    [
      'garbage plan.json',
      (dir) => fs.writeFileSync(path.join(dir, 'plan.json'), '{"format": "onnx-taps-v1", "plan": '),
    ],
    ['a missing plan.json (interrupted write)', (dir) => fs.rmSync(path.join(dir, 'plan.json'))],
    [
      'a modified head.bin',
      (dir) => {
        const f = path.join(dir, 'head.bin');
        const b = fs.readFileSync(f);
        b.writeFloatLE(123, 0);
        fs.writeFileSync(f, b);
      },
    ],
    ['a garbage index.json', (dir) => fs.writeFileSync(path.join(path.dirname(dir), 'index.json'), 'not json')],
  ];
  for (const [what, damage] of corruptions) {
    it(`rebuilds after ${what}`, async () => {
      const cache = tmp('onnx-cache-');
      const good = await prepareTappedModel(GEMM, cache);
      damage(path.dirname(good.path));
      const again = await prepareTappedModel(GEMM, cache);
      sameResult(good, again);
      assert.ok(fs.readFileSync(again.path).subarray(0, fs.statSync(GEMM).size).equals(fs.readFileSync(GEMM)));
      const third = await prepareTappedModel(GEMM, cache);
      assert.equal(third.fromCache, true);
    });
  }

  it('removes temp files an interrupted writer left behind when it rebuilds', async () => {
    const cache = tmp('onnx-cache-');
    const good = await prepareTappedModel(GEMM, cache);
    const dir = path.dirname(good.path);
    const stale = path.join(dir, 'model.onnx.12345.deadbeef.tmp');
    const fresh = path.join(dir, 'model.onnx.12346.cafebabe.tmp');
    fs.writeFileSync(stale, 'half a model');
    fs.writeFileSync(fresh, 'a live writer');
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(stale, old, old);
    fs.rmSync(path.join(dir, 'plan.json'));
    await prepareTappedModel(GEMM, cache);
    assert.equal(fs.existsSync(stale), false);
    assert.equal(fs.existsSync(fresh), true, 'a recent temp file may belong to a live writer');
  });

  it('keeps the most recently used entries and drops the rest, abandoned ones and old formats', async () => {
    const cache = tmp('onnx-cache-');
    const root = path.join(cache, 'onnx-taps-v3');
    const gemm = await prepareTappedModel(GEMM, cache);
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
    const fake = (i: number, h: number | undefined, dirAgeH = 0): string => {
      const dir = path.join(root, crypto.createHash('sha256').update(`fake ${i}`).digest('hex'));
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'model.onnx'), 'a tapped copy');
      if (h !== undefined) {
        fs.writeFileSync(path.join(dir, 'plan.json'), '{}');
        fs.utimesSync(path.join(dir, 'plan.json'), hoursAgo(h), hoursAgo(h));
      }
      fs.utimesSync(dir, hoursAgo(dirAgeH), hoursAgo(dirAgeH));
      return dir;
    };
    const byAge = Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => fake(i, i + 1)); // 1 h .. 9 h since last use
    const abandoned = fake(100, undefined, 2); // no plan.json for 2 h: a killed writer
    const writing = fake(101, undefined, 0); // no plan.json yet: maybe a live writer
    fs.mkdirSync(path.join(cache, 'onnx-taps-v1', 'x'), { recursive: true });
    fs.mkdirSync(path.join(cache, 'hub'));

    const matmul = await prepareTappedModel(MATMUL, cache); // a new entry: the cache prunes
    const left = new Set(fs.readdirSync(root).map((n) => path.join(root, n)));
    // The new entry plus the MAX_ENTRIES - 1 most recent others: gemm (just used) and the newest fakes.
    const kept = [path.dirname(matmul.path), path.dirname(gemm.path), ...byAge.slice(0, MAX_ENTRIES - 2)];
    for (const d of kept) assert.ok(left.has(d), `kept ${path.basename(d)}`);
    for (const d of byAge.slice(MAX_ENTRIES - 2)) assert.ok(!left.has(d), `dropped ${path.basename(d)}`);
    assert.ok(!left.has(abandoned), 'an entry a killed writer left is dropped');
    assert.ok(left.has(writing), 'a recent entry without plan.json may belong to a live writer');
    assert.ok(!fs.existsSync(path.join(cache, 'onnx-taps-v1')), 'an old format folder is dropped');
    assert.ok(fs.existsSync(path.join(cache, 'hub')), 'other folders in the cache are left alone');

    // A hit counts as use: an entry served again moves to the front.
    fs.utimesSync(path.join(path.dirname(gemm.path), 'plan.json'), hoursAgo(100), hoursAgo(100));
    assert.equal((await prepareTappedModel(GEMM, cache)).fromCache, true);
    assert.ok(fs.statSync(path.join(path.dirname(gemm.path), 'plan.json')).mtimeMs > hoursAgo(1).getTime());
  });

  it('names the cache folder when it cannot be written', async () => {
    const notADir = path.join(tmp('onnx-cache-'), 'file');
    fs.writeFileSync(notADir, 'x');
    await assert.rejects(prepareTappedModel(GEMM, notADir), (e: unknown) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.code, 'CACHE');
      assert.ok(e.message.startsWith(notADir));
      return true;
    });
  });
});
