// `npm run bench`: this core (worker thread, all taps) vs transformers.js's text-classification pipeline on the
// same ONNX file, tokenizer and onnxruntime-node. Prints medians; figures, not pass/fail.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { readTsv } from '../src/cli/eval';
import { Inspector, defaultModelDir, packageRoot } from '../src/core/inspector';
import { TextTokenizer } from '../src/core/tokenizer/textTokenizer';
import { benchDataset } from './dataset';
import { benchOcclusion, printOcclusionTable, type OcclusionRow } from './occlusion';

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

interface Row {
  model: string;
  ours: number[];
  theirs: number[];
  oursFile: { tokS: number; blockMs: number; tokSOverlap: number };
  theirsFile: { tokS: number; blockMs: number; tokSSeq: number };
  tapMs: number;
  untappedMs: number;
}

async function benchModel(modelDir: string, corpus: string, tjs: TjsModule): Promise<Row> {
  const name = path.basename(modelDir);
  console.log(`\n## ${name}`);
  const tok = TextTokenizer.fromFolder(modelDir);
  const inspector = await Inspector.open({ modelDir, cacheDir: path.join(WORK, 'cache') });
  tjs.env.localModelPath = path.dirname(modelDir);
  const pipe = await tjs.pipeline('text-classification', name, { dtype: 'fp32', local_files_only: true });

  const ours: number[] = [];
  const theirs: number[] = [];
  for (const n of LENGTHS) {
    const text = textOfTokens(tok, corpus, n);
    const runs = n >= 512 ? 8 : 20;
    const a = await timeIt(runs, () => inspector.inspect(text));
    const b = await timeIt(runs, () => pipe(text));
    ours.push(a);
    theirs.push(b);
    console.log(`single text ${String(n).padStart(3)} tokens: ours ${a.toFixed(1)} ms, transformers.js ${b.toFixed(1)} ms`);
  }

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
  const oursFile = { tokS: tokens / (o.ms / 1000), blockMs: Math.max(o.blockMs, oOverlap.blockMs), tokSOverlap: tokens / (oOverlap.ms / 1000) };
  const theirsFile = { tokS: tokens / (t.ms / 1000), blockMs: Math.max(t.blockMs, tSeq.blockMs), tokSSeq: tokens / (tSeq.ms / 1000) };
  console.log(`whole file ${tokens} tokens in ${ins.windows.length} windows: ours ${oursFile.tokS.toFixed(0)} tok/s (block ${o.blockMs.toFixed(1)} ms; with 64-token overlap ${oursFile.tokSOverlap.toFixed(0)} tok/s of text), transformers.js ${theirsFile.tokS.toFixed(0)} tok/s in one call (block ${t.blockMs.toFixed(0)} ms), ${theirsFile.tokSSeq.toFixed(0)} tok/s one window per call (block ${tSeq.blockMs.toFixed(0)} ms)`);

  // The taps' own cost: the same graph with and without the extra outputs, straight through ONNX Runtime.
  const threads = os.availableParallelism();
  const ids = new BigInt64Array(128).fill(100n);
  ids[0] = BigInt(tok.clsId);
  ids[127] = BigInt(tok.sepId);
  const feeds = { input_ids: new ort.Tensor('int64', ids, [1, 128]), attention_mask: new ort.Tensor('int64', new BigInt64Array(128).fill(1n), [1, 128]) };
  const opts: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1 };
  const plain = await ort.InferenceSession.create(inspector.model.onnxFile, opts);
  const tapped = await ort.InferenceSession.create(inspector.info.tappedPath, opts);
  const untappedMs = await timeIt(30, () => plain.run(feeds));
  const tapMs = await timeIt(30, () => tapped.run(feeds, tapped.outputNames));
  console.log(`taps at 1x128 straight through ONNX Runtime: untapped ${untappedMs.toFixed(2)} ms, tapped (${tapped.outputNames.length} outputs) ${tapMs.toFixed(2)} ms`);
  await plain.release();
  await tapped.release();
  await inspector.dispose();
  return { model: name, ours, theirs, oursFile, theirsFile, tapMs, untappedMs };
}

async function main(): Promise<void> {
  fs.mkdirSync(WORK, { recursive: true });
  const corpus = readTsv(path.join(packageRoot(), '..', 'shared', 'data', 'sst2', 'dev.tsv')).map((r) => r.sentence.trim()).join(' ');
  const bigCorpus = Array.from({ length: 4 }, () => corpus).join(' ');
  const tjs = require('@huggingface/transformers') as TjsModule;
  tjs.env.allowRemoteModels = false;
  tjs.env.allowLocalModels = true;

  console.log(`# DistilBERT Inspector benchmark (${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores, node ${process.version})`);
  console.log('ours: Inspector.inspect (worker thread, all taps, ORT intra-op threads = cores); transformers.js: pipeline("text-classification") defaults');
  const rows: Row[] = [];
  const bundled = defaultModelDir();
  if (fs.existsSync(path.join(bundled, 'onnx', 'model.onnx'))) rows.push(await benchModel(bundled, bigCorpus, tjs));
  rows.push(await benchModel(fullSizeModel(bundled), bigCorpus, tjs));

  console.log('\n| model | tokens | ours ms | transformers.js ms | ratio |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) LENGTHS.forEach((n, i) => console.log(`| ${r.model} | ${n} | ${r.ours[i]!.toFixed(1)} | ${r.theirs[i]!.toFixed(1)} | ${(r.ours[i]! / r.theirs[i]!).toFixed(2)} |`));
  console.log('\n| model | ours tok/s | transformers.js tok/s (one call) | (one window per call) | ours max block ms | theirs max block ms | taps ms vs untapped ms (1x128) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.oursFile.tokS.toFixed(0)} | ${r.theirsFile.tokS.toFixed(0)} | ${r.theirsFile.tokSSeq.toFixed(0)} | ${r.oursFile.blockMs.toFixed(1)} | ${r.theirsFile.blockMs.toFixed(0)} | ${r.tapMs.toFixed(2)} vs ${r.untappedMs.toFixed(2)} |`);
  }
  // The headline ratios are the full-size model's (the last row): summed single-text times, file throughput.
  const full = rows[rows.length - 1]!;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  console.log(`\nsingle-text time ratio (ours/transformers.js): ${(sum(full.ours) / sum(full.theirs)).toFixed(2)}`);
  // Against transformers.js's better way (one call with all windows, or one window per call).
  const best = Math.max(full.theirsFile.tokS, full.theirsFile.tokSSeq);
  console.log(`whole-file throughput ratio (ours/transformers.js): ${(full.oursFile.tokS / best).toFixed(2)}`);
  console.log(`max event-loop block ms: ${Math.ceil(Math.max(...rows.map((r) => r.oursFile.blockMs)))}`);

  // Occlusion ("which words drove the decision"): its cost per text length on each model.
  const occlusion: OcclusionRow[] = [];
  for (const dir of [...(fs.existsSync(path.join(bundled, 'onnx', 'model.onnx')) ? [bundled] : []), fullSizeModel(bundled)]) {
    console.log(`\n## occlusion on ${path.basename(dir)}`);
    occlusion.push(...(await benchOcclusion(dir, bigCorpus, path.join(WORK, 'cache'))));
  }
  printOcclusionTable(occlusion);
  await benchDataset(fullSizeModel(bundled));
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
