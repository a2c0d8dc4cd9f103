// Owns the core Inspector: opens it on first use (so activation loads neither onnxruntime-node nor the
// model), reopens it when a setting that shapes it changes, and runs one inspection at a time: a new
// request aborts the running one, and request ids let callers drop results that are no longer current.
import * as vscode from 'vscode';
import type { AttentionResult } from '../core/attribution/attention';
import type { AttributionMethod, AttributionResult } from '../core/attribution/explain';
import type { OcclusionResult, OcclusionUnit } from '../core/attribution/occlusion';
import type { Inspection, ModelInfo } from '../core/types';
import type { VariantRun } from '../shared/protocol';
import type { Inspector } from '../core/inspector';
import type { Config, ModelChoice } from './config';
import { markLoadFailure } from './failures';
import type { HubDownloads } from './hubDownload';
import type { Log } from './log';
import { findDtypeFile, folderForVariant, type OnnxDtype } from '../core/model/variants';

/** The abort reason of requests stopped because the model settings changed (signal.reason). */
export const MODEL_CHANGED = 'model settings changed';

/** One inspection request; `isCurrent()` turns false as soon as a newer request starts. */
export interface InspectRequest {
  readonly id: number;
  readonly signal: AbortSignal;
  isCurrent(): boolean;
  cancel(): void;
}

/** The model folder the running Inspector was opened for, with the choice that produced it. */
interface Loaded {
  key: string;
  choice: ModelChoice;
  inspector: Promise<Inspector>;
}

export class ModelService implements vscode.Disposable {
  private nextId = 1;
  private running: { id: number; controller: AbortController } | undefined;
  /** Requests about the current result (occlusion): they abort nothing, and the next begin() aborts them. */
  private readonly followers = new Set<AbortController>();
  private loaded: Loaded | undefined;
  /** The other ONNX variant of the loaded model's folder, opened on the first comparison; unloaded with `loaded`. */
  private other: { key: string; inspector: Promise<Inspector> } | undefined;
  private model: ModelInfo | undefined;
  private attempted: ModelChoice | undefined;
  /** The last open failed: a settings change must retry it at once (the fix may be that change). */
  private loadFailed = false;
  private disposed = false;
  private readonly loadedEmitter = new vscode.EventEmitter<ModelInfo>();
  private readonly progressEmitter = new vscode.EventEmitter<{ requestId: number; done: number; total: number }>();
  private readonly ignoredNotices = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [this.loadedEmitter, this.progressEmitter];
  /** Fires each time a model finishes loading (first use and every reload). */
  readonly onDidLoadModel = this.loadedEmitter.event;
  /** Windows done by a running inspect() request (what its progress notification shows). */
  readonly onDidProgress = this.progressEmitter.event;

  constructor(
    private readonly config: Config,
    private readonly log: Log,
    private readonly cacheDir: string,
    /** Told once per value when an untrusted workspace's model.path is ignored. */
    private readonly onIgnoredWorkspaceModel: (value: string) => void,
    /** Downloads models named by hub id (into global storage). */
    private readonly hub: HubDownloads,
  ) {}

  /** The model of the open Inspector, if one has loaded. */
  currentModel(): ModelInfo | undefined {
    return this.model;
  }

  /** Starts a request and aborts the one running, whose result would now be stale. */
  begin(): InspectRequest {
    this.running?.controller.abort();
    for (const c of this.followers) c.abort();
    this.followers.clear();
    const id = this.nextId++;
    const controller = new AbortController();
    this.running = { id, controller };
    return {
      id,
      signal: controller.signal,
      isCurrent: () => this.running?.id === id,
      cancel: () => controller.abort(),
    };
  }

  /**
   * A request about the current result (e.g. its occlusion) that must not abort a classification in flight
   * (which would leave the panel waiting for a result that never comes): it queues behind it in the worker,
   * and the next begin() aborts it, since a newer result makes it moot.
   */
  beginFollower(): InspectRequest {
    const id = this.nextId++;
    const controller = new AbortController();
    this.followers.add(controller);
    controller.signal.addEventListener('abort', () => this.followers.delete(controller), { once: true });
    return {
      id,
      signal: controller.signal,
      isCurrent: () => !controller.signal.aborted,
      cancel: () => controller.abort(),
    };
  }

  /** Cancels the running request, if any (e.g. the panel was closed or the model is being replaced). */
  cancelRunning(reason?: string): void {
    this.running?.controller.abort(reason);
    for (const c of this.followers) c.abort(reason);
  }

