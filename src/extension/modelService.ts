// Owns the core Inspector: opens it on first use (so activation loads neither onnxruntime-node nor the
// model), reopens it when a setting that shapes it changes, and arbitrates requests: a new request aborts the
// running one, and request ids let callers drop results that are no longer current. Every piece of work
// reaches the worker through run(kind, request, args) (inspect, occlude, explain, attention, compareVariants).
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
import { folderForVariant, type OnnxDtype } from '../core/model/variants';
import { VariantPair } from './variantPair';

/** The abort reason of requests stopped because the model settings changed (signal.reason). */
export const MODEL_CHANGED = 'model settings changed';

/** What run() needs of a request: its abort signal and how the log names it ("Request 7"). */
export interface RunRequest {
  readonly signal: AbortSignal;
  readonly label: string;
}

/** One request of begin() or beginFollower(); `isCurrent()` turns false as soon as a newer request starts. */
export interface InspectRequest extends RunRequest {
  readonly id: number;
  isCurrent(): boolean;
  cancel(): void;
}

type Progress = (done: number, total: number) => void;

/** What each kind of run() takes besides the request. */
export interface RunArgs {
  /** `tokenLens`: the head applied at every word piece too (windows[].tokenLens). */
  inspect: { text: string; onProgress?: Progress; tokenLens?: boolean };
  occlude: { text: string; unit: OcclusionUnit; onProgress?: Progress };
  /** An attribution by `method` (SHAP, rollout, occlusion), with its faithfulness. */
  explain: { text: string; method: AttributionMethod; onProgress?: Progress };
  /** Full attention of the first window (the attention view's data). */
  attention: { text: string };
  /** The text through both ONNX files of the model's folder; fp32 first. */
  compareVariants: { text: string };
}

/** What each kind of run() resolves with. */
export interface RunResults {
  inspect: Inspection;
  occlude: OcclusionResult;
  explain: AttributionResult;
  attention: AttentionResult;
  compareVariants: VariantRun[];
}

/** The kinds of work the model service runs on the worker. */
export type RunKind = keyof RunArgs;

/** A run starting, reporting windows done (inspect only) or ending, for observers such as the tests' counters. */
export interface RunEvent {
  kind: RunKind;
  label: string;
  phase: 'start' | 'progress' | 'end';
  done?: number;
  total?: number;
}

/** What the shared preamble of run() hands to each kind's step. */
interface RunContext {
  inspector: Inspector;
  request: RunRequest;
  window: { windowTokens: number; overlap: number };
  started: number;
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
  private readonly variants: VariantPair;
  private model: ModelInfo | undefined;
  private attempted: ModelChoice | undefined;
  /** The last open failed: a settings change must retry it at once (the fix may be that change). */
  private loadFailed = false;
  private disposed = false;
  private readonly loadedEmitter = new vscode.EventEmitter<ModelInfo>();
  private readonly runEmitter = new vscode.EventEmitter<RunEvent>();
  private readonly ignoredNotices = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [this.loadedEmitter, this.runEmitter];
  /** Fires each time a model finishes loading (first use and every reload). */
  readonly onDidLoadModel = this.loadedEmitter.event;
  /** Every run's start and end, and the windows an inspection has done (what its progress notification shows). */
  readonly onDidRun = this.runEmitter.event;

  constructor(
    private readonly config: Config,
    private readonly log: Log,
    private readonly cacheDir: string,
    /** Told once per value when an untrusted workspace's model.path is ignored. */
    private readonly onIgnoredWorkspaceModel: (value: string) => void,
    /** Downloads models named by hub id (into global storage). */
    private readonly hub: HubDownloads,
  ) {
    this.variants = new VariantPair(cacheDir, log, cancelled);
  }

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
      label: `Request ${id}`,
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
      label: `Request ${id}`,
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

