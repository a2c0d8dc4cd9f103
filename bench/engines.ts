// Each engine of `npm run bench` measured in its own child process: ours (Inspector, worker thread, all taps),
// raw ONNX Runtime (session.run on the untapped graph) and transformers.js. Measured side by side in one process,
// the engines disturbed each other: the other sessions' thread pools (spinning by default) and the garbage of
// transformers.js's runs landed in our timings (16 tokens: ours 32 ms in the shared process, 14 ms alone). So
// each phase is a fresh process holding one engine's session only, warmed up, with the same intra-op thread count
// (one per core), and the phases alternate over several rounds so a change of the machine's load hits all of
// them alike; a figure is the median over rounds of each round's median.
//   child: node --expose-gc out/bench/engines.js '{"engine":"raw","variant":"fp32","modelDir":"...",...}'
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type * as Ort from 'onnxruntime-node';
import { loadOrt } from '../src/core/engine/ortRuntime';
import { Inspector } from '../src/core/inspector';
import { TextTokenizer } from '../src/core/tokenizer/textTokenizer';
import { sst2Corpus, textOfTokens } from './occlusion';

export const LENGTHS = [16, 64, 128, 512];
export const THREADS = os.availableParallelism();
const FILE_TOKENS = 20_000;

/** The engines compared. */
export type Engine = 'ours' | 'raw' | 'rawSleep' | 'tjs';

/** What one child measures. */
export interface PhaseSpec {
  engine: Engine;
  variant: 'fp32' | 'int8';
  modelDir: string;
  cacheDir: string;
  /** Also the whole-file run (20,000 tokens in 512-token windows). */
  file: boolean;
}

/** One child's figures: median ms per length, and the whole-file run when asked. */
export interface PhaseResult {
  single: number[];
  /** ours only: median ms per length outside the worker's own inspect (message round trip, packing, unpacking). */
  roundTrip?: number[];
  file?: { tokS: number; blockMs: number; tokSOverlap?: number; tokSSeq?: number; windows: number; tokens: number };
}

interface TjsModule {
  env: { allowRemoteModels: boolean; localModelPath: string; allowLocalModels: boolean };
  pipeline(
    task: string,
    model: string,
    opts: Record<string, unknown>,
  ): Promise<((t: string | string[]) => Promise<unknown>) & { dispose(): Promise<void> }>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Raw ONNX Runtime as a user of the bare library gets it: default pool policy (spinning), one thread per core. */
const RAW_OPTS: Ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  intraOpNumThreads: THREADS,
  interOpNumThreads: 1,
};
/** The same with the engine's pool policy (threads sleep between ops): what is left of our overhead without the policy. */
const RAW_SLEEP_OPTS: Ort.InferenceSession.SessionOptions = {
  ...RAW_OPTS,
  extra: { session: { intra_op: { allow_spinning: '0' } } },
};

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up: session, arena, thread pool, JIT
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/**
 * Longest event-loop block (ms) of this process while `fn` runs. The heap is collected first (--expose-gc) so
 * the figure is the run's own, not a major GC owed to the garbage of the measurement before it.
 */
async function blockOf<T>(fn: () => Promise<T>): Promise<{ value: T; blockMs: number; ms: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  h.disable();
  return { value, blockMs: h.max / 1e6, ms };
}

/** The whole-file text and its 512-token windows (no overlap), as the engine reads them. */
function fileWindows(
  tok: TextTokenizer,
  corpus: string,
  maxLength: number,
): { file: string; windows: string[]; tokens: number } {
  const file = textOfTokens(tok, corpus, FILE_TOKENS + 2);
  const pieces = tok.tokenize(file);
  const per = maxLength - 2;
  const windows: string[] = [];
  for (let i = 0; i < pieces.length; i += per) {
    const chunk = pieces.slice(i, i + per);
    windows.push(file.slice(chunk[0]!.start, chunk[chunk.length - 1]!.end));
  }
  return { file, windows, tokens: pieces.length + 2 * windows.length };
}

