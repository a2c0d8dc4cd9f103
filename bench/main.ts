// `npm run bench`: this core (worker thread, all taps) vs transformers.js's text-classification pipeline on the
// same ONNX file, tokenizer and onnxruntime-node. Prints medians; figures, not pass/fail.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readTsv } from '../src/cli/eval';
import type * as Ort from 'onnxruntime-node';
import { loadOrt } from '../src/core/engine/ortRuntime';
import { Inspector, defaultModelDir, packageRoot } from '../src/core/inspector';
import { detectCpu } from '../src/core/quantize/cpu';
import { quantizeModelFile } from '../src/core/quantize/quantizeGraph';
import { TextTokenizer } from '../src/core/tokenizer/textTokenizer';
import { benchFaithfulness } from './faithfulness';
import { benchDataset } from './dataset';
import { benchProjectionFps } from './projectionFps';
import { benchOcclusion, printOcclusionTable, type OcclusionRow } from './occlusion';
import { benchLens } from './lens';

const LENGTHS = [16, 64, 128, 512];
const FILE_TOKENS = 20_000;
const WORK = path.join(os.tmpdir(), 'distilbert-inspector-bench');

interface TjsModule {
  env: { allowRemoteModels: boolean; localModelPath: string; allowLocalModels: boolean };
  pipeline(task: string, model: string, opts: Record<string, unknown>): Promise<(t: string | string[]) => Promise<unknown>>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/**
 * Longest event-loop block (ms) of this process while `fn` runs. The heap is collected first (npm run bench passes
 * --expose-gc) so the figure is the run's own, not a major GC owed to the garbage of the measurement before it
 * (transformers.js's single-text runs left one that landed in ours as a 47 ms block).
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

/** A text of exactly `n` tokens ([CLS] and [SEP] included) cut from SST-2 dev sentences. */
function textOfTokens(tok: TextTokenizer, corpus: string, n: number): string {
  const pieces = tok.tokenize(corpus);
  if (pieces.length < n - 2) throw new Error('corpus too short');
  // Cut after a whole word so the text re-tokenizes to the same pieces.
  let k = n - 2;
  while (k > 0 && pieces[k]!.text.startsWith('##')) k--;
  return corpus.slice(0, pieces[k - 1]!.end);
}

function fullSizeModel(tokenizerDir: string): string {
  const dir = path.join(WORK, 'distilbert-full-random');
  if (fs.existsSync(path.join(dir, 'onnx', 'model.onnx'))) return dir;
  console.log(`exporting a full-size random DistilBERT to ${dir} (torch, ~20 s)...`);
  const r = spawnSync('/usr/bin/python3', [path.join(packageRoot(), 'bench', 'make_full_size.py'), dir, tokenizerDir], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('export failed: needs Debian python3-torch and python3-onnx');
  return dir;
}

/** One graph of one model: our inspect, raw ORT on the untapped graph, transformers.js at its best thread setting. */
interface Row {
  model: string;
  variant: 'fp32' | 'int8';
  ours: number[];
  raw: number[];
  theirs: number[];
  /** Which transformers.js setting was faster per length ("default" or "Nt"). */
  theirsSetting: string[];
  oursFile: { tokS: number; blockMs: number; tokSOverlap: number };
  theirsFile: { tokS: number; blockMs: number; tokSSeq: number };
  tapMs: number;
  untappedMs: number;
}

const THREADS = os.availableParallelism();

/** Raw ONNX Runtime with its default pool policy (spinning on): what a user of the bare library gets. */
const RAW_OPTS: Ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: THREADS, interOpNumThreads: 1 };

function feedsFor(tok: TextTokenizer, text: string): Record<string, Ort.Tensor> {
  const ort = loadOrt();
  const enc = tok.encode(text, Number.MAX_SAFE_INTEGER);
  const n = enc.ids.length;
  return {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(enc.ids.map(BigInt)), [1, n]),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(enc.attentionMask.map(BigInt)), [1, n]),
  };
}