  /** Runs the core on `text` with the current window settings. Rejects with the core's InspectorError. */
  async inspect(request: InspectRequest, text: string, onProgress?: (done: number, total: number) => void, tokenLens = false): Promise<Inspection> {
    // Check settings before loading anything, so a bad setting fails fast with its own message.
    this.config.checkWindowSettings();
    const inspector = await this.inspector();
    if (request.signal.aborted) throw cancelled();
    const { windowTokens, overlap } = this.config.windowOptions(inspector.model.maxLength);
    const started = performance.now();
    const progress = (done: number, total: number): void => {
      onProgress?.(done, total);
      this.progressEmitter.fire({ requestId: request.id, done, total });
    };
    const inspection = await this.counted(() => inspector.inspect(text, { windowTokens, overlap, signal: request.signal, onProgress: progress, tokenLens }));
    this.log.info(
      `Request ${request.id}: ${text.length} chars, ${inspection.windows.length} window(s) -> ${inspection.aggregate.label} ` +
        `in ${Math.round(performance.now() - started)} ms (inference ${Math.round(inspection.timing.inferenceMs)} ms).`,
    );
    return inspection;
  }

  /** Occlusion of `text`'s first window (the window size of the settings, at most the model's max length). */
  async occlude(request: InspectRequest, text: string, unit: OcclusionUnit, onProgress?: (done: number, total: number) => void): Promise<OcclusionResult> {
    this.config.checkWindowSettings();
    const inspector = await this.inspector();
    if (request.signal.aborted) throw cancelled();
    const { windowTokens } = this.config.windowOptions(inspector.model.maxLength);
    const started = performance.now();
    // Scored for faithfulness like the picker's methods, so every attribution in the panel says how faithful it is.
    const result = await inspector.occlude(text, { unit, windowTokens, signal: request.signal, onProgress, faithfulness: true });
    this.log.info(
      `Request ${request.id}: occlusion by ${unit} of ${text.length} chars: ${result.forwardPasses} forward passes in ${result.batches} ONNX calls ` +
        `(+${result.faithfulness?.forwardPasses ?? 0} for faithfulness), ` +
        `${Math.round(performance.now() - started)} ms (inference ${Math.round(result.inferenceMs)} ms)${result.coverage.complete ? '' : `, first window only (to char ${result.coverage.coveredEnd} of ${text.length})`}.`,
    );
    return result;
  }

  /** An attribution of `text`'s first window by `method` (SHAP, rollout, occlusion), with its faithfulness. */
  async explain(request: InspectRequest, text: string, method: AttributionMethod, onProgress?: (done: number, total: number) => void): Promise<AttributionResult> {
    this.config.checkWindowSettings();
    const inspector = await this.inspector();
    if (request.signal.aborted) throw cancelled();
    const { windowTokens } = this.config.windowOptions(inspector.model.maxLength);
    const result = await inspector.explain(text, { method, windowTokens, signal: request.signal, onProgress });
    this.log.info(`Request ${request.id}: ${method} of ${text.length} chars: ${result.forwardPasses} forward passes (+${result.faithfulness?.forwardPasses ?? 0} for faithfulness), ${Math.round(result.totalMs)} ms.`);
    return result;
  }

  /** Full attention of `text`'s first window (the attention view's data). */
  async attention(request: InspectRequest, text: string): Promise<AttentionResult> {
    this.config.checkWindowSettings();
    const inspector = await this.inspector();
    if (request.signal.aborted) throw cancelled();
    const { windowTokens } = this.config.windowOptions(inspector.model.maxLength);
    return inspector.attention(text, { windowTokens, mode: 'truncate', full: true, signal: request.signal });
  }

  /**
   * Runs `text` outside the one-current-request rule of begin(): for background work (Problems-panel
   * diagnostics) that must neither abort the panel's request nor be aborted by it. The caller owns `signal`.
   * The worker runs requests one after another, so this queues behind (or ahead of) the panel's run.
   */
  async inspectDetached(text: string, signal: AbortSignal, what: string): Promise<Inspection> {
    this.config.checkWindowSettings();
    const inspector = await this.inspector();
    if (signal.aborted) throw cancelled();
    const { windowTokens, overlap } = this.config.windowOptions(inspector.model.maxLength);
    const started = performance.now();
    const inspection = await this.counted(() => inspector.inspect(text, { windowTokens, overlap, signal }));
    this.log.info(
      `${what}: ${text.length} chars, ${inspection.windows.length} window(s) in ${Math.round(performance.now() - started)} ms ` +
        `(inference ${Math.round(inspection.timing.inferenceMs)} ms).`,
    );
    return inspection;
  }

  /** How many inspect calls ran and the most that were ever in flight at once (for tests of live inspection). */
  runStats(): { started: number; inFlight: number; peakInFlight: number } {
    return { ...this.stats };
  }

  /** Starts the counters afresh (the in-flight count stays: runs still going are still in flight). */
  resetRunStats(): void {
    this.stats.started = 0;
    this.stats.peakInFlight = this.stats.inFlight;
  }

