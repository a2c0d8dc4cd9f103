// "DistilBERT: Quantize Model for Speed": writes onnx/model_int8.onnx beside the configured model's fp32 graph
// (the core's quantizer, no Python), compares the two on a sample with a progress notification, then offers
// to switch model.variant to int8 (or auto). Returns its outcome so extension-host tests can check it.
import type { QuantizeFolderResult } from '../core/quantize/quantizeModel';
import type { Config, ModelVariant } from './config';
import { fullKey } from './config';
import { describeFailure } from './failures';
import type { Log } from './log';
import type { ModelService } from './modelService';
import type { Notifier } from './notify';
import { withProgress } from './progress';

/** What the command did; `switchedTo` is set when the variant setting was changed. */
export interface QuantizeOutcome {
  result: QuantizeFolderResult;
  switchedTo?: ModelVariant;
}

export class QuantizeModelCommand {
  private running = false;

  constructor(
    private readonly config: Config,
    private readonly models: ModelService,
    private readonly notifier: Notifier,
    private readonly log: Log,
    private readonly cacheDir: string,
  ) {}

  /** `switchTo` (tests, scripts) sets the variant without asking. */
  async run(switchTo?: ModelVariant): Promise<QuantizeOutcome | undefined> {
    if (this.running) {
      this.notifier.info('The model is already being quantized; wait for that run to finish.');
      return undefined;
    }
    this.running = true;
    try {
      const choice = this.config.modelChoice();
      const dir = await this.models.folderOf(choice, 'fp32');
      const threads = this.config.threads();
      this.log.info(`Quantizing ${dir}/onnx/model.onnx to int8...`);
      const core = await import('../core/quantize/quantizeModel');
      const result = await withProgress(
        { title: 'DistilBERT: quantizing the model to int8', notification: true },
        (report) =>
          core.quantizeModelFolder(dir, {
            cacheDir: this.cacheDir,
            threads: threads || undefined,
            onStage: (s) =>
              report(s === 'quantizing' ? 'writing onnx/model_int8.onnx…' : 'comparing fp32 and int8 on a sample…'),
          }),
      );
      const s = result.sample;
      const summary =
        `Wrote ${result.output} (${(result.stats.outputBytes / 1e6).toFixed(1)} MB, fp32 ${(result.stats.sourceBytes / 1e6).toFixed(1)} MB) in ${(result.quantizeMs / 1000).toFixed(1)} s. ` +
        `On ${s.texts} sample texts: labels agree ${(s.labelAgreement * 100).toFixed(0)}%, largest logit difference ${s.maxLogitDiff.toFixed(3)}.` +
        (result.reduceRange ? ' Weights are 7-bit (this CPU has no VNNI).' : '');
      this.log.info(`${summary} CPU: ${result.cpu.reason}.`);
      const outcome: QuantizeOutcome = { result };
      const use = async (v: ModelVariant) => {
        await this.config.setVariant(v);
        outcome.switchedTo = v;
        this.log.info(`${fullKey('model.variant')} is now ${v} (user settings).`);
      };
      if (switchTo) await use(switchTo);
      else if (this.config.variant() !== 'int8') {
        this.notifier.info(
          `${summary} Switch ${fullKey('model.variant')} to use it?`,
          { title: 'Use int8', run: () => use('int8') },
          { title: 'Use auto', run: () => use('auto') },
        );
      } else this.notifier.info(summary);
      return outcome;
    } catch (err) {
      this.notifier.failure(describeFailure(err, this.models.currentChoice() ?? this.config.modelChoice()), err);
      return undefined;
    } finally {
      this.running = false;
    }
  }
}
