// The projection's sources and UMAP, and the head units' mean contribution per label, each against an
// independent check: cluster purity measured in 2-D, the inspector's own stages for the same text, and numpy
// reading the classifier's weights straight out of the ONNX file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, isolateHome, maxAbsDiff, tempDir } from './helpers';

isolateHome();
import { Inspector, InspectorError } from '../../src/core/inspector';
import { readDataset } from '../../src/core/dataset/dataset';
import { inspectorModel, runDataset, type DatasetRun } from '../../src/core/dataset/run';
import { buildDatasetReport } from '../../src/core/dataset/report';
import { pca2 } from '../../src/core/dataset/projection';
import { project } from '../../src/core/dataset/projectionJob';
import { isProjectionSource, projectionSources, sourceRows } from '../../src/core/dataset/projectionSources';
import { seededRandom, umap2 } from '../../src/core/dataset/umap';

/** Fraction of each point's k nearest 2-D neighbours that share its cluster, averaged over the points. */
function knnPurity(x: number[], y: number[], cluster: number[], k: number): number {
  let same = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x.map((_, j) => [(x[j]! - x[i]!) ** 2 + (y[j]! - y[i]!) ** 2, j] as const).filter(([, j]) => j !== i);
    d.sort((a, b) => a[0] - b[0]);
    same += d.slice(0, k).filter(([, j]) => cluster[j] === cluster[i]).length;
  }
  return same / (x.length * k);
}

/** n points in `dim` dimensions around `clusters` centres 10 apart, unit Gaussian noise. */
function blobs(n: number, dim: number, clusters: number, seed: number): { X: Float32Array; cluster: number[] } {
  const r = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const X = new Float32Array(n * dim);
  const cluster = Array.from({ length: n }, (_, i) => i % clusters);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < dim; j++) X[i * dim + j] = (j % clusters === cluster[i] ? 10 : 0) + gauss();
  return { X, cluster };
}

