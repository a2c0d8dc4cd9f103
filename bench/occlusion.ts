// The cost of occlusion ("which words drove the decision") for 16, 64 and 256-token texts: one forward pass
// per word plus the baseline, batched under BATCH_TOKENS, logits only. Part of `npm run bench` (bench/main.ts);
// also runs alone: `node out/bench/occlusion.js [MODEL_DIR...]`. Figures, not pass/fail.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTsv } from '../src/cli/eval';
import { Inspector, defaultModelDir, packageRoot } from '../src/core/inspector';
import { TextTokenizer } from '../src/core/tokenizer/textTokenizer';

export const OCCLUSION_LENGTHS = [16, 64, 256];

/** One measured occlusion run. */
export interface OcclusionRow {
  model: string;
  tokens: number;
  words: number;
  forwardPasses: number;
  batches: number;
  wallMs: number;
  inferenceMs: number;
  /** One ordinary inspection of the same text, measured alongside: occlusion's cost in "classifications". */
  inspectMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A text of exactly `n` tokens ([CLS] and [SEP] included), cut after a whole word. */
export function textOfTokens(tok: TextTokenizer, corpus: string, n: number): string {
  const pieces = tok.tokenize(corpus);
  let k = n - 2;
  while (k > 0 && pieces[k]!.text.startsWith('##')) k--;
  return corpus.slice(0, pieces[k - 1]!.end);
}

export function sst2Corpus(): string {
  return readTsv(path.join(packageRoot(), '..', 'shared', 'data', 'sst2', 'dev.tsv'))
    .map((r) => r.sentence.trim())
    .join(' ');
}

/** Occlusion (unit 'word') of 16/64/256-token texts on one model; median wall time of a few runs after a warm-up. */
export async function benchOcclusion(
  modelDir: string,
  corpus: string,
  cacheDir: string,
  variant: 'fp32' | 'int8' = 'fp32',
): Promise<OcclusionRow[]> {
  const name = variant === 'fp32' ? path.basename(modelDir) : `${path.basename(modelDir)} (${variant})`;
  const tok = TextTokenizer.fromFolder(modelDir);
  const inspector = await Inspector.open({ modelDir, cacheDir, variant });
  const rows: OcclusionRow[] = [];
  try {
    await inspector.occlude(textOfTokens(tok, corpus, 16)); // warm-up: session and thread pool
    for (const n of OCCLUSION_LENGTHS) {
      const text = textOfTokens(tok, corpus, n);
      const first = await inspector.occlude(text);
      // A full-size 256-token run is ~200 passes of up to 256 tokens: a few runs are enough for a median.
      const runs = first.totalMs > 5000 ? 1 : first.totalMs > 1000 ? 3 : 7;
      const walls: number[] = [];
      const infers: number[] = [];
      const inspects: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const r = await inspector.occlude(text);
        walls.push(performance.now() - t0);
        infers.push(r.inferenceMs);
        // Interleaved, so both see the same machine load.
        const t1 = performance.now();
        await inspector.inspect(text);
        inspects.push(performance.now() - t1);
      }
      const row: OcclusionRow = {
        model: name,
        tokens: first.coverage.windowTokens,
        words: first.items.length,
        forwardPasses: first.forwardPasses,
        batches: first.batches,
        wallMs: median(walls),
        inferenceMs: median(infers),
        inspectMs: median(inspects),
      };
      rows.push(row);
      console.log(
        `occlusion ${String(row.tokens).padStart(3)} tokens: ${row.words} words -> ${row.forwardPasses} forward passes in ${row.batches} ONNX calls, ` +
          `${row.wallMs.toFixed(1)} ms wall (${(row.wallMs / row.forwardPasses).toFixed(2)} ms/pass; median of ${runs}); ` +
          `one inspect of the same text ${row.inspectMs.toFixed(1)} ms (x${(row.wallMs / row.inspectMs).toFixed(1)})`,
      );
    }
  } finally {
    await inspector.dispose();
  }
  return rows;
}

export function printOcclusionTable(rows: OcclusionRow[]): void {
  console.log(
    `\n(load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${os.availableParallelism()} cores)`,
  );
  console.log(
    '| model | tokens | words | forward passes | ONNX calls | wall ms | ms per pass | one inspect ms | occlusion / inspect |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.model} | ${r.tokens} | ${r.words} | ${r.forwardPasses} | ${r.batches} | ${r.wallMs.toFixed(1)} | ${(r.wallMs / r.forwardPasses).toFixed(2)} | ` +
        `${r.inspectMs.toFixed(1)} | ${(r.wallMs / r.inspectMs).toFixed(1)} |`,
    );
  }
}

if (require.main === module) {
  void (async () => {
    const work = path.join(os.tmpdir(), 'distilbert-inspector-bench');
    fs.mkdirSync(work, { recursive: true });
    const dirs = process.argv.slice(2);
    if (dirs.length === 0) dirs.push(defaultModelDir());
    const corpus = Array.from({ length: 4 }, () => sst2Corpus()).join(' ');
    const rows: OcclusionRow[] = [];
    for (const dir of dirs) {
      console.log(`\n## occlusion on ${path.basename(dir)}`);
      rows.push(...(await benchOcclusion(dir, corpus, path.join(work, 'cache'))));
    }
    printOcclusionTable(rows);
  })().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
