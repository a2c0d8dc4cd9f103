// Dataset mode figures (`npm run bench` runs this last; `node out/bench/dataset.js [FULL_SIZE_MODEL_DIR]` alone):
// SST-2 dev end to end on the bundled model, cold and reopened from the cache, and 10,000 SST-2 train texts on
// the full-size model against the core's whole-file throughput on the same graph.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readDataset } from '../src/core/dataset/dataset';
import { analyse } from '../src/core/dataset/offThread';
import { buildDatasetReport } from '../src/core/dataset/report';
import { datasetModel, runDataset } from '../src/core/dataset/run';
import { Inspector, defaultModelDir, packageRoot } from '../src/core/inspector';

const SST2 = path.join(packageRoot(), '..', 'shared', 'data', 'sst2');

/** Open, read, run (or load from the cache), metrics and head study: what a user waits for. */
async function endToEnd(modelDir: string, file: string, cacheDir: string, limit?: number) {
  let inspector: Inspector | undefined;
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  try {
    const model = datasetModel(modelDir, 'fp32', async () => (inspector = await Inspector.open({ modelDir, cacheDir })));
    const ds = await readDataset(file, { modelLabels: model.labels, limit });
    const run = await runDataset(model, ds, { cacheDir: path.join(cacheDir, 'datasets') });
    const { study } = await analyse(run, ds.gold, { study: true, projection: false });
    const report = buildDatasetReport(model, ds, run, study);
    const tokens = run.tokens.reduce((a, b) => a + b, 0);
    return { ms: performance.now() - t0, runMs: run.ms, report, tokens, blockMs: h.max / 1e6 };
  } finally {
    h.disable();
    await (inspector as Inspector | undefined)?.dispose();
  }
}

export async function benchDataset(fullSizeDir?: string): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-bench-dataset-'));
  try {
    const dev = path.join(SST2, 'dev.tsv');
    const bundled = defaultModelDir();
    console.log('\n## dataset mode');
    const cold = await endToEnd(bundled, dev, work);
    const warm = await endToEnd(bundled, dev, work);
    const cli = path.join(packageRoot(), 'out', 'src', 'cli', 'main.js');
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'dataset', dev, '--cache-dir', work], { encoding: 'utf8', env: { ...process.env, HOME: work } });
    const cliMs = performance.now() - t0;
    if (r.status !== 0) throw new Error(`dataset CLI failed: ${r.stderr}`);
    console.log(`SST-2 dev (${cold.report.dataset.examples} sentences) on ${path.basename(bundled)}: cold ${(cold.ms / 1000).toFixed(2)} s (model run ${(cold.runMs / 1000).toFixed(2)} s, target <= 5 s), reopened ${(warm.ms / 1000).toFixed(3)} s in the same process (target <= 0.5 s), ${(cliMs / 1000).toFixed(2)} s as a fresh CLI process`);
    console.log(`accuracy ${cold.report.metrics!.accuracy.toFixed(4)} (npm run eval on the same model: 0.8234), reopened ${warm.report.metrics!.accuracy.toFixed(4)}, CLI "${/accuracy: \S+/.exec(r.stdout)?.[0]}"`);
    if (!fullSizeDir) return;
    // 10,000 texts of SST-2 train as a JSONL file, against the whole-file path on 20k tokens of the same text.
    const train = fs.readFileSync(path.join(SST2, 'train.tsv'), 'utf8').split('\n').slice(1, 10_001).map((l) => l.split('\t')[0]!.trim());
    const jsonl = path.join(work, 'train10k.jsonl');
    fs.writeFileSync(jsonl, train.map((t, i) => JSON.stringify({ text: t, label: i % 2 })).join('\n'));
    const many = await endToEnd(fullSizeDir, jsonl, work);
    const inspector = await Inspector.open({ modelDir: fullSizeDir, cacheDir: work });
    try {
      const text = train.join(' ');
      await inspector.inspect(text.slice(0, 2000)); // warm-up
      const t1 = performance.now();
      const ins = await inspector.inspect(text.slice(0, 100_000));
      const fileMs = performance.now() - t1;
      const fileTokS = ins.coverage.tokens / (fileMs / 1000);
      const dsTokS = many.tokens / (many.runMs / 1000);
      console.log(`10,000 texts on ${path.basename(fullSizeDir)}: ${(many.runMs / 1000).toFixed(1)} s, ${(10_000 / (many.runMs / 1000)).toFixed(0)} texts/s, ${dsTokS.toFixed(0)} tok/s; whole-file path ${fileTokS.toFixed(0)} tok/s (${ins.coverage.tokens} tokens, ${ins.windows.length} windows); ratio ${(dsTokS / fileTokS).toFixed(2)}; caller's max event-loop block ${many.blockMs.toFixed(1)} ms`);
    } finally {
      await inspector.dispose();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchDataset(process.argv[2]).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
