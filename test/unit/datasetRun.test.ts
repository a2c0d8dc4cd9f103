// A dataset through the worker: every row's vectors against torch's own values, then the on-disk cache
// (reopen without the model, resume after a cancel).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, isolateHome, maxAbsDiff, readReference, tempDir } from './helpers';

isolateHome();
import { Inspector, InspectorError } from '../../src/core/inspector';
import { readDataset } from '../../src/core/dataset/dataset';
import { inspectorModel, runDataset } from '../../src/core/dataset/run';
import { analyse } from '../../src/core/dataset/offThread';
import { headStudy } from '../../src/core/dataset/headStudy';
import { pca2 } from '../../src/core/dataset/projection';

const dir = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
const ref = readReference(dir);

describe('dataset run on tiny-distilbert-o17-gemm', () => {
  let inspector: Inspector;
  let file: string;
  before(async () => {
    inspector = await Inspector.open({ modelDir: dir, cacheDir: tempDir('dbi-cache-'), threads: 1 });
    // 5 copies of the reference texts: several batches and chunks, mixed lengths, one truncated text.
    const lines: string[] = [];
    for (let k = 0; k < 5; k++) ref.cases.forEach((c, i) => lines.push(JSON.stringify({ text: c.text, label: i % 2 })));
    file = path.join(tempDir('dbi-ds-'), 'ref.jsonl');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
  });
  after(() => inspector.dispose());

  it("batched across texts, every row matches torch's logits, [CLS] per block and ReLU within 1e-4", async () => {
    const ds = await readDataset(file, { modelLabels: inspector.model.labels });
    const run = await runDataset(inspectorModel(inspector), ds, { cacheDir: tempDir('dbi-runs-'), chunk: 16 });
    const { dim, nLayers } = run;
    for (let i = 0; i < run.count; i++) {
      const c = ref.cases[i % ref.cases.length]!;
      const row = (a: Float32Array, w: number) => a.subarray(i * w, (i + 1) * w);
      assert.ok(maxAbsDiff(row(run.logits, 2), c.logits) <= ref.tolerance, `logits ${i}`);
      assert.ok(maxAbsDiff(row(run.cls, dim), c.cls) <= ref.tolerance, `cls ${i}`);
      assert.ok(maxAbsDiff(row(run.act, dim), c.relu) <= ref.tolerance, `relu ${i}`);
      c.layers.forEach((l, k) =>
        assert.ok(
          maxAbsDiff(run.layers.subarray((i * nLayers + k) * dim, (i * nLayers + k + 1) * dim), l) <= ref.tolerance,
          `layer ${k} row ${i}`,
        ),
      );
      assert.equal(run.tokens[i], c.ids.length);
      assert.equal(run.truncated[i], c.truncated ? 1 : 0);
    }
  });

  it('reopens from the cache without running the model, and resumes a cancelled run', async () => {
    const ds = await readDataset(file, { modelLabels: inspector.model.labels });
    const cacheDir = tempDir('dbi-runs-');
    const fresh = await runDataset(inspectorModel(inspector), ds, { cacheDir: tempDir('dbi-runs-'), chunk: 8 });
    const ctrl = new AbortController();
    let seen = 0;
    await assert.rejects(
      runDataset(inspectorModel(inspector), ds, {
        cacheDir,
        chunk: 8,
        signal: ctrl.signal,
        onProgress: (done) => {
          seen = done;
          if (done >= 16) ctrl.abort();
        },
      }),
      (e: unknown) => e instanceof InspectorError && e.code === 'CANCELLED',
    );
    assert.ok(seen >= 16);
    const resumed = await runDataset(inspectorModel(inspector), ds, { cacheDir, chunk: 8 });
    // Rows of finished chunks were kept; the chunk under way when the cancel came is run again.
    assert.ok(
      resumed.fromCache >= 8 && resumed.fromCache % 8 === 0 && resumed.fromCache < ds.texts.length,
      `resumed from ${resumed.fromCache}`,
    );
    assert.deepEqual(resumed.logits, fresh.logits);
    assert.deepEqual(resumed.layers, fresh.layers);
    // A crash mid-append leaves extra bytes after the recorded rows: they are cut, not misread.
    fs.appendFileSync(path.join(resumed.cacheDir, 'logits.f32'), new Uint8Array(12));
    const reopened = await runDataset(inspectorModel(inspector), ds, { cacheDir, chunk: 8 });
    assert.equal(reopened.fromCache, ds.texts.length);
    assert.deepEqual(reopened.act, fresh.act);
    // Another file content (one text changed) is another cache entry.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"x"', '"y"'));
    const changed = await runDataset(
      inspectorModel(inspector),
      await readDataset(file, { modelLabels: inspector.model.labels }),
      { cacheDir, chunk: 8 },
    );
    assert.equal(changed.fromCache, 0);
  });

  it('the study and PCA run in a worker thread with the same results as in-thread; the study is cached', async () => {
    const ds = await readDataset(file, { modelLabels: inspector.model.labels });
    const run = await runDataset(inspectorModel(inspector), ds, { cacheDir: tempDir('dbi-runs-') });
    const out = await analyse(run, ds.gold, { study: true, projection: true });
    assert.deepEqual(out.study, headStudy({ ...run, gold: ds.gold! }));
    assert.deepEqual(out.projection, pca2(run.cls, run.count, run.dim));
    // Reopened: the study and the PCA come from their files, so no worker is needed (a missing worker file proves it).
    const again = await analyse(
      run,
      ds.gold,
      { study: true, projection: true },
      path.join(tempDir('dbi-none-'), 'missing.js'),
    );
    assert.deepEqual(again.study, out.study);
    assert.deepEqual(again.projection, out.projection);
  });
});
