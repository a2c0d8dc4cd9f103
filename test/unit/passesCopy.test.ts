// The passes copy (src/core/onnx/passesCopy.ts): the graph whose last block computes the [CLS] row only, which
// occlusion and the explanations run. Checked against plain ONNX Runtime on the ORIGINAL graph of every fixture
// and the bundled model, one sequence per call and (fp32) padded batches as the passes are batched:
//   fp32: 1e-5 absolute on logits (measured <= 1.7e-6: the same sums in another order);
//   int8: the last block quantizes its activations over the [CLS] row alone, so the logits move by about the
//         graph's own int8 rounding: bundled model 0.01 (measured 0.0017), tiny fixtures 0.1 (measured 0.050; their
//         int8 graphs are up to 0.085 from fp32).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type * as Ort from 'onnxruntime-node';
import { ModelRuntime, type Checkpoint } from '../../src/core/engine/modelRuntime';
import { runOcclusion } from '../../src/core/engine/occlusionRun';
import { openPassGraph, type PassGraph } from '../../src/core/engine/passGraph';
import { loadOrt } from '../../src/core/engine/ortRuntime';
import { indexModel, upstreamOf } from '../../src/core/onnx/graphIndex';
import { findHead } from '../../src/core/onnx/headFinder';
import { planClsOnly, preparePassesModel } from '../../src/core/onnx/passesCopy';
import { writeRewrite } from '../../src/core/onnx/rewrite';
import { BufferSource } from '../../src/core/onnx/wire';
import { BUNDLED, FIXTURES, isolateHome, maxAbsDiff, tempDir } from './helpers';

isolateHome();
const WORK = tempDir('passes-copy-');
after(() => fs.rmSync(WORK, { recursive: true, force: true }));

const CASES: { dir: string; file: string; tol: number }[] = [
  ...[
    'tiny-distilbert-o17-gemm',
    'tiny-distilbert-o14-gemm',
    'tiny-distilbert-o14-matmul',
    'tiny-distilbert-o17-multilabel',
    'tiny-bert-o17',
    'tiny-roberta-o17',
  ].map((n) => ({ dir: path.join(FIXTURES, n), file: 'model.onnx', tol: 1e-5 })),
  ...['tiny-distilbert-o17-int8', 'tiny-bert-o17', 'tiny-roberta-o17'].map((n) => ({
    dir: path.join(FIXTURES, n),
    file: 'model_quantized.onnx',
    tol: 0.1,
  })),
  { dir: BUNDLED, file: 'model.onnx', tol: 1e-5 },
  { dir: BUNDLED, file: 'model_int8.onnx', tol: 0.01 },
];

/** Seeded ids [CLS] w... [SEP] of `n` tokens, padded to `width` (mask 0). */
function sequence(n: number, width: number, seed: number, cls: number, sep: number, vocab: number) {
  const ids: bigint[] = [];
  for (let i = 0; i < width; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    ids.push(BigInt(i === 0 ? cls : i === n - 1 ? sep : i >= n ? 0 : 5 + (seed % (vocab - 10))));
  }
  return { ids, mask: Array.from({ length: width }, (_, i) => (i < n ? 1n : 0n)) };
}

async function logitsOf(session: Ort.InferenceSession, rows: { ids: bigint[]; mask: bigint[] }[]): Promise<number[]> {
  const ort = loadOrt();
  const dims = [rows.length, rows[0]!.ids.length];
  const feeds: Record<string, Ort.Tensor> = {};
  for (const name of session.inputNames) {
    const data = BigInt64Array.from(
      rows.flatMap((r) => (name === 'input_ids' ? r.ids : name === 'attention_mask' ? r.mask : r.ids.map(() => 0n))),
    );
    feeds[name] = new ort.Tensor('int64', data, dims);
  }
  return Array.from((await session.run(feeds))[session.outputNames[0]!]!.data as Float32Array);
}

describe('the passes copy against the full graph', () => {
  for (const c of CASES) {
    it(`${path.basename(c.dir)}/${c.file}: logits within ${c.tol}, only the logits kept, the last block on [CLS]`, async () => {
      const src = path.join(c.dir, 'onnx', c.file);
      const dst = path.join(WORK, `${path.basename(c.dir)}-${c.file}`);
      await writeRewrite(src, dst, (s) => planClsOnly(indexModel(s), src));
      const copy = indexModel(new BufferSource(fs.readFileSync(dst)));
      assert.deepEqual(copy.outputs, ['logits']);
      // The [CLS] selection reads a last block that reads the sliced rows: the rewiring happened.
      const upstream = [...upstreamOf(copy, findHead(copy, dst).lastHidden).nodes];
      assert.ok(
        upstream.some((n) => n.opType === 'Slice' && n.name.startsWith('inspector_passes/')),
        'the last block reads x[:, 0:1]',
      );
      const ort = loadOrt();
      const full = await ort.InferenceSession.create(src, { intraOpNumThreads: 1 });
      const cut = await ort.InferenceSession.create(dst, { intraOpNumThreads: 1 });
      const vocab = JSON.parse(fs.readFileSync(path.join(c.dir, 'config.json'), 'utf8')).vocab_size as number;
      const [cls, sep] = c.dir.includes('roberta') ? [0, 2] : [101 % vocab, 102 % vocab];
      let worst = 0;
      for (const [k, n] of [2, 7, 33, 64].entries()) {
        const one = [sequence(n, n, k + 1, cls, sep, vocab)];
        worst = Math.max(worst, maxAbsDiff(await logitsOf(cut, one), await logitsOf(full, one)));
      }
      if (!c.file.includes('quant') && !c.file.includes('int8')) {
        // fp32 passes are batched with padding: each row must be what it is alone.
        const batch = [9, 30, 17].map((n, k) => sequence(n, 30, 40 + k, cls, sep, vocab));
        const together = await logitsOf(cut, batch);
        const width = together.length / batch.length;
        for (const [r, row] of batch.entries()) {
          const alone = await logitsOf(full, [
            { ids: row.ids.slice(0, [9, 30, 17][r]), mask: row.mask.slice(0, [9, 30, 17][r]) },
          ]);
          worst = Math.max(worst, maxAbsDiff(together.slice(r * width, (r + 1) * width), alone));
        }
      }
      await full.release();
      await cut.release();
      assert.ok(worst <= c.tol, `max |copy - full| = ${worst}`);
    });
  }
});