describe('UMAP', () => {
  it('keeps well-separated clusters apart in 2-D (10-NN purity >= 0.9; the raw layout of a shuffled copy is not)', () => {
    const { X, cluster } = blobs(400, 24, 5, 7);
    const p = umap2(X, 400, 24, { seed: 3 });
    const purity = knnPurity(p.x, p.y, cluster, 10);
    assert.ok(purity >= 0.9, `purity ${purity}`);
    // The check can fail: the same layout scored against randomly shuffled clusters is near chance (1/5).
    const r = seededRandom(9);
    const shuffled = cluster
      .map((c) => [r(), c] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, c]) => c);
    assert.ok(knnPurity(p.x, p.y, shuffled, 10) < 0.5);
  });

  it('is deterministic for a fixed seed, and another seed gives another layout', () => {
    const { X } = blobs(120, 8, 3, 1);
    const a = umap2(X, 120, 8, { seed: 42 });
    const b = umap2(X, 120, 8, { seed: 42 });
    const c = umap2(X, 120, 8, { seed: 43 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('reports the neighbour search, then every layout epoch up to the total; tiny inputs get a line', () => {
    const { X } = blobs(60, 4, 2, 2);
    const seen: string[] = [];
    let last = [0, 0];
    umap2(X, 60, 4, { onProgress: (phase, done, total) => (seen.push(phase), (last = [done, total])) });
    assert.equal(seen[0], 'neighbours');
    assert.ok(seen.includes('layout'));
    assert.equal(last[0], last[1]);
    assert.ok(last[1]! >= 200);
    assert.deepEqual(umap2(new Float32Array(6), 3, 2), { x: [0, 1, 2], y: [0, 0, 0] });
  });
});

describe('projection sources and head units on tiny-distilbert-o17-gemm', () => {
  const dir = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
  const texts = [
    'a gorgeous, witty, seductive movie.',
    'it is a dull, lifeless film',
    'the plot is thin but the acting is fine',
    'x',
    'an utterly charming and often affecting journey . '.repeat(3),
  ];
  let inspector: Inspector;
  let run: DatasetRun;
  let file: string;
  before(async () => {
    inspector = await Inspector.open({ modelDir: dir, cacheDir: tempDir('dbi-cache-'), threads: 1 });
    file = path.join(tempDir('dbi-proj-'), 'd.jsonl');
    const rows = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({ text: `${texts[i % texts.length]} ${i % 7 === 0 ? 'really' : ''}`.trim(), label: i % 2 }),
    );
    fs.writeFileSync(file, `${rows.join('\n')}\n`);
    const ds = await readDataset(file, { modelLabels: inspector.model.labels });
    run = await runDataset(inspectorModel(inspector), ds, { cacheDir: tempDir('dbi-runs-'), chunk: 8 });
  });
  after(() => inspector.dispose());

  it("pre_classifier, ReLU and block sources equal the inspector's stages for the same text (within 1e-5)", async () => {
    const ds = await readDataset(file, { modelLabels: inspector.model.labels });
    const { dim } = run;
    const pre = sourceRows(run, 'pre'),
      act = sourceRows(run, 'act'),
      cls = sourceRows(run, 'cls'),
      b1 = sourceRows(run, 'block-1');
    for (let i = 0; i < run.count; i += 3) {
      const st = (await inspector.inspect(ds.texts[i]!, { mode: 'truncate' })).windows[0]!.stages;
      const row = (a: Float32Array) => a.subarray(i * dim, (i + 1) * dim);
      assert.ok(
        maxAbsDiff(row(pre), st.preClassifier) <= 1e-5,
        `pre_classifier row ${i}: ${maxAbsDiff(row(pre), st.preClassifier)}`,
      );
      assert.ok(maxAbsDiff(row(act), st.activation) <= 1e-5, `ReLU row ${i}`);
      assert.ok(maxAbsDiff(row(cls), st.cls) <= 1e-5, `cls row ${i}`);
      assert.ok(maxAbsDiff(row(b1), st.layers[0]!) <= 1e-5, `block 1 row ${i}`);
    }
    // The source list names the head's own layers; ids are checked before a request reaches the worker.
    assert.deepEqual(
      projectionSources(2, { denseName: 'pre_classifier', activation: 'relu' }).map((s) => s.id),
      ['block-1', 'cls', 'pre', 'act'],
    );
    assert.ok(
      isProjectionSource('block-2', 2) &&
        !isProjectionSource('block-3', 2) &&
        !isProjectionSource('block-0', 2) &&
        !isProjectionSource('__proto__', 2),
    );
  });

  it('project() runs PCA and UMAP in a worker with the in-thread results, caches them, and cancels', async () => {
    const phases: string[] = [];
    const u = await project(run, 'pre', 'umap', { onProgress: (p) => phases.push(p) });
    assert.deepEqual({ x: u.x, y: u.y }, umap2(sourceRows(run, 'pre'), run.count, run.dim, { seed: u.seed }));
    assert.ok(phases.includes('neighbours') && phases.includes('layout'));
    const p = await project(run, 'act', 'pca');
    const ref = pca2(sourceRows(run, 'act'), run.count, run.dim);
    assert.deepEqual({ x: p.x, y: p.y, explained: p.explained }, { x: ref.x, y: ref.y, explained: ref.explained });
    // A second request reads the kept result: a missing worker file proves no worker ran.
    const again = await project(run, 'pre', 'umap', { workerPath: path.join(tempDir('dbi-none-'), 'missing.js') });
    assert.deepEqual(again.x, u.x);
    const ctrl = new AbortController();
    const pending = project(run, 'block-1', 'umap', { signal: ctrl.signal, onProgress: () => ctrl.abort() });
    await assert.rejects(pending, (e: unknown) => e instanceof InspectorError && e.code === 'CANCELLED');
    assert.ok(!fs.readdirSync(run.cacheDir).some((f) => f.startsWith('projection-v1-block-1-umap')));
  });

  it(
    "mean contribution per label equals numpy on the ONNX file's classifier weights (within 1e-6 logit)",
    { skip: !hasOnnxPython() && 'needs python3-numpy and python3-onnx' },
    async () => {
      const ds = await readDataset(file, { modelLabels: inspector.model.labels });
      const report = buildDatasetReport(inspectorModel(inspector), ds, run, null);
      // numpy reads the classifier Gemm that produces the graph's logits, and the ReLU rows from the run's file.
      const script = `
import sys, json, numpy as np, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1]); g = m.graph
inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
node = next(n for n in g.node if n.output[0] == g.output[0].name)
assert node.op_type == 'Gemm', node.op_type
W = inits[node.input[1]].astype(np.float64)
if not any(a.name == 'transB' and a.i == 1 for a in node.attribute): W = W.T
act = np.fromfile(sys.argv[2], dtype='<f4').astype(np.float64).reshape(-1, W.shape[1])[: int(sys.argv[3])]
out = np.zeros_like(W)
for i in range(act.shape[0]):
    for l in range(W.shape[0]):
        out[l] += act[i] * W[l]
print(json.dumps((out / act.shape[0]).tolist()))
`;
      const want = JSON.parse(
        execFileSync(
          '/usr/bin/python3',
          ['-c', script, path.join(dir, 'onnx', 'model.onnx'), path.join(run.cacheDir, 'act.f32'), String(run.count)],
          { encoding: 'utf8' },
        ),
      ) as number[][];
      inspector.model.labels.forEach((l, k) => {
        const got = report.headUnits.meanContribution[l]!;
        assert.equal(got.length, run.dim);
        assert.ok(maxAbsDiff(got, want[k]!) <= 1e-6, `${l}: ${maxAbsDiff(got, want[k]!)}`);
      });
      // With the bias, the units' mean contributions add up to the mean logit (the classifier is linear).
      const L = inspector.model.labels.length;
      const bias = (await inspector.inspect(ds.texts[0]!, { mode: 'truncate' })).windows[0]!.contributions;
      inspector.model.labels.forEach((l, k) => {
        let mean = 0;
        for (let i = 0; i < run.count; i++) mean += run.logits[i * L + k]! / run.count;
        const sum = bias[l]!.bias + report.headUnits.meanContribution[l]!.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - mean) <= 1e-4, `${l}: ${sum} vs mean logit ${mean}`);
      });
    },
  );
});

function hasOnnxPython(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy, onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
