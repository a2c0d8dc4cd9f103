// The fp32 / int8 comparison of one text ("Compare fp32 / int8"; not the comparison of two texts, see
// textCompareCommand.ts): the loaded model's folder holds both graphs, and the one not loaded is opened here on
// the first comparison and kept until the model service unloads its model.
import type { Inspector } from '../core/inspector';
import { findDtypeFile, type OnnxDtype } from '../core/model/variants';
import type { ModelInfo } from '../core/types';
import type { VariantRun } from '../shared/protocol';
import type { Log } from './log';

/** True when the model's folder has onnx/model.onnx and an 8-bit graph (model_int8.onnx or model_quantized.onnx). */
export function hasBothVariants(model: ModelInfo): boolean {
  return findDtypeFile(model.path, 'fp32') !== undefined && int8Dtype(model) !== undefined;
}

/** The 8-bit graph compared with fp32: the loaded one if it is 8-bit, else int8 (the fast one), else quantized. */
function int8Dtype(model: ModelInfo): OnnxDtype | undefined {
  if (model.variant === 'int8' || model.variant === 'quantized' || model.variant === 'uint8') return model.variant;
  return (['int8', 'quantized'] as const).find((d) => findDtypeFile(model.path, d) !== undefined);
}

/** One comparison's inputs: the loaded Inspector (and the key it was opened under), the text and its windows. */
export interface VariantRunInput {
  main: Inspector;
  key: string;
  text: string;
  window: { windowTokens: number; overlap: number };
  signal: AbortSignal;
  label: string;
  threads: number;
}

export class VariantPair {
  /** The other ONNX variant of the loaded model's folder, with the key of the model it belongs to. */
  private other: { key: string; inspector: Promise<Inspector> } | undefined;

  constructor(
    private readonly cacheDir: string,
    private readonly log: Log,
    private readonly cancelled: () => Error,
  ) {}

  /**
   * Runs the text through the loaded model and through its folder's other ONNX variant (opened lazily), one
   * after the other so the latencies do not compete for the cores. Returns the fp32 run first. Rejects with
   * the core's errors; the signal cancels both.
   */
  async compare({ main, key, text, window, signal, label, threads }: VariantRunInput): Promise<VariantRun[]> {
    const model = main.model;
    const int8 = int8Dtype(model);
    if (!int8 || !findDtypeFile(model.path, 'fp32') || (model.variant !== 'fp32' && model.variant !== int8)) {
      throw Object.assign(
        new Error(
          `The model folder ${model.path} does not have both onnx/model.onnx and an 8-bit graph (onnx/model_int8.onnx or onnx/model_quantized.onnx) next to the loaded ${model.variant} graph, so there is nothing to compare.`,
        ),
        {
          code: 'MODEL_FILE_MISSING',
          hint: 'Run DistilBERT: Quantize Model for Speed to write onnx/model_int8.onnx, then compare.',
        },
      );
    }
    const otherVariant: OnnxDtype = model.variant === 'fp32' ? int8 : 'fp32';
    if (!this.other || this.other.key !== key) {
      void this.other?.inspector
        .then(
          (i) => i.dispose(),
          () => undefined,
        )
        .catch(() => undefined);
      this.log.info(`Opening the ${otherVariant} graph of ${model.path} for the fp32 / int8 comparison...`);
      const opening = import('../core/inspector').then((core) =>
        core.Inspector.open({
          modelDir: model.path,
          cacheDir: this.cacheDir,
          threads: threads || undefined,
          variant: otherVariant,
        }),
      );
      this.other = { key, inspector: opening };
      opening.catch(() => {
        if (this.other?.inspector === opening) this.other = undefined; // retry next time
      });
    }
    const second = await this.other.inspector;
    const run = async (inspector: Inspector, v: 'fp32' | 'quantized'): Promise<VariantRun> => {
      if (signal.aborted) throw this.cancelled();
      const started = performance.now();
      const ins = await inspector.inspect(text, { ...window, signal });
      const latencyMs = performance.now() - started;
      const a = ins.aggregate;
      return {
        variant: v,
        onnxFile: ins.model.onnxFile,
        label: a.label,
        logits: a.logits,
        probabilities: a.probabilities,
        latencyMs,
        inferenceMs: ins.timing.inferenceMs,
      };
    };
    const [fp32Inspector, int8Inspector] = model.variant === 'fp32' ? [main, second] : [second, main];
    const fp32 = await run(fp32Inspector, 'fp32');
    const quantized = await run(int8Inspector, 'quantized');
    this.log.info(
      `${label}: fp32 ${fp32.label} in ${Math.round(fp32.latencyMs)} ms vs ${int8} ${quantized.label} in ${Math.round(quantized.latencyMs)} ms ` +
        `(max |Δ logit| ${Math.max(...fp32.logits.map((x, i) => Math.abs(x - (quantized.logits[i] ?? 0)))).toPrecision(3)}).`,
    );
    return [fp32, quantized];
  }

  /** Forgets the other variant and disposes it once it has finished opening (its worker ends). */
  unload(): Promise<void> {
    const other = this.other;
    this.other = undefined;
    return (other?.inspector ?? Promise.resolve(undefined))
      .then(
        (inspector) => inspector?.dispose(),
        () => undefined,
      )
      .catch((err: unknown) => this.log.error('Disposing the comparison model failed.', err));
  }
}
