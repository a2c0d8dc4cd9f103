// Quantizing a whole model folder: onnx/model.onnx -> onnx/model_int8.onnx beside it, then both graphs
// run on a sample so the user sees what int8 costs in agreement before choosing it. Shared by the CLI's
// `quantize` command and the VS Code command.
import * as path from 'node:path';
import { Inspector } from '../inspector';
import { resolveModelFolder } from '../model/modelFolder';
import { ONNX_FILES } from '../model/variants';
import { detectCpu, type Int8Cpu } from './cpu';
import { quantizeModelFile, type QuantizeStats } from './quantizeGraph';

/** Short sentences of the kind a sentiment or topic classifier reads; any classifier gives each a label. */
export const SAMPLE_TEXTS = [
  'a gorgeous, witty, seductive movie.',
  'the plot is thin and the jokes fall flat.',
  "it 's a charming and often affecting journey.",
  'unfortunately the story and the actors are served with a hack script.',
  'one of the most exciting films of the year, full of heart.',
  'a dull, pretentious mess that goes nowhere.',
  'the performances are solid, but the pacing drags in the second half.',
  'I laughed, I cried, and I would watch it again tomorrow.',
  'nothing about this film works: not the dialogue, not the editing, not the score.',
  'an intelligent, beautifully shot portrait of a family under pressure.',
  'the release notes describe the new build system and its configuration options.',
  'please send the quarterly report to the finance team by friday.',
];

/** Options of quantizeModelFolder. */
export interface QuantizeFolderOptions {
  cacheDir: string;
  threads?: number;
  /** Texts to compare fp32 and int8 on (default SAMPLE_TEXTS). */
  sample?: string[];
  /** Default true: one scale per output column (measured more accurate on the bundled model). */
  perChannel?: boolean;
  /** Default: decided by the CPU (7-bit weights where u8 x s8 can saturate). */
  reduceRange?: boolean;
  onStage?: (stage: 'quantizing' | 'comparing') => void;
}

/** What the quantize command reports. */
export interface QuantizeFolderResult {
  source: string;
  output: string;
  stats: QuantizeStats;
  quantizeMs: number;
  cpu: Int8Cpu;
  perChannel: boolean;
  reduceRange: boolean;
  sample: SampleAgreement;
}

/** fp32 vs int8 on the sample texts. */
export interface SampleAgreement {
  texts: number;
  /** Fraction of texts whose label is the same on both graphs. */
  labelAgreement: number;
  /** The largest |logit(fp32) - logit(int8)| over texts and labels. */
  maxLogitDiff: number;
  fp32Ms: number;
  int8Ms: number;
}

export async function quantizeModelFolder(dir: string, opts: QuantizeFolderOptions): Promise<QuantizeFolderResult> {
  const folder = resolveModelFolder(dir, 'fp32');
  const output = path.join(path.dirname(folder.onnxPath), ONNX_FILES.int8);
  const cpu = detectCpu();
  const perChannel = opts.perChannel ?? true;
  const reduceRange = opts.reduceRange ?? !cpu.fastInt8;
  opts.onStage?.('quantizing');
  const t0 = performance.now();
  const stats = await quantizeModelFile(folder.onnxPath, output, { perChannel, reduceRange });
  const quantizeMs = performance.now() - t0;
  opts.onStage?.('comparing');
  const sample = await compareVariants(folder.dir, opts.sample ?? SAMPLE_TEXTS, opts.cacheDir, opts.threads);
  return { source: folder.onnxPath, output, stats, quantizeMs, cpu, perChannel, reduceRange, sample };
}

/** Runs every text through the fp32 and the int8 graph of `dir`, one after the other (one worker at a time). */
export async function compareVariants(
  dir: string,
  texts: string[],
  cacheDir: string,
  threads?: number,
): Promise<SampleAgreement> {
  const run = async (variant: 'fp32' | 'int8') => {
    const inspector = await Inspector.open({ modelDir: dir, cacheDir, threads, variant });
    try {
      const t0 = performance.now();
      const out: { label: string; logits: number[] }[] = [];
      for (const text of texts) {
        const ins = await inspector.inspect(text);
        out.push({ label: ins.aggregate.label, logits: ins.aggregate.logits });
      }
      return { out, ms: performance.now() - t0 };
    } finally {
      await inspector.dispose();
    }
  };
  const a = await run('fp32');
  const b = await run('int8');
  let same = 0;
  let maxLogitDiff = 0;
  a.out.forEach((x, i) => {
    const y = b.out[i]!;
    if (x.label === y.label) same++;
    x.logits.forEach((v, l) => (maxLogitDiff = Math.max(maxLogitDiff, Math.abs(v - (y.logits[l] ?? NaN)))));
  });
  return {
    texts: texts.length,
    labelAgreement: texts.length ? same / texts.length : 1,
    maxLogitDiff,
    fp32Ms: a.ms,
    int8Ms: b.ms,
  };
}
