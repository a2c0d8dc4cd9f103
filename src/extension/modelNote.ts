// Honest default: under a result of the bundled demo model the panel says how good it is ("Demo model, 82% on
// SST-2", the figure read from its model card) with a link to the card, and offers a one-click switch to a
// full-size model by hub id, saying how much it downloads (asked from the hub) before anything is downloaded.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelInfo } from '../core/types';
import { readCardAccuracy } from '../core/model/modelCard';
import { detectCpu, type Int8Cpu } from '../core/quantize/cpu';
import type { ModelNote } from '../shared/protocol';
import { fullKey, type Config, type ModelVariant } from './config';
import type { HubDownloads } from './hubDownload';
import type { Log } from './log';
import type { ModelService } from './modelService';
import type { Notifier } from './notify';
import { withProgress } from './progress';
import type { Session } from './session';

/** The full-size model offered instead of the demo one: DistilBERT base fine-tuned on SST-2, in ONNX. */
export const FULL_SIZE_MODEL = 'Xenova/distilbert-base-uncased-finetuned-sst-2-english';

/** What "Use Full-Size Model" did, for tests: the hub's sizes, the graph chosen and where the settings were saved. */
export interface SwitchOutcome {
  modelId: string;
  totalBytes: number | undefined;
  cached: boolean;
  savedIn: string | undefined;
  /** The graph the switch downloads (int8 when the variant was left open and this CPU runs int8 well). */
  variant: ModelVariant;
  /** Where model.variant was saved (only when the switch chose int8). */
  variantSavedIn: string | undefined;
  /** Why the int8 graph was wanted but not used (the hub has none), if so. */
  fallback: string | undefined;
}

type Size = Awaited<ReturnType<HubDownloads['downloadSize']>>;

