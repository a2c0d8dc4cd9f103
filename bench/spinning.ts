// ONNX Runtime's intra-op pool: spinning (threads busy-wait between ops) vs sleeping (allow_spinning 0, the
// engine's setting), measured on the tapped full-size graphs as the engine runs them, on an idle machine and
// with a second process busy on one core (a user's build or test run). Figures, not pass/fail:
//   npx tsc -p . && node out/bench/spinning.js [MODEL_DIR]    (default: the bench's full-size random model)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { prepareTappedModel } from '../src/core/onnx/taps';
import { findDtypeFile } from '../src/core/model/variants';

const LENGTHS = [16, 128];
const RUNS = 30;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(file: string, spinning: boolean, n: number): Promise<number> {
  const session = await ort.InferenceSession.create(file, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: os.availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } },
  });
  const ids = new BigInt64Array(n).fill(1000n);
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [1, n]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
  };
  await session.run(feeds);
  const ts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    ts.push(performance.now() - t0);
    // A user's pace: a pause between calls lets a sleeping pool go to sleep, as between keystrokes.
    await new Promise((r) => setTimeout(r, 20));
  }
  await session.release();
  return median(ts);
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? path.join(os.tmpdir(), 'distilbert-inspector-bench', 'distilbert-full-random');
  // A private cache: the tapped copies must not be pruned by another run while this one reads them.
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'distilbert-inspector-spinning-'));
  const graphs: [string, string][] = [];
  for (const dtype of ['fp32', 'int8'] as const) {
    const file = findDtypeFile(dir, dtype);
    if (file) graphs.push([dtype, (await prepareTappedModel(file, cache)).path]);
  }
  console.log(
    `# thread pool spinning (${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores), median of ${RUNS} calls 20 ms apart, ms`,
  );
  console.log('| load | graph | tokens | allow_spinning 0 | allow_spinning 1 | spin / sleep |');
  console.log('|---|---|---|---|---|---|');
  for (const load of ['idle', 'one core busy'] as const) {
    const busy = load === 'idle' ? undefined : spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
    try {
      for (const [dtype, file] of graphs) {
        for (const n of LENGTHS) {
          const sleep = await measure(file, false, n);
          const spin = await measure(file, true, n);
          console.log(
            `| ${load} | ${dtype} | ${n} | ${sleep.toFixed(1)} | ${spin.toFixed(1)} | ${(spin / sleep).toFixed(2)} |`,
          );
        }
      }
    } finally {
      busy?.kill();
    }
  }
  console.log(
    `(load average at the end ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')})`,
  );
  fs.rmSync(cache, { recursive: true, force: true });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
