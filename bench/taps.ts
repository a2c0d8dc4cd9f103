// Cost of the activation taps on one model file: the first prepare (hash + positional read + edit), a
// cached prepare, session creation and run latency, tapped vs untapped. Each phase runs in a fresh
// child process so peak RSS (getrusage maxrss) belongs to that phase alone.
//   npx tsc -p . && node out/bench/taps.js --model /tmp/full/onnx/model.onnx [--seq 128] [--runs 30]
// A full-size random DistilBERT for --model: /usr/bin/python3 bench/make_full_size.py OUT_DIR TOKENIZER_DIR.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

type Phase = 'baseline' | 'prepare' | 'session' | 'compare';

interface PhaseResult {
  ms: number;
  /** CPU time (user + system) of the phase: less distorted than wall time when other work shares the cores. */
  cpuMs?: number;
  maxRssMb: number;
  fromCache?: boolean;
  /** compare phase: medians for [untapped, tapped]. */
  createMs?: [number, number];
  runMedianMs?: [number, number];
  runP90Ms?: [number, number];
  runCpuMedianMs?: [number, number];
}

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function child(
  phase: Phase,
  model: string,
  cache: string,
  tapped: boolean,
  seq: number,
  runs: number,
): Promise<PhaseResult> {
  const t0 = performance.now();
  const c0 = cpuNow();
  if (phase === 'baseline') return { ms: 0, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { prepareTappedModel } = require('../src/core/onnx/taps') as typeof import('../src/core/onnx/taps');
  if (phase === 'prepare') {
    const p = await prepareTappedModel(model, cache);
    return {
      ms: performance.now() - t0,
      cpuMs: cpuNow() - c0,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      fromCache: p.fromCache,
    };
  }
  const p = await prepareTappedModel(model, cache);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadOrt } = require('../src/core/engine/ortRuntime') as typeof import('../src/core/engine/ortRuntime');
  const ort = loadOrt();
  const create = async (withTaps: boolean): Promise<[import('onnxruntime-node').InferenceSession, number, number]> => {
    const s0 = performance.now();
    const sc = cpuNow();
    const s = await ort.InferenceSession.create(withTaps ? p.path : model, {
      graphOptimizationLevel: 'all',
      intraOpNumThreads: 2,
    });
    return [s, performance.now() - s0, cpuNow() - sc];
  };
  if (phase === 'session') {
    const [, ms, cpuMs] = await create(tapped);
    return { ms, cpuMs, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  // compare: both sessions in one process, created and run alternately so load from other processes on
  // this shared machine hits both sides alike.
  const creates: [number[], number[]] = [[], []];
  const sessions: import('onnxruntime-node').InferenceSession[] = [];
  for (let round = 0; round < 2; round++) {
    for (const side of [0, 1] as const) {
      const [s, ms] = await create(side === 1);
      creates[side].push(ms);
      if (round === 1) sessions[side] = s;
      else await s.release();
    }
  }
  const ids = BigInt64Array.from({ length: seq }, (_, i) =>
    BigInt(i === 0 ? 101 : i === seq - 1 ? 102 : 1000 + ((i * 7919) % 20000)),
  );
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [1, seq]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(seq).fill(1n), [1, seq]),
  };
  const o = p.plan.outputs;
  const fetches: [string[], string[]] = [
    [o.logits],
    [...new Set([o.logits, o.cls, o.preClassifier, o.relu, ...o.layers])],
  ];
  const times: [number[], number[]] = [[], []];
  const cpu: [number[], number[]] = [[], []];
  for (let i = 0; i < runs + 3; i++) {
    for (const side of [0, 1] as const) {
      const r0 = performance.now();
      const rc = cpuNow();
      await sessions[side]!.run(feeds, fetches[side]!);
      if (i >= 3) {
        times[side].push(performance.now() - r0);
        cpu[side].push(cpuNow() - rc);
      }
    }
  }
  const q = (xs: number[], f: number): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * f)]!;
  return {
    ms: performance.now() - t0,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    createMs: [q(creates[0], 0.5), q(creates[1], 0.5)],
    runMedianMs: [q(times[0], 0.5), q(times[1], 0.5)],
    runP90Ms: [q(times[0], 0.9), q(times[1], 0.9)],
    runCpuMedianMs: [q(cpu[0], 0.5), q(cpu[1], 0.5)],
  };
}

function spawn(phase: Phase, model: string, cache: string, home: string, tapped = true): PhaseResult {
  const out = execFileSync(
    process.execPath,
    [__filename, '--child', phase, '--model', model, '--cache', cache, '--tapped', String(tapped), ...passThrough()],
    {
      env: { ...process.env, HOME: home },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as PhaseResult;
}

function passThrough(): string[] {
  return ['seq', 'runs'].flatMap((k) => (arg(k) ? [`--${k}`, arg(k)!] : []));
}

const f1 = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(1));

function main(): void {
  const model = arg('model');
  if (!model || !fs.existsSync(model)) {
    console.error(
      'bench/taps: pass --model PATH/TO/model.onnx (e.g. a full-size random DistilBERT from bench/make_full_size.py)',
    );
    process.exit(2);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-taps-'));
  const home = path.join(work, 'home');
  const cache = path.join(work, 'cache');
  fs.mkdirSync(home);
  try {
    const size = fs.statSync(model).size;
    const base = spawn('baseline', model, cache, home);
    const cold = spawn('prepare', model, cache, home);
    const warm = spawn('prepare', model, cache, home);
    const rows: [string, PhaseResult][] = [
      ['node baseline (empty child)', base],
      [`first prepare (hash + edit), fromCache=${cold.fromCache}`, cold],
      [`cached prepare, fromCache=${warm.fromCache}`, warm],
    ];
    for (const tapped of [false, true])
      rows.push([
        `session create alone, ${tapped ? 'tapped' : 'untapped'}`,
        spawn('session', model, cache, home, tapped),
      ]);
    const cmp = spawn('compare', model, cache, home);
    console.log(
      `model ${model} (${(size / 1e6).toFixed(1)} MB), ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    console.log('| phase (fresh process each) | wall ms | CPU ms | peak RSS MB |');
    console.log('|---|---|---|---|');
    for (const [name, r] of rows) console.log(`| ${name} | ${f1(r.ms)} | ${f1(r.cpuMs)} | ${f1(r.maxRssMb)} |`);
    console.log(
      `\ninterleaved in one process, graphOptimizationLevel all, 2 threads, 1 x ${arg('seq', '128')} tokens, ${arg('runs', '30')} runs each:`,
    );
    console.log('| | untapped (logits) | tapped (all taps) |');
    console.log('|---|---|---|');
    console.log(`| session create median ms | ${f1(cmp.createMs?.[0])} | ${f1(cmp.createMs?.[1])} |`);
    console.log(`| run median ms | ${f1(cmp.runMedianMs?.[0])} | ${f1(cmp.runMedianMs?.[1])} |`);
    console.log(`| run p90 ms | ${f1(cmp.runP90Ms?.[0])} | ${f1(cmp.runP90Ms?.[1])} |`);
    console.log(
      `| run CPU median ms (both threads) | ${f1(cmp.runCpuMedianMs?.[0])} | ${f1(cmp.runCpuMedianMs?.[1])} |`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (arg('child')) {
  const seq = Number(arg('seq', '128'));
  const runs = Number(arg('runs', '30'));
  void child(arg('child') as Phase, arg('model')!, arg('cache')!, arg('tapped') !== 'false', seq, runs).then((r) =>
    console.log(JSON.stringify(r)),
  );
} else {
  main();
}