async function benchModel(modelDir: string, variant: 'fp32' | 'int8', corpus: string, tjs: TjsModule): Promise<Row> {
  const ort = loadOrt();
  const name = path.basename(modelDir);
  console.log(`\n## ${name} (${variant})`);
  const tok = TextTokenizer.fromFolder(modelDir);
  const inspector = await Inspector.open({ modelDir, cacheDir: path.join(WORK, 'cache'), variant });
  tjs.env.localModelPath = path.dirname(modelDir);
  // transformers.js leaves ONNX Runtime's thread count to its default; one thread per core is the other setting.
  const pipes = {
    default: await tjs.pipeline('text-classification', name, { dtype: variant, local_files_only: true }),
    [`${THREADS}t`]: await tjs.pipeline('text-classification', name, { dtype: variant, local_files_only: true, session_options: { intraOpNumThreads: THREADS } }),
  };
  const raw = await ort.InferenceSession.create(inspector.model.onnxFile, RAW_OPTS);

  const row: Row = { model: name, variant, ours: [], raw: [], theirs: [], theirsSetting: [], oursFile: undefined!, theirsFile: undefined!, tapMs: 0, untappedMs: 0 };
  const theirsSum: Record<string, number> = {};
  for (const n of LENGTHS) {
    const text = textOfTokens(tok, corpus, n);
    const runs = n >= 512 ? 8 : 20;
    const feeds = feedsFor(tok, text);
    const a = await timeIt(runs, () => inspector.inspect(text));
    const r = await timeIt(runs, () => raw.run(feeds));
    let best = Infinity;
    let bestName = '';
    for (const [k, pipe] of Object.entries(pipes)) {
      const t = await timeIt(runs, () => pipe(text));
      theirsSum[k] = (theirsSum[k] ?? 0) + t;
      if (t < best) [best, bestName] = [t, k];
    }
    row.ours.push(a);
    row.raw.push(r);
    row.theirs.push(best);
    row.theirsSetting.push(bestName);
    console.log(`single text ${String(n).padStart(3)} tokens: ours ${a.toFixed(1)} ms, raw ORT ${r.toFixed(1)} ms, transformers.js ${best.toFixed(1)} ms (${bestName})`);
  }
  await raw.release();
  // The whole file with transformers.js's faster setting over the four lengths.
  const pipe = pipes[Object.entries(theirsSum).sort((x, y) => x[1] - y[1])[0]![0]]!;

  // The whole-file run: the same 512-token windows (no overlap) for both.
  const file = textOfTokens(tok, corpus, FILE_TOKENS + 2);
  const ins = await inspector.inspect(file, { overlap: 0 });
  const windowTexts = ins.windows.map((w) => file.slice(w.start, w.end));
  const tokens = ins.windows.reduce((s, w) => s + w.tokenCount, 0);
  const o = await blockOf(() => inspector.inspect(file, { overlap: 0 }));
  const oOverlap = await blockOf(() => inspector.inspect(file));
  const t = await blockOf(() => pipe(windowTexts));
  const tSeq = await blockOf(async () => {
    for (const w of windowTexts) await pipe(w);
  });
  row.oursFile = { tokS: tokens / (o.ms / 1000), blockMs: Math.max(o.blockMs, oOverlap.blockMs), tokSOverlap: tokens / (oOverlap.ms / 1000) };
  row.theirsFile = { tokS: tokens / (t.ms / 1000), blockMs: Math.max(t.blockMs, tSeq.blockMs), tokSSeq: tokens / (tSeq.ms / 1000) };
  console.log(`whole file ${tokens} tokens in ${ins.windows.length} windows: ours ${row.oursFile.tokS.toFixed(0)} tok/s (block ${o.blockMs.toFixed(1)} ms; with 64-token overlap ${row.oursFile.tokSOverlap.toFixed(0)} tok/s of text), transformers.js ${row.theirsFile.tokS.toFixed(0)} tok/s in one call (block ${t.blockMs.toFixed(0)} ms), ${row.theirsFile.tokSSeq.toFixed(0)} tok/s one window per call (block ${tSeq.blockMs.toFixed(0)} ms)`);

  // The taps' own cost: the same graph with and without the extra outputs, straight through ONNX Runtime.
  const ids = new BigInt64Array(128).fill(100n);
  ids[0] = BigInt(tok.clsId);
  ids[127] = BigInt(tok.sepId);
  const feeds = { input_ids: new ort.Tensor('int64', ids, [1, 128]), attention_mask: new ort.Tensor('int64', new BigInt64Array(128).fill(1n), [1, 128]) };
  const plain = await ort.InferenceSession.create(inspector.model.onnxFile, RAW_OPTS);
  const tapped = await ort.InferenceSession.create(inspector.info.tappedPath, RAW_OPTS);
  row.untappedMs = await timeIt(30, () => plain.run(feeds));
  row.tapMs = await timeIt(30, () => tapped.run(feeds, tapped.outputNames));
  console.log(`taps at 1x128 straight through ONNX Runtime: untapped ${row.untappedMs.toFixed(2)} ms, tapped (${tapped.outputNames.length} outputs) ${row.tapMs.toFixed(2)} ms`);
  await plain.release();
  await tapped.release();
  await inspector.dispose();
  return row;
}