  /**
   * Runs `kind` on `text` with the current settings: checks the window settings before anything loads (so a
   * bad setting fails fast with its own message), opens the model on first use, drops a request cancelled
   * meanwhile, then hands over to the kind's own step. Rejects with the core's InspectorError.
   */
  async run<K extends RunKind>(kind: K, request: RunRequest, args: RunArgs[K]): Promise<RunResults[K]> {
    this.config.checkWindowSettings();
    const inspector = await this.inspector();
    if (request.signal.aborted) throw cancelled();
    const window = this.config.windowOptions(inspector.model.maxLength);
    const run: RunContext = { inspector, request, window, started: performance.now() };
    this.runEmitter.fire({ kind, label: request.label, phase: 'start' });
    try {
      return (await this.steps[kind](run, args as never)) as RunResults[K];
    } finally {
      this.runEmitter.fire({ kind, label: request.label, phase: 'end' });
    }
  }

  /**
   * A request outside the one-current-request rule of begin(): for background work (Problems-panel
   * diagnostics) that must neither abort the panel's request nor be aborted by it. The caller owns `signal`.
   * The worker runs requests one after another, so it queues behind (or ahead of) the panel's run.
   */
  detached(signal: AbortSignal, label: string): RunRequest {
    return { signal, label };
  }

  /** Each kind's step after the shared preamble of run(). */
  private readonly steps: { [K in RunKind]: (run: RunContext, args: RunArgs[K]) => Promise<RunResults[K]> } = {
    inspect: async ({ inspector, request, window, started }, { text, onProgress, tokenLens }) => {
      const progress = (done: number, total: number): void => {
        onProgress?.(done, total);
        this.runEmitter.fire({ kind: 'inspect', label: request.label, phase: 'progress', done, total });
      };
      const inspection = await inspector.inspect(text, {
        ...window,
        signal: request.signal,
        onProgress: progress,
        tokenLens: tokenLens ?? false,
      });
      this.log.info(
        `${request.label}: ${text.length} chars, ${inspection.windows.length} window(s) -> ${inspection.aggregate.label} ` +
          `in ${Math.round(performance.now() - started)} ms (inference ${Math.round(inspection.timing.inferenceMs)} ms).`,
      );
      return inspection;
    },
    // Occlusion and the other attributions read the first window only (the window size of the settings).
    occlude: async ({ inspector, request, window, started }, { text, unit, onProgress }) => {
      // Scored for faithfulness like the picker's methods, so every attribution in the panel says how faithful it is.
      const result = await inspector.occlude(text, {
        unit,
        windowTokens: window.windowTokens,
        signal: request.signal,
        onProgress,
        faithfulness: true,
      });
      this.log.info(
        `${request.label}: occlusion by ${unit} of ${text.length} chars: ${result.forwardPasses} forward passes in ${result.batches} ONNX calls${onCopy(result)} ` +
          `(+${result.faithfulness?.forwardPasses ?? 0} for faithfulness), ` +
          `${Math.round(performance.now() - started)} ms (inference ${Math.round(result.inferenceMs)} ms)${result.coverage.complete ? '' : `, first window only (to char ${result.coverage.coveredEnd} of ${text.length})`}.`,
      );
      return result;
    },
    explain: async ({ inspector, request, window }, { text, method, onProgress }) => {
      const result = await inspector.explain(text, {
        method,
        windowTokens: window.windowTokens,
        signal: request.signal,
        onProgress,
      });
      this.log.info(
        `${request.label}: ${method} of ${text.length} chars: ${result.forwardPasses} forward passes${onCopy(result)} (+${result.faithfulness?.forwardPasses ?? 0} for faithfulness), ${Math.round(result.totalMs)} ms.`,
      );
      return result;
    },
    attention: ({ inspector, request, window }, { text }) =>
      inspector.attention(text, {
        windowTokens: window.windowTokens,
        mode: 'truncate',
        full: true,
        signal: request.signal,
      }),
    compareVariants: ({ inspector, request, window }, { text }) =>
      this.variants.compare({
        main: inspector,
        key: this.loaded?.key ?? '',
        text,
        window,
        signal: request.signal,
        label: request.label,
        threads: this.config.threads(),
      }),
  };

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
      const inspector = await core.Inspector.open({
        modelDir,
        cacheDir: this.cacheDir,
        threads: threads || undefined,
        variant: choice.variant,
      });
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
    const otherGone = this.variants.unload();
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

/** Where the passes ran, for the log: the copy whose last block computes only the [CLS] row, or the full graph. */
function onCopy(r: { passGraph: 'cls-only' | 'full' }): string {
  return r.passGraph === 'cls-only' ? ' (last block on [CLS] only)' : ' (full graph)';
}
