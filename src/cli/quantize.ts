// `distilbert-inspector quantize MODEL_DIR_OR_ID`: writes onnx/model_int8.onnx beside the model's fp32 graph
// (in the folder, or in the hub cache's snapshot) and prints its size, the time taken and how well it
// agrees with fp32 on a sample.
import { InspectorError } from '../core/errors';
import { resolveModelArg } from '../core/hub';
import { formatBytes } from '../core/hub/progress';
import { MAX_THREADS } from '../core/inspector';
import { quantizeModelFolder } from '../core/quantize/quantizeModel';
import { OptionWords, wholeNumber } from './options';

export const QUANTIZE_USAGE = `usage: distilbert-inspector quantize [options] MODEL_DIR|ID

Writes onnx/model_int8.onnx (signed int8 weights, dynamic int8 activations) beside onnx/model.onnx and
compares the two graphs on a sample. Use it with --variant int8 (or auto).

options:
  --per-tensor         one weight scale per matrix instead of one per output column
  --reduce-range       7-bit weights even on a CPU with VNNI (the default only where u8 x s8 can saturate)
  --threads N          ONNX Runtime threads for the comparison
  --cache-dir DIR      cache folder (tapped graphs, hub downloads)`;

/** Runs the command; `cacheDir` is the CLI's default unless --cache-dir is given. */
export async function quantizeCommand(
  argv: string[],
  cacheDir: string,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  let model: string | undefined;
  let perChannel = true;
  let reduceRange: boolean | undefined;
  let threads: number | undefined;
  const opts = new OptionWords(argv, usage);
  for (const a of opts) {
    const value = opts.value;
    if (a === '-h' || a === '--help') {
      out.write(`${QUANTIZE_USAGE}\n`);
      return 0;
    } else if (a === '--per-tensor') perChannel = false;
    else if (a === '--reduce-range') reduceRange = true;
    else if (a === '--threads') {
      threads = wholeNumber(a, value(), 1, MAX_THREADS, usage);
    } else if (a === '--cache-dir') cacheDir = value();
    else if (a.startsWith('--')) throw usage(`Unknown option ${a}.`);
    else if (model !== undefined) throw usage('Give one model folder or hub id.');
    else model = a;
  }
  if (model === undefined) throw usage('Give the model folder or hub id to quantize.');
  const { dir } = await resolveModelArg(model, { cacheDir, variant: 'fp32', progress: process.stderr });
  const r = await quantizeModelFolder(dir, {
    cacheDir,
    threads,
    perChannel,
    ...(reduceRange !== undefined ? { reduceRange } : {}),
    onStage: (s) =>
      process.stderr.write(
        s === 'quantizing' ? `quantizing ${dir}...\n` : 'comparing fp32 and int8 on the sample...\n',
      ),
  });
  const s = r.sample;
  out.write(
    [
      `wrote ${r.output}`,
      `size: ${formatBytes(r.stats.outputBytes)} (fp32 ${formatBytes(r.stats.sourceBytes)}, ${((100 * r.stats.outputBytes) / r.stats.sourceBytes).toFixed(0)}%)`,
      `time: ${(r.quantizeMs / 1000).toFixed(2)} s (${r.stats.matmuls} MatMul + ${r.stats.gemms} Gemm quantized, ${r.stats.activations} activations quantized at run time)`,
      `weights: int8, ${r.perChannel ? 'per output column' : 'per tensor'}${r.reduceRange ? ', 7-bit (reduce_range)' : ''}; CPU: ${r.cpu.reason}`,
      `sample: ${s.texts} texts, label agreement ${(s.labelAgreement * 100).toFixed(1)}%, max |Δlogit| ${s.maxLogitDiff.toFixed(4)} (fp32 ${s.fp32Ms.toFixed(0)} ms, int8 ${s.int8Ms.toFixed(0)} ms)`,
      `use it: --variant int8 (or auto), or the setting distilbertInspector.model.variant`,
    ].join('\n') + '\n',
  );
  return 0;
}

function usage(msg: string): InspectorError {
  return new InspectorError('BAD_OPTION', msg, 'See distilbert-inspector quantize --help.');
}
