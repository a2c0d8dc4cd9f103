// The head lens's cost: the layer lens (the head on [CLS] after the embeddings and every block, with top units),
// the two head experiments and their JSON packing for the worker transfer, on one 128-token window; plus the
// opt-in token lens's arithmetic. Computed in the worker from the tapped vectors (the dense layer in a WebAssembly
// SIMD kernel, src/core/head/denseKernel.ts), with no ONNX call. Part of `npm run bench`
// (bench/main.ts, full-size model); also runs alone: `node out/bench/lens.js [MODEL_DIR]`. Figures, not pass/fail.
import * as os from 'node:os';
import * as path from 'node:path';
import { Inspector, defaultModelDir } from '../src/core/inspector';
import { headExperiments, layerLens, tokenLens, type LensModel } from '../src/core/head/lens';
import { prepareTappedModel } from '../src/core/onnx/taps';
import { TextTokenizer } from '../src/core/tokenizer/textTokenizer';
import { sst2Corpus, textOfTokens } from './occlusion';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median ms of the lens work per window, and of the token lens, for a 128-token text. */
export async function benchLens(
  modelDir: string,
  label: string,
  cacheDir: string,
): Promise<{ lensMs: number; tokenLensMs: number }> {
  const inspector = await Inspector.open({ modelDir, cacheDir });
  try {
    const tok = TextTokenizer.fromFolder(modelDir);
    const text = textOfTokens(tok, sst2Corpus(), 128);
    const w = (await inspector.inspect(text)).windows[0]!;
    const { weights, plan } = await prepareTappedModel(inspector.model.onnxFile, cacheDir);
    const model: LensModel = {
      labels: inspector.model.labels,
      problemType: inspector.model.problemType,
      activation: plan.head.activation,
    };
    const stages = w.stages;
    const once = () => {
      const { lens, settledAt } = layerLens(stages, weights, model);
      return JSON.stringify({ lens, settledAt, experiments: headExperiments(stages, weights, model) }).length;
    };
    for (let i = 0; i < 20; i++) once(); // warm up the JIT
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      once();
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    const lensMs = median(times);
    // On a shared machine wall time includes waiting for a core; CPU time per run is the work itself.
    const cpuMs = (cpu.user + cpu.system) / 1000 / times.length;
    // The token lens (opt-in) on as many final hidden states as the window has tokens (values do not matter
    // for the time; the ONNX call fetching them is the same call).
    const dim = inspector.model.dim;
    const hidden = new Float32Array(w.tokenCount * dim);
    for (let t = 0; t < w.tokenCount; t++) hidden.set(stages.layers[t % stages.layers.length]!, t * dim);
    const tokenTimes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      tokenLens(hidden, w.tokenCount, dim, weights, model);
      tokenTimes.push(performance.now() - t0);
    }
    const tokenLensMs = median(tokenTimes);
    console.log(`lens overhead ms (${label}, ${w.tokenCount} tokens): ${lensMs.toFixed(3)}`);
    console.log(
      `lens CPU ms per window (${label}, ${w.tokenCount} tokens): ${cpuMs.toFixed(3)} (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores)`,
    );
    console.log(
      `token lens ms (${label}, ${w.tokenCount} tokens, opt-in, the head on every token): ${tokenLensMs.toFixed(1)}`,
    );
    return { lensMs, tokenLensMs };
  } finally {
    await inspector.dispose();
  }
}

if (require.main === module) {
  const dir = process.argv[2] ?? defaultModelDir();
  const label = process.argv[3] ?? path.basename(dir);
  void benchLens(dir, label, path.join(os.tmpdir(), 'distilbert-inspector-bench', 'cache')).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