export class ModelNotes implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private note: ModelNote | undefined;

  constructor(
    private readonly deps: {
      bundledDir: string;
      models: ModelService;
      session: Session;
      config: Config;
      hub: HubDownloads;
      notifier: Notifier;
      log: Log;
    },
  ) {
    const { session } = deps;
    this.disposables.push(
      deps.models.onDidLoadModel((m) => this.update(m)),
      // Every panel shows the note, however it was opened; its card link and "switch" button come back here.
      session.onDidOpenPanel((p) => p.showModelNote(this.note)),
      session.handle('openModelCard', () => this.act('openModelCard')),
      session.handle('switchModel', () => this.act('switchModel')),
    );
    session.panel()?.showModelNote(this.note);
  }

  /** The note on show (for tests). */
  current(): ModelNote | undefined {
    return this.note;
  }

  /** Opens the bundled model's card in the Markdown preview. */
  async openCard(): Promise<void> {
    await vscode.commands.executeCommand(
      'markdown.showPreview',
      vscode.Uri.file(path.join(this.deps.bundledDir, 'README.md')),
    );
  }

  /**
   * Asks the hub what the full-size model downloads, says it, and on "Download and Use" saves it as model.path
   * where that setting's value lives (the reload downloads it with a cancellable progress notification). When
   * model.variant is left open (fp32 by default, or auto) and this CPU runs int8 well, it takes the hub's int8
   * graph (a quarter of the fp32 download) and saves model.variant = int8 beside model.path: `auto` alone would
   * download only fp32. `confirm` answers the question without a dialog (tests, scripts); `cpu` replaces the
   * CPU check (tests).
   */
  async switchToFullSize(confirm?: boolean, cpu: Int8Cpu = detectCpu()): Promise<SwitchOutcome | undefined> {
    const { config, notifier } = this.deps;
    let variant: ModelVariant;
    let size: Size;
    let int8: { fp32Bytes: number | undefined } | undefined;
    let fallback: string | undefined;
    try {
      variant = config.variant();
      if (cpu.fastInt8 && config.variantLeftOpen()) {
        const fp32 = await this.askHub('fp32');
        try {
          size = await this.askHub('int8');
          [variant, int8] = ['int8', { fp32Bytes: fp32.totalBytes }];
        } catch (err) {
          if ((err as { code?: string }).code !== 'HUB_NOT_FOUND') throw err;
          size = variant === 'fp32' ? fp32 : await this.askHub(variant);
          fallback = `The hub has no onnx/model_int8.onnx for it, so it uses the ${variant} graph (this CPU would run int8 well: ${cpu.reason}).`;
          this.deps.log.info(fallback);
        }
      } else {
        size = await this.askHub(variant);
      }
    } catch (err) {
      const e = err as { oneLine?: (s: 'vscode') => string; message?: string };
      notifier.error(
        `Could not ask the hub about ${FULL_SIZE_MODEL}: ${e.oneLine?.('vscode') ?? e.message ?? String(err)}`,
        err,
        'hub.endpoint',
      );
      return undefined;
    }
    const { formatBytes } = await import('../core/hub/progress');
    const place = config.settingPlace('model.path');
    const amount = size.cached
      ? 'It is already downloaded and verified, so nothing is downloaded.'
      : size.totalBytes !== undefined
        ? `It downloads ${formatBytes(size.totalBytes)} (${size.files.map((f) => f.file).join(', ')}) once from ${size.endpoint} into the extension's storage, verified, then works offline.`
        : `It downloads ${size.files.map((f) => f.file).join(', ')} once from ${size.endpoint} (the hub did not report every size).`;
    const why = int8
      ? ` It is the int8 graph${int8.fp32Bytes !== undefined ? ` (the fp32 one is ${formatBytes(int8.fp32Bytes)})` : ''}, because this CPU runs int8 fast (${cpu.reason}); ${fullKey('model.variant')} will be set to int8 too.`
      : fallback
        ? ` ${fallback}`
        : '';
    const ok = await notifier.ask(
      `Use the full-size model ${FULL_SIZE_MODEL} (${variant})?`,
      `${amount}${why} ${fullKey('model.path')} will be set in ${place.label}; clear it to return to the demo model.`,
      'Download and Use',
      confirm,
    );
    const outcome: SwitchOutcome = {
      modelId: FULL_SIZE_MODEL,
      totalBytes: size.totalBytes,
      cached: size.cached,
      savedIn: undefined,
      variant,
      variantSavedIn: undefined,
      fallback,
    };
    if (!ok) return outcome;
    // The variant first: a model.path reload under the old variant would start the fp32 download.
    if (int8) outcome.variantSavedIn = (await config.setVariantBesideModelPath('int8')).label;
    await vscode.workspace.getConfiguration('distilbertInspector').update('model.path', FULL_SIZE_MODEL, place.target);
    return { ...outcome, savedIn: place.label };
  }

  /** What the hub would download for one graph of the full-size model (a progress note in the status bar). */
  private askHub(variant: ModelVariant): Promise<Size> {
    return withProgress({ title: `DistilBERT: asking the hub about ${FULL_SIZE_MODEL}`, notification: false }, () =>
      this.deps.hub.downloadSize({ repo: FULL_SIZE_MODEL, revision: 'main' }, variant),
    );
  }

  /** The note for `model`: only the bundled demo model gets one, with the figure its card states. */
  private noteFor(model: ModelInfo): ModelNote | undefined {
    if (!samePath(model.path, this.deps.bundledDir)) return undefined;
    const card = readCardAccuracy(this.deps.bundledDir);
    if (!card) return undefined;
    return {
      modelPath: model.path,
      text: `Demo model, ${Math.round(card.accuracy * 100)}% on ${card.dataset}`,
      switchTo: FULL_SIZE_MODEL,
    };
  }

  private update(model: ModelInfo): void {
    this.note = this.noteFor(model);
    this.deps.session.panel()?.showModelNote(this.note);
  }

  private act(action: 'openModelCard' | 'switchModel'): void {
    const run = action === 'openModelCard' ? this.openCard() : this.switchToFullSize();
    void Promise.resolve(run).catch((err: unknown) => this.deps.log.error(`The model note's ${action} failed.`, err));
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function samePath(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}