/** onnx/model_int8.onnx beside the fp32 graph, made by this project's quantizer when missing (bench folders only). */
async function ensureInt8(modelDir: string): Promise<void> {
  const out = path.join(modelDir, 'onnx', 'model_int8.onnx');
  if (fs.existsSync(out)) return;
  const t0 = performance.now();
  const cpu = detectCpu();
  await quantizeModelFile(path.join(modelDir, 'onnx', 'model.onnx'), out, { perChannel: true, reduceRange: !cpu.fastInt8 });
  console.log(`quantized ${path.basename(modelDir)} to int8 in ${(performance.now() - t0).toFixed(0)} ms (${cpu.reason})`);
}

async function main(): Promise<void> {
  fs.mkdirSync(WORK, { recursive: true });
  const corpus = readTsv(path.join(packageRoot(), '..', 'shared', 'data', 'sst2', 'dev.tsv')).map((r) => r.sentence.trim()).join(' ');
  const bigCorpus = Array.from({ length: 4 }, () => corpus).join(' ');
  loadOrt(); // telemetry off before transformers.js loads its onnxruntime-node
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tjs = require('@huggingface/transformers') as TjsModule;
  tjs.env.allowRemoteModels = false;
  tjs.env.allowLocalModels = true;

  console.log(`# DistilBERT Inspector benchmark (${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores, node ${process.version})`);
  console.log(`ours: Inspector.inspect (worker thread, all taps, ORT intra-op threads = cores); raw ORT: session.run on the untapped graph (${THREADS} threads, default pool policy); transformers.js: pipeline("text-classification"), the faster of its default threads and ${THREADS} threads`);
  const rows: Row[] = [];
  const bundled = defaultModelDir();
  const full = fullSizeModel(bundled);
  await ensureInt8(full);
  const models = [...(fs.existsSync(path.join(bundled, 'onnx', 'model.onnx')) ? [bundled] : []), full];
  for (const dir of models) for (const v of ['fp32', 'int8'] as const) if (fs.existsSync(path.join(dir, 'onnx', v === 'fp32' ? 'model.onnx' : 'model_int8.onnx'))) rows.push(await benchModel(dir, v, bigCorpus, tjs));

  console.log('\n| model | graph | tokens | ours ms | raw ORT ms (untapped) | transformers.js ms (best setting) | ours / raw | ours / transformers.js |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    LENGTHS.forEach((n, i) =>
      console.log(`| ${r.model} | ${r.variant} | ${n} | ${r.ours[i]!.toFixed(1)} | ${r.raw[i]!.toFixed(1)} | ${r.theirs[i]!.toFixed(1)} (${r.theirsSetting[i]}) | ${(r.ours[i]! / r.raw[i]!).toFixed(2)} | ${(r.ours[i]! / r.theirs[i]!).toFixed(2)} |`),
    );
  }
  console.log('\n| model | graph | ours tok/s | transformers.js tok/s (one call) | (one window per call) | ours max block ms | theirs max block ms | taps ms vs untapped ms (1x128) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.variant} | ${r.oursFile.tokS.toFixed(0)} | ${r.theirsFile.tokS.toFixed(0)} | ${r.theirsFile.tokSSeq.toFixed(0)} | ${r.oursFile.blockMs.toFixed(1)} | ${r.theirsFile.blockMs.toFixed(0)} | ${r.tapMs.toFixed(2)} vs ${r.untappedMs.toFixed(2)} |`);
  }
  // The headline ratios are the full-size model's: summed single-text times, file throughput.
  const fullName = path.basename(full);
  const fp32 = rows.find((r) => r.model === fullName && r.variant === 'fp32')!;
  const int8 = rows.find((r) => r.model === fullName && r.variant === 'int8');
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const bestTheirs = (r: Row) => Math.max(r.theirsFile.tokS, r.theirsFile.tokSSeq);
  console.log(`\nsingle-text time ratio (ours/transformers.js): ${(sum(fp32.ours) / sum(fp32.theirs)).toFixed(2)}`);
  // Against transformers.js's better way (one call with all windows, or one window per call).
  console.log(`whole-file throughput ratio (ours/transformers.js): ${(fp32.oursFile.tokS / bestTheirs(fp32)).toFixed(2)}`);
  console.log(`max event-loop block ms: ${Math.ceil(Math.max(...rows.map((r) => r.oursFile.blockMs)))}`);
  console.log(`fp32 overhead vs raw ONNX Runtime (all lengths): ${(sum(fp32.ours) / sum(fp32.raw)).toFixed(2)}        target <= 1.05`);
  const at128 = LENGTHS.indexOf(128);
  if (int8) {
    console.log(`int8 speedup vs fp32 (128 tokens): ${(fp32.ours[at128]! / int8.ours[at128]!).toFixed(2)}                       target >= 2.5`);
    console.log(`int8 whole-file throughput ratio (ours int8 / transformers.js best fp32): ${(int8.oursFile.tokS / bestTheirs(fp32)).toFixed(2)}   target >= 2.5`);
  }

  // The head lens: computed in JS from the taps, no ONNX call; the target is < 2 ms on the full-size model.
  console.log('\n## head lens');
  await benchLens(fullSizeModel(bundled), 'full-size', path.join(WORK, 'cache'));

  // Occlusion ("which words drove the decision"): its cost per text length on each model.
  const occlusion: OcclusionRow[] = [];
  for (const dir of models) {
    for (const v of ['fp32', 'int8'] as const) {
      console.log(`\n## occlusion on ${path.basename(dir)} (${v})`);
      occlusion.push(...(await benchOcclusion(dir, bigCorpus, path.join(WORK, 'cache'), v)));
    }
  }
  printOcclusionTable(occlusion);

  // Attribution methods scored for faithfulness (comprehensiveness / sufficiency AOPC), and the attention view's cost.
  if (fs.existsSync(path.join(bundled, 'onnx', 'model.onnx'))) await benchFaithfulness(bundled, path.join(WORK, 'cache'));
  const occ64 = occlusion.find((r) => r.model === `${fullName} (int8)` && r.tokens === 64);
  if (occ64) console.log(`occlusion 64 tokens int8 ms: ${Math.round(occ64.wallMs)}                                target <= 500`);
  await benchDataset(fullSizeModel(bundled));
  await benchProjectionFps();
}

// `npm run bench -- dataset [FULL_SIZE_MODEL_DIR]` runs only the dataset phase (a few minutes, for re-runs on an idle machine).
const phase = process.argv[2] === 'dataset' ? benchDataset(process.argv[3] ?? fullSizeModel(defaultModelDir())) : main();
void phase.catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
