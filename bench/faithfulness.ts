// The faithfulness table (comprehensiveness / sufficiency AOPC per attribution method, ERASER) on the bundled
// model over SST-2 dev, and what the attention view costs on a 512-token window. Part of `npm run bench`; also
// runs alone: `node out/bench/faithfulness.js [N sentences, default 200; 0 = all 872]`. Figures, not pass/fail.
import * as os from 'node:os';
import * as path from 'node:path';
import { readTsv } from '../src/cli/eval';
import { formatFaithfulnessTable, scoreMethods } from '../src/cli/faithfulness';
import { DEFAULT_BUDGET } from '../src/core/attribution/explain';
import { Inspector, defaultModelDir, packageRoot } from '../src/core/inspector';

/** Sentences scored by `npm run bench` (the full 872 take ~30 min on 2 shared cores). */
export const BENCH_SENTENCES = Number(process.env['DBI_BENCH_FAITHFULNESS'] ?? 200);

export async function benchFaithfulness(modelDir: string, cacheDir: string, limit = BENCH_SENTENCES): Promise<void> {
  const data = path.join(packageRoot(), '..', 'shared', 'data', 'sst2', 'dev.tsv');
  const all = readTsv(data).map((r) => r.sentence);
  const sentences = limit > 0 ? all.slice(0, limit) : all;
  const inspector = await Inspector.open({ modelDir, cacheDir });
  try {
    // The attention view's data for a 512-token window: [CLS] rows (the grid) and the full matrices (head view).
    const long = all.join(' ');
    await inspector.attention('warm up');
    for (const full of [false, true]) {
      const t0 = performance.now();
      const a = await inspector.attention(long, { mode: 'truncate', full });
      const w = a.windows[0]!;
      console.log(
        `attention of a ${w.seq}-token window (${w.layers} layers x ${w.heads} heads${full ? ', full matrices' : ', [CLS] rows + rollout'}): ${(performance.now() - t0).toFixed(0)} ms`,
      );
    }
    console.log(
      `\n## faithfulness on ${path.basename(modelDir)}, first ${sentences.length} of ${all.length} SST-2 dev sentences (SHAP budget ${DEFAULT_BUDGET})`,
    );
    const rows = await scoreMethods(inspector, sentences, ['occlusion', 'shap', 'rollout'], DEFAULT_BUDGET);
    console.log(
      `(load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')})`,
    );
    console.log(formatFaithfulnessTable(rows));
  } finally {
    await inspector.dispose();
  }
}

if (require.main === module) {
  const arg = process.argv[2];
  void benchFaithfulness(
    defaultModelDir(),
    path.join(os.tmpdir(), 'distilbert-inspector-bench', 'cache'),
    arg === undefined ? BENCH_SENTENCES : Number(arg),
  ).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
