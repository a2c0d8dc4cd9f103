// Would independent int8 calls (a file's windows, occlusion's passes: one sequence per call, so that dynamic
// quantization's batch-wide scales never mix neighbours) run faster as two single-thread sessions side by side
// (two worker threads) than one after another on one session with a thread per core? Both sides use two threads
// on the same graph in the same process and alternate round by round, so the machine's load hits both alike.
//   npx tsc -p . && node out/bench/concurrency.js [MODEL_DIR] [ROUNDS]
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { disableOrtTelemetry, loadOrt } from '../src/core/engine/ortRuntime';
import { ModelRuntime } from '../src/core/engine/modelRuntime';
import { lowerThisThreadPriority } from '../src/core/engine/workerPriority';
import { TextTokenizer } from '../src/core/tokenizer/textTokenizer';
import { sst2Corpus, textOfTokens } from './occlusion';

interface Job {
  file: string;
  threads: number;
  tokens: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Worker side: one session (as the engine opens it: sleeping pool, nice +10), runs `k` calls per message. */
async function serve(job: Job): Promise<void> {
  lowerThisThreadPriority();
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(job.file, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: job.threads,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const n = job.tokens;
  const ids = BigInt64Array.from({ length: n }, (_, i) =>
    BigInt(i === 0 ? 101 : i === n - 1 ? 102 : 1000 + ((i * 7919) % 20000)),
  );
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [1, n]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
  };
  parentPort!.on('message', (k: number) => {
    void (async () => {
      for (let i = 0; i < k; i++) await session.run(feeds);
      parentPort!.postMessage('done');
    })();
  });
  parentPort!.postMessage('ready');
}

function start(job: Job): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: job });
    w.once('message', () => resolve(w));
    w.once('error', reject);
  });
}

const ask = (w: Worker, k: number) =>
  new Promise<void>((resolve) => (w.once('message', () => resolve()), w.postMessage(k)));

async function compare(file: string, tokens: number, calls: number, rounds: number): Promise<void> {
  const threads = os.availableParallelism();
  const one = await start({ file, threads, tokens });
  const lanes = await Promise.all(Array.from({ length: threads }, () => start({ file, threads: 1, tokens })));
  await ask(one, 3);
  await Promise.all(lanes.map((w) => ask(w, 3)));
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    await ask(one, calls);
    a.push((performance.now() - t0) / calls);
    t0 = performance.now();
    await Promise.all(lanes.map((w) => ask(w, calls / lanes.length)));
    b.push((performance.now() - t0) / calls);
  }
  const rss = process.memoryUsage().rss / 1e6;
  console.log(
    `| ${path.basename(file)} | ${tokens} | ${median(a).toFixed(1)} | ${median(b).toFixed(1)} | ${(median(a) / median(b)).toFixed(2)} | ${rss.toFixed(0)} | ${os.loadavg()[0]!.toFixed(1)} |`,
  );
  await Promise.all([one, ...lanes].map((w) => w.terminate()));
}

/** The engine's whole-file run (8 windows of 512 tokens, all taps) with lanes and with lanes turned off, alternating. */
async function engineFile(dir: string, rounds: number): Promise<void> {
  const rt = await ModelRuntime.load({
    modelDir: dir,
    cacheDir: path.join(os.tmpdir(), 'distilbert-inspector-bench', 'cache'),
    threads: os.availableParallelism(),
    variant: 'int8',
  });
  try {
    const text = textOfTokens(
      TextTokenizer.fromFolder(dir),
      Array.from({ length: 4 }, () => sst2Corpus()).join(' '),
      4100,
    );
    const req = { text, windowTokens: 512, overlap: 0, mode: 'windows' as const, batchTokens: 1024, topUnits: 5 };
    const none = async () => undefined;
    const plain = Object.create(rt) as ModelRuntime;
    (plain as unknown as { useLanes: () => boolean }).useLanes = () => false;
    await rt.inspect(req, none); // opens the lanes
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t0 = performance.now();
      await plain.inspect(req, none);
      const one = performance.now() - t0;
      t0 = performance.now();
      await rt.inspect(req, none);
      ratios.push(one / (performance.now() - t0));
    }
    console.log(
      `engine whole file, 8 int8 windows: one session / lanes, median of ${rounds} paired ratios ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}), load ${os.loadavg()[0]!.toFixed(1)}`,
    );
  } finally {
    await rt.dispose();
  }
}

async function main(): Promise<void> {
  disableOrtTelemetry();
  const dir = process.argv[2] ?? path.join(os.tmpdir(), 'distilbert-inspector-bench', 'distilbert-full-random');
  const rounds = Number(process.argv[3] ?? 6);
  const threads = os.availableParallelism();
  console.log(
    `# one session x ${threads} threads vs ${threads} sessions x 1 thread side by side (${os.cpus()[0]?.model ?? 'cpu'}), median ms per call over ${rounds} alternating rounds`,
  );
  console.log(
    `| graph | tokens | one session | side by side | speedup | process RSS MB (all ${threads + 1} sessions) | load |`,
  );
  console.log('|---|---|---|---|---|---|---|');
  const int8 = path.join(dir, 'onnx', 'model_int8.onnx');
  await compare(int8, 64, 40, rounds);
  await compare(int8, 512, 8, rounds);
  await engineFile(dir, rounds);
}

if (isMainThread) {
  void main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  void serve(workerData as Job);
}