async function measureChild(spec: PhaseSpec): Promise<PhaseResult> {
  const corpus = Array.from({ length: 4 }, () => sst2Corpus()).join(' ');
  const tok = TextTokenizer.fromFolder(spec.modelDir);
  const runsFor = (n: number) => (n >= 512 ? 8 : 20);
  const texts = LENGTHS.map((n) => textOfTokens(tok, corpus, n));
  const result: PhaseResult = { single: [] };
  if (spec.engine === 'ours') {
    const inspector = await Inspector.open({ modelDir: spec.modelDir, cacheDir: spec.cacheDir, variant: spec.variant });
    try {
      result.roundTrip = [];
      for (const [i, text] of texts.entries()) {
        const trips: number[] = [];
        result.single.push(
          await timeIt(runsFor(LENGTHS[i]!), async () => {
            const t0 = performance.now();
            const r = await inspector.inspect(text);
            trips.push(performance.now() - t0 - r.timing.totalMs);
          }),
        );
        result.roundTrip.push(median(trips));
      }
      if (spec.file) {
        const { file } = fileWindows(tok, corpus, inspector.model.maxLength);
        const first = await inspector.inspect(file, { overlap: 0 });
        const tokens = first.windows.reduce((s, w) => s + w.tokenCount, 0);
        const o = await blockOf(() => inspector.inspect(file, { overlap: 0 }));
        const ov = await blockOf(() => inspector.inspect(file));
        result.file = {
          tokS: tokens / (o.ms / 1000),
          blockMs: Math.max(o.blockMs, ov.blockMs),
          tokSOverlap: tokens / (ov.ms / 1000),
          windows: first.windows.length,
          tokens,
        };
      }
    } finally {
      await inspector.dispose();
    }
    return result;
  }
  if (spec.engine === 'raw' || spec.engine === 'rawSleep') {
    const ort = loadOrt();
    const file = path.join(spec.modelDir, 'onnx', spec.variant === 'fp32' ? 'model.onnx' : 'model_int8.onnx');
    const session = await ort.InferenceSession.create(file, spec.engine === 'raw' ? RAW_OPTS : RAW_SLEEP_OPTS);
    try {
      for (const [i, text] of texts.entries()) {
        const enc = tok.encode(text, Number.MAX_SAFE_INTEGER);
        const dims = [1, enc.ids.length];
        const feeds = {
          input_ids: new ort.Tensor('int64', BigInt64Array.from(enc.ids.map(BigInt)), dims),
          attention_mask: new ort.Tensor('int64', BigInt64Array.from(enc.attentionMask.map(BigInt)), dims),
        };
        result.single.push(await timeIt(runsFor(LENGTHS[i]!), () => session.run(feeds)));
      }
    } finally {
      await session.release();
    }
    return result;
  }
  loadOrt(); // telemetry off before transformers.js loads its onnxruntime-node
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- transformers.js must load after loadOrt()
  const tjs = require('@huggingface/transformers') as TjsModule;
  tjs.env.allowRemoteModels = false;
  tjs.env.allowLocalModels = true;
  tjs.env.localModelPath = path.dirname(spec.modelDir);
  const pipe = await tjs.pipeline('text-classification', path.basename(spec.modelDir), {
    dtype: spec.variant,
    local_files_only: true,
    session_options: { intraOpNumThreads: THREADS },
  });
  try {
    for (const [i, text] of texts.entries()) result.single.push(await timeIt(runsFor(LENGTHS[i]!), () => pipe(text)));
    if (spec.file) {
      const { windows, tokens } = fileWindows(tok, corpus, 512);
      await pipe(windows.slice(0, 2)); // warm the batched path
      const t = await blockOf(() => pipe(windows));
      const seq = await blockOf(async () => {
        for (const w of windows) await pipe(w);
      });
      result.file = {
        tokS: tokens / (t.ms / 1000),
        blockMs: Math.max(t.blockMs, seq.blockMs),
        tokSSeq: tokens / (seq.ms / 1000),
        windows: windows.length,
        tokens,
      };
    }
  } finally {
    await pipe.dispose();
  }
  return result;
}

/** Runs one phase in a fresh process (this file as the child) and returns its figures. */
export function runPhase(spec: PhaseSpec): PhaseResult {
  const out = execFileSync(process.execPath, ['--expose-gc', __filename, JSON.stringify(spec)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as PhaseResult;
}

/** Figures of the three engines on one graph: per-round phases in rotating order, medians over rounds. */
export interface EngineFigures {
  ours: PhaseResult;
  raw: PhaseResult;
  rawSleep: PhaseResult;
  tjs: PhaseResult;
  rounds: number;
}

/**
 * `rounds` rounds of ours / raw / transformers.js, each in its own process; the order rotates each round. The
 * whole-file run is done in the first `fileRounds` rounds (it is long: transformers.js reads 20,000 tokens twice).
 */
export function measureEngines(
  base: Omit<PhaseSpec, 'engine' | 'file'>,
  rounds: number,
  fileRounds: number,
): EngineFigures {
  const engines: Engine[] = ['ours', 'raw', 'rawSleep', 'tjs'];
  const got: Record<Engine, PhaseResult[]> = { ours: [], raw: [], rawSleep: [], tjs: [] };
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < engines.length; k++) {
      const engine = engines[(r + k) % engines.length]!;
      const res = runPhase({ ...base, engine, file: (engine === 'ours' || engine === 'tjs') && r < fileRounds });
      got[engine].push(res);
      console.log(
        `  round ${r + 1} ${engine.padEnd(8)}: ${res.single.map((ms, i) => `${LENGTHS[i]} tok ${ms.toFixed(1)} ms`).join(', ')}${res.file ? `; file ${res.file.tokS.toFixed(0)} tok/s` : ''} (load ${os.loadavg()[0]!.toFixed(1)})`,
      );
    }
  }
  const combine = (rs: PhaseResult[]): PhaseResult => {
    const files = rs.flatMap((x) => (x.file ? [x.file] : []));
    const pick = (f: (x: NonNullable<PhaseResult['file']>) => number | undefined) =>
      files.length ? median(files.map((x) => f(x) ?? 0)) : 0;
    return {
      single: LENGTHS.map((_, i) => median(rs.map((x) => x.single[i]!))),
      ...(rs[0]!.roundTrip ? { roundTrip: LENGTHS.map((_, i) => median(rs.map((x) => x.roundTrip![i]!))) } : {}),
      ...(files.length
        ? {
            file: {
              tokS: pick((x) => x.tokS),
              blockMs: Math.max(...files.map((x) => x.blockMs)),
              tokSOverlap: pick((x) => x.tokSOverlap),
              tokSSeq: pick((x) => x.tokSSeq),
              windows: files[0]!.windows,
              tokens: files[0]!.tokens,
            },
          }
        : {}),
    };
  };
  return {
    ours: combine(got.ours),
    raw: combine(got.raw),
    rawSleep: combine(got.rawSleep),
    tjs: combine(got.tjs),
    rounds,
  };
}

if (require.main === module && process.argv[2]) {
  measureChild(JSON.parse(process.argv[2]) as PhaseSpec).then(
    (r) => console.log(JSON.stringify(r)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