const noCheck: Checkpoint = async () => undefined;
const occ = (text: string) => ({ text, unit: 'word' as const, windowTokens: 512, batchTokens: 1024 });

/** `fn` on a bundled-model runtime with a cache folder of its own; both gone afterwards. */
async function withRuntime(
  variant: 'fp32' | 'int8',
  fn: (rt: ModelRuntime, cacheDir: string) => Promise<void>,
): Promise<void> {
  const cacheDir = tempDir('passes-runtime-');
  const rt = await ModelRuntime.load({ modelDir: BUNDLED, cacheDir, threads: 1, variant });
  try {
    await fn(rt, cacheDir);
  } finally {
    await rt.dispose();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

const TEXT = 'a gorgeous, witty, seductive movie';

describe('the passes copy in a model runtime', () => {
  it('is made once in the cache, reused by the next load, and rebuilt when it does not match its record', () =>
    withRuntime('fp32', async (rt, cacheDir) => {
      const r = await runOcclusion(rt, occ(TEXT), noCheck);
      assert.equal(r.passGraph, 'cls-only');
      const copy = path.join(path.dirname(rt.info.tappedPath), 'passes.onnx');
      const made = fs.statSync(copy).mtimeMs;
      const again = await ModelRuntime.load({ modelDir: BUNDLED, cacheDir, threads: 1, variant: 'fp32' });
      const r2 = await runOcclusion(again, occ(TEXT), noCheck);
      await again.dispose();
      assert.equal(fs.statSync(copy).mtimeMs, made, 'reused');
      assert.deepEqual(r2.items, r.items);
      fs.truncateSync(copy, 1000);
      assert.equal(await preparePassesModel(path.join(BUNDLED, 'onnx', 'model.onnx'), rt.info.tappedPath), copy);
      assert.ok(fs.statSync(copy).size > 1000, 'rebuilt');
    }));

  it('leaves the passes on the full graph, with a reason, when the copy cannot be written', () =>
    withRuntime('int8', async (rt) => {
      // A folder where the copy would go: the rename onto it fails.
      fs.mkdirSync(path.join(path.dirname(rt.info.tappedPath), 'passes.onnx', 'x'), { recursive: true });
      const r = await runOcclusion(rt, occ(TEXT), noCheck);
      assert.equal(r.passGraph, 'full');
      assert.match(rt.passesNote ?? '', /passes run on the full graph/);
      assert.ok(r.items.length >= 5 && r.items.every((it) => it.logits.length === 2));
    }));

  it('releases its session when idle, reopens it, and is made again when its file went away meanwhile', () =>
    withRuntime('fp32', async (rt) => {
      const first = await runOcclusion(rt, occ(TEXT), noCheck);
      const passes = (await (rt as unknown as { passes: Promise<PassGraph | undefined> }).passes)!;
      assert.ok(passes.session.isOpen);
      await passes.session.release(); // what a minute without passes does
      assert.equal(passes.session.isOpen, false);
      const reopened = await runOcclusion(rt, occ(TEXT), noCheck);
      assert.equal(reopened.passGraph, 'cls-only');
      assert.deepEqual(reopened.items, first.items);
      await passes.session.release();
      fs.rmSync(passes.session.file); // a cleared cache
      const meanwhile = await runOcclusion(rt, occ(TEXT), noCheck);
      assert.equal(meanwhile.passGraph, 'full');
      assert.ok(maxAbsDiff(meanwhile.baselineLogits, first.baselineLogits) <= 1e-5);
      const after = await runOcclusion(rt, occ(TEXT), noCheck);
      assert.equal(after.passGraph, 'cls-only', 'made again');
      assert.ok(fs.existsSync(passes.session.file));
    }));

  it('is not used when its check against the full graph fails', () =>
    withRuntime('fp32', async (rt) => {
      let note = '';
      const opened = await openPassGraph(
        {
          onnxFile: path.join(BUNDLED, 'onnx', 'model.onnx'),
          tappedPath: rt.info.tappedPath,
          nLayers: rt.info.model.nLayers,
          threads: 1,
          quantized: false,
          fullLogits: async () => Float32Array.from([1, 2]),
          copyLogits: async () => Float32Array.from([1, 2.01]),
        },
        (why) => (note = why),
      );
      assert.equal(opened, undefined);
      assert.match(note, /differ from the full graph's by 0\.01/);
    }));
});
