// The attribution methods through the engine on a tiny torch-exported fixture, against references computed
// here with a plain ONNX Runtime session on the ORIGINAL graph, one sequence per call: SHAP on a short text with
// a budget of 2^words must equal brute-force Shapley values of the same value function (the label's log-odds,
// absent words replaced by [MASK]); occlusion scores are log-odds drops; rollout scores sum the rollout over a
// word's pieces; faithfulness curves are recomputed by taking the top words out by hand. Tolerance 1e-4 (float32
// graphs; the engine batches rows, the reference does not).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, isolateHome, maxAbsDiff, tempDir } from './helpers';

isolateHome();
import * as ort from 'onnxruntime-node';
import { FRACTIONS, ranking, topCount } from '../../src/core/attribution/faithfulness';
import { Inspector } from '../../src/core/inspector';

const DIR = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
const TEXT = 'a gorgeous , witty , seductive movie .';
const TOL = 1e-4;

let session: ort.InferenceSession;
let inspector: Inspector;
const cache = tempDir('dbi-explain-');

async function logits(ids: number[]): Promise<number[]> {
  const t = (xs: number[]) => new ort.Tensor('int64', BigInt64Array.from(xs.map(BigInt)), [1, xs.length]);
  const out = await session.run({ input_ids: t(ids), attention_mask: t(ids.map(() => 1)) });
  return Array.from(out['logits']!.data as Float32Array);
}
const softmax = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  return e.map((x) => x / e.reduce((a, b) => a + b, 0));
};
const logOdds = (z: number[], y: number) => Math.log(softmax(z)[y]!) - Math.log(1 - softmax(z)[y]!);

describe('attribution methods on a fixture', () => {
  before(async () => {
    session = await ort.InferenceSession.create(path.join(DIR, 'onnx', 'model.onnx'), { intraOpNumThreads: 1 });
    inspector = await Inspector.open({ modelDir: DIR, cacheDir: cache, threads: 1 });
  });
  after(async () => {
    await session.release();
    await inspector.dispose();
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('SHAP with a budget of 2^words: exact Shapley values of the label log-odds ([MASK] for absent words)', async () => {
    const r = await inspector.explain(TEXT, { method: 'shap', budget: 256, faithfulness: false });
    const n = r.items.length;
    assert.equal(n, 8);
    assert.deepEqual(r.shap, { budget: 256, exact: true, hierarchy: 'flat', replacement: 'mask' });
    assert.equal(r.forwardPasses, 256);
    const y = r.labels.indexOf(r.label);
    const ids = r.tokens.map((t) => t.id);
    const v = new Map<number, number>();
    for (let set = 0; set < 1 << n; set++) {
      const masked = ids.slice();
      r.items.forEach((it, k) => {
        if (!((set >> k) & 1)) for (const i of it.tokenIndices) masked[i] = 4; // [MASK] in the fixture vocabulary
      });
      v.set(set, logOdds(await logits(masked), y));
    }
    const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
    const phi = new Array<number>(n).fill(0);
    for (let set = 0; set < 1 << n; set++) {
      let size = 0;
      for (let k = 0; k < n; k++) size += (set >> k) & 1;
      for (let k = 0; k < n; k++)
        if (!((set >> k) & 1))
          phi[k]! += ((fact(size) * fact(n - size - 1)) / fact(n)) * (v.get(set | (1 << k))! - v.get(set)!);
    }
    assert.ok(
      maxAbsDiff(
        r.items.map((it) => it.score),
        phi,
      ) < TOL,
      `max |diff| ${maxAbsDiff(
        r.items.map((it) => it.score),
        phi,
      )}`,
    );
  });

  it('SHAP over the default budget on a longer text stays within it and is not exact', async () => {
    const long = Array.from({ length: 4 }, () => TEXT).join(' ');
    const r = await inspector.explain(long, { method: 'shap', budget: 100, faithfulness: false });
    assert.ok(r.forwardPasses <= 100);
    assert.equal(r.shap!.hierarchy, 'words-phrases-sentences');
    assert.equal(r.shap!.exact, false);
  });

  it('occlusion scores are the drop in log-odds with the word deleted', async () => {
    const r = await inspector.explain(TEXT, { method: 'occlusion', faithfulness: false });
    const y = r.labels.indexOf(r.label);
    const ids = r.tokens.map((t) => t.id);
    const base = logOdds(await logits(ids), y);
    for (const it of r.items) {
      const without = ids.filter((_, i) => !it.tokenIndices.includes(i));
      assert.ok(Math.abs(it.score - (base - logOdds(await logits(without), y))) < TOL, it.text);
    }
    assert.equal(r.forwardPasses, r.items.length + 1);
  });

  it('rollout scores sum the rollout [CLS] row over each word', async () => {
    const r = await inspector.explain(TEXT, { method: 'rollout', faithfulness: false });
    const att = await inspector.attention(TEXT);
    for (const it of r.items)
      assert.ok(Math.abs(it.score - it.tokenIndices.reduce((s, i) => s + att.windows[0]!.rollout[i]!, 0)) < 1e-9);
  });

  it('faithfulness: comprehensiveness and sufficiency recomputed by hand, both protocols', async () => {
    const r = await inspector.explain(TEXT, { method: 'occlusion' });
    const f = r.faithfulness!;
    assert.equal(f.forwardPasses, 36);
    const y = r.labels.indexOf(r.label);
    const ids = r.tokens.map((t) => t.id);
    const p0 = softmax(await logits(ids))[y]!;
    const order = ranking(r.items.map((it) => it.score));
    for (const [proto, scores] of [
      ['delete', f.deletion],
      ['mask', f.mask!],
    ] as const) {
      for (const [k, frac] of FRACTIONS.entries()) {
        const top = new Set(order.slice(0, topCount(r.items.length, frac)).flatMap((w) => r.items[w]!.tokenIndices));
        const words = new Set(r.items.flatMap((it) => it.tokenIndices));
        const build = (drop: (i: number) => boolean) =>
          proto === 'delete' ? ids.filter((_, i) => !drop(i)) : ids.map((id, i) => (drop(i) ? 4 : id));
        const comp = p0 - softmax(await logits(build((i) => top.has(i))))[y]!;
        const suff = p0 - softmax(await logits(build((i) => words.has(i) && !top.has(i))))[y]!;
        assert.ok(Math.abs(scores.comprehensiveness[k]! - comp) < TOL, `${proto} comprehensiveness at ${frac}`);
        assert.ok(Math.abs(scores.sufficiency[k]! - suff) < TOL, `${proto} sufficiency at ${frac}`);
      }
    }
  });

  it('an unknown method is refused by name', async () => {
    await assert.rejects(inspector.explain(TEXT, { method: 'lime' as never }), /unknown attribution method "lime"/);
  });
});