  private readonly stats = { started: 0, inFlight: 0, peakInFlight: 0 };

  private async counted<T>(run: () => Promise<T>): Promise<T> {
    this.stats.started++;
    this.stats.inFlight++;
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.stats.inFlight);
    try {
      return await run();
    } finally {
      this.stats.inFlight--;
    }
  }

  /** True when the model's folder has onnx/model.onnx and an 8-bit graph (model_int8.onnx or model_quantized.onnx). */
  hasBothVariants(model: ModelInfo): boolean {
    return findDtypeFile(model.path, 'fp32') !== undefined && this.int8Dtype(model) !== undefined;
  }

  /** The 8-bit graph compared with fp32: the loaded one if it is 8-bit, else int8 (the fast one), else quantized. */
  private int8Dtype(model: ModelInfo): OnnxDtype | undefined {
    if (model.variant === 'int8' || model.variant === 'quantized' || model.variant === 'uint8') return model.variant;
    return (['int8', 'quantized'] as const).find((d) => findDtypeFile(model.path, d) !== undefined);
  }

  /**
   * Runs `text` through the loaded model and through its folder's other ONNX variant (opened lazily, kept
   * until the model is unloaded), one after the other so the latencies do not compete for the cores.
   * Returns the fp32 run first. Rejects with the core's errors; `request` cancels both.
   */
  async compareVariants(request: InspectRequest, text: string): Promise<VariantRun[]> {
    this.config.checkWindowSettings();
    const main = await this.inspector();
    const key = this.loaded?.key;
    const model = main.model;
    const int8 = this.int8Dtype(model);
    if (!int8 || !findDtypeFile(model.path, 'fp32') || (model.variant !== 'fp32' && model.variant !== int8)) {
      throw Object.assign(new Error(`The model folder ${model.path} does not have both onnx/model.onnx and an 8-bit graph (onnx/model_int8.onnx or onnx/model_quantized.onnx) next to the loaded ${model.variant} graph, so there is nothing to compare.`), {
        code: 'MODEL_FILE_MISSING',
        hint: 'Run DistilBERT: Quantize Model for Speed to write onnx/model_int8.onnx, then compare.',
      });
    }
    const otherVariant: OnnxDtype = model.variant === 'fp32' ? int8 : 'fp32';
    if (!this.other || this.other.key !== key) {
      void this.other?.inspector.then((i) => i.dispose(), () => undefined).catch(() => undefined);
      const threads = this.config.threads();
      this.log.info(`Opening the ${otherVariant} graph of ${model.path} for the fp32 / int8 comparison...`);
      const opening = import('../core/inspector').then((core) =>
        core.Inspector.open({ modelDir: model.path, cacheDir: this.cacheDir, threads: threads || undefined, variant: otherVariant }),
      );
      this.other = { key: key ?? '', inspector: opening };
      opening.catch(() => {
        if (this.other?.inspector === opening) this.other = undefined; // retry next time
      });
    }
    const second = await this.other.inspector;
    const { windowTokens, overlap } = this.config.windowOptions(model.maxLength);
    const run = async (inspector: Inspector, v: 'fp32' | 'quantized'): Promise<VariantRun> => {
      if (request.signal.aborted) throw cancelled();
      const started = performance.now();
      const ins = await inspector.inspect(text, { windowTokens, overlap, signal: request.signal });
      const latencyMs = performance.now() - started;
      const a = ins.aggregate;
      return { variant: v, onnxFile: ins.model.onnxFile, label: a.label, logits: a.logits, probabilities: a.probabilities, latencyMs, inferenceMs: ins.timing.inferenceMs };
    };
    const [fp32Inspector, int8Inspector] = model.variant === 'fp32' ? [main, second] : [second, main];
    const fp32 = await run(fp32Inspector, 'fp32');
    const quantized = await run(int8Inspector, 'quantized');
    this.log.info(
      `Request ${request.id}: fp32 ${fp32.label} in ${Math.round(fp32.latencyMs)} ms vs ${int8} ${quantized.label} in ${Math.round(quantized.latencyMs)} ms ` +
        `(max |Δ logit| ${Math.max(...fp32.logits.map((x, i) => Math.abs(x - (quantized.logits[i] ?? 0)))).toPrecision(3)}).`,
    );
    return [fp32, quantized];
  }

  /** The Inspector for the current settings, opening it on first use. */
  inspector(): Promise<Inspector> {
    if (this.disposed) return Promise.reject(new Error('The DistilBERT Inspector extension is shutting down.'));
    const choice = this.config.modelChoice();
    this.attempted = choice;
    if (choice.ignoredWorkspaceValue !== undefined && !this.ignoredNotices.has(choice.ignoredWorkspaceValue)) {
      this.ignoredNotices.add(choice.ignoredWorkspaceValue);
      this.onIgnoredWorkspaceModel(choice.ignoredWorkspaceValue);
    }
    const threads = this.config.threads();
    // The endpoint is part of the key only for hub ids: it decides where a hub model comes from.
    const endpoint = choice.hub ? this.config.hubEndpoint() : undefined;
    const key = JSON.stringify([choice.dir, choice.hub, choice.variant, endpoint, threads]);
    if (this.loaded?.key !== key) {
      void this.unload('settings changed');
      this.loaded = { key, choice, inspector: this.open(choice, threads) };
    }
    return this.loaded.inspector;
  }

  /**
   * The folder of the configured model: a local folder, the bundled one, or a hub snapshot (downloading the
   * `dtype` graph first; `auto` downloads fp32 and then picks among what the snapshot holds).
   */
  async folderOf(choice: ModelChoice = this.config.modelChoice(), dtype: OnnxDtype = 'fp32'): Promise<string> {
    if (choice.hub) return (await this.hub.fetch(choice.hub, dtype)).dir;
    return choice.dir || (await import('../core/inspector')).defaultModelDir();
  }

  /** The model choice of the Inspector last opened or attempted (for error messages). */
  currentChoice(): ModelChoice | undefined {
    return this.loaded?.choice ?? this.attempted;
  }

  /**
   * Settings that shape the Inspector changed: drop the old one now (freeing its worker and memory) and,
   * if a model was in use, open the new one right away so a broken folder is reported at once.
   */
  async reload(): Promise<ModelInfo | undefined> {
    // After a failed load too: the change may be the fix, and the error shown must not outlive it.
    const wasLoaded = this.loaded !== undefined || this.loadFailed;
    void this.unload(MODEL_CHANGED);
    if (!wasLoaded) return undefined;
    await this.inspector();
    return this.model;
  }

  private async open(choice: ModelChoice, threads: number): Promise<Inspector> {
    const started = performance.now();
    // Loaded here, not at activation: the core pulls in onnxruntime-node and the tokenizer.
    const core = await import('../core/inspector');
    try {
      const modelDir = await folderForVariant(choice.variant, (dtype) => this.folderOf(choice, dtype));
      const from = choice.setting ? `setting distilbertInspector.model.path = "${choice.setting}"` : 'bundled default';
      this.log.info(`Loading the model from ${modelDir} (${from}, ${choice.variant}), threads ${threads || 'auto'}...`);
      const inspector = await core.Inspector.open({ modelDir, cacheDir: this.cacheDir, threads: threads || undefined, variant: choice.variant });
      const m = inspector.model;
      this.log.info(
        `Loaded ${m.name} (${m.architecture}, dim ${m.dim}, ${m.nLayers} layers, labels ${m.labels.join(', ')}, ${m.problemType}; ` +
          `graph ${m.variant} ${m.onnxFile}: ${m.variantReason}) ` +
          `in ${Math.round(performance.now() - started)} ms.`,
      );
      // If settings changed while loading, unload() has already arranged this Inspector's disposal.
      if (this.loaded?.choice === choice) {
        this.model = m;
        this.loadFailed = false;
        this.loadedEmitter.fire(m);
      }
      return inspector;
    } catch (err) {
      // Forget the failed attempt so the next request retries (the user may have fixed the folder).
      if (this.loaded?.choice === choice) {
        this.loaded = undefined;
        this.loadFailed = true;
      }
      throw markLoadFailure(err);
    }
  }

  /** Forgets the open Inspector and disposes it once it has finished opening (its worker ends). */
  private unload(reason: string): Promise<void> {
    const old = this.loaded;
    const other = this.other;
    this.other = undefined;
    const otherGone = (other?.inspector ?? Promise.resolve(undefined))
      .then(
        (inspector) => inspector?.dispose(),
        () => undefined,
      )
      .catch((err: unknown) => this.log.error('Disposing the comparison model failed.', err));
    if (!old) return otherGone;
    this.loaded = undefined;
    this.model = undefined;
    this.cancelRunning(reason);
    this.log.info(`Unloading the model (${reason}).`);
    return old.inspector
      .then(
        (inspector) => inspector.dispose(),
        () => undefined, // its failure was already reported to whoever awaited it
      )
      .catch((err: unknown) => this.log.error('Disposing the old model failed.', err))
      .then(() => otherGone);
  }

  /** For deactivate(): waits until the worker has ended. */
  async shutdown(): Promise<void> {
    this.disposed = true;
    await this.unload('extension deactivated');
  }

  dispose(): void {
    if (!this.disposed) void this.shutdown();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function cancelled(): Error {
  return Object.assign(new Error('The inspection was cancelled.'), { code: 'CANCELLED', hint: '' });
}
