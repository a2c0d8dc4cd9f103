// "DistilBERT: Open Dataset...": pick a labelled file, confirm its columns when the guess is ambiguous, run it
// through the loaded model (cancellable, with ETA; cached per model and file content) and show the dataset panel.
// A click on an example classifies it through the usual path, so it lands in the Activation Inspector.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Dataset } from '../core/dataset/dataset';
import type { DatasetReport } from '../core/dataset/report';
import type { DatasetModel, DatasetRun } from '../core/dataset/run';
import type { OnnxVariant } from '../core/model/modelFolder';
import { datasetSourceOf, type DatasetSource, type DatasetWebviewMessage } from '../shared/datasetProtocol';
import type { Classifier } from './classification';
import type { HubDownloads } from './hubDownload';
import { describeFailure } from './failures';
import type { Log } from './log';
import type { ModelService } from './modelService';
import type { Notifier } from './notify';
import { DatasetPanel } from './panel/datasetPanel';
import { withProgress } from './progress';
import type { Session } from './session';

/** What the command needs from the rest of the extension. */
export interface DatasetDeps {
  extensionUri: vscode.Uri;
  cacheDir: string;
  models: ModelService;
  /** Classifies a clicked example like any text and puts it on show. */
  classifier: Classifier;
  /** Owns the Activation Inspector panel the clicked example is shown in. */
  session: Session;
  notifier: Notifier;
  log: Log;
  /** Hub dataset files come through the same client, cache, token and endpoint as hub models. */
  hub: HubDownloads;
}

/** Options for tests and scripts; a person gets a file dialog and quick picks. */
export interface OpenDatasetArgs {
  file?: string;
  textColumn?: string;
  labelColumn?: string;
  /** File label -> model label (otherwise asked for when the file's labels are not the model's). */
  labelMap?: Record<string, string>;
}

export class DatasetCommand {
  private dataset: Dataset | undefined;
  /** The run on show, whose vectors the projection requests read. */
  private shownRun: DatasetRun | undefined;
  /** The projection under way (one at a time: a newer request stops it). */
  private projecting: (AbortController & { key?: string }) | undefined;

  constructor(private readonly deps: DatasetDeps) {}

  async run(args: OpenDatasetArgs = {}): Promise<DatasetReport | undefined> {
    const { notifier, log, models } = this.deps;
    let file = typeof args.file === 'string' ? args.file : undefined;
    if (!file) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: 'Open Dataset',
        filters: { Datasets: ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet'] },
      });
      file = picked?.[0]?.fsPath;
      if (!file) return undefined;
    }
    const core = await import('../core/dataset/index');
    const panel = DatasetPanel.createOrShow(this.deps.extensionUri, `Dataset: ${path.basename(file)}`);
    this.attach(panel);
    const controller = new AbortController();
    this.projecting?.abort();
    // Closing the panel cancels the run (what finished stays cached).
    const closed = panel.onDidClose(() => controller.abort());
    try {
      const inspector = await models.inspector();
      const variant = models.currentChoice()?.variant ?? 'fp32';
      const model = core.inspectorModel(inspector, variant);
      const first = await this.read(core, file, model.labels, args);
      if (!first) return undefined;
      let { ds, labelMap } = first;
      if (!args.textColumn && ds.textAlternatives.length) {
        const pick = await vscode.window.showQuickPick([ds.textColumn, ...ds.textAlternatives], {
          title: `Which column of ${path.basename(file)} holds the text?`,
          placeHolder: ds.textColumn,
        });
        if (!pick) return undefined;
        if (pick !== ds.textColumn) {
          const again = await this.read(core, file, model.labels, { ...args, labelMap, textColumn: pick });
          if (!again) return undefined;
          ({ ds, labelMap } = again);
        }
      }
      log.info(
        `Dataset ${file}: ${ds.texts.length} examples (text "${ds.textColumn}", label ${ds.labelColumn ?? 'none'}; ${ds.skipped.emptyText + ds.skipped.noLabel} skipped).`,
      );
      const run = await withProgress(
        { title: `DistilBERT: ${path.basename(file)}`, notification: true, cancel: () => controller.abort() },
        (report) =>
          core.runDataset(model, ds, {
            cacheDir: path.join(this.deps.cacheDir, 'datasets'),
            signal: controller.signal,
            onProgress: (done, total, eta) => {
              report(
                `${done} of ${total} examples${eta === undefined ? '' : `, ${Math.ceil(eta / 1000)} s left`}`,
                done,
                total,
              );
              panel.post({ type: 'progress', file: path.basename(file!), done, total, etaMs: eta ?? null });
            },
          }),
      );
      const source: DatasetSource = {
        file,
        sha256: ds.sha256,
        textColumn: ds.textColumn,
        labelColumn: ds.labelColumn ?? null,
        labelMap: labelMap ?? null,
        modelPath: model.path,
        variant,
      };
      const report = await this.show(core, panel, model, ds, run, source, controller.signal);
      return report;
    } catch (err) {
      const failure = describeFailure(err, models.currentChoice());
      panel.post({
        type: 'error',
        message:
          failure.level === 'silent' ? 'Cancelled; the finished part is cached and resumes next time.' : failure.text,
      });
      if (failure.level !== 'silent') notifier.failure(failure, err);
      return undefined;
    } finally {
      closed.dispose();
    }
  }

  /**
   * "Open Dataset from Hugging Face Hub...": a file of a hub dataset repository, typed as
   * owner/name[@revision]:path (or hf://datasets/...), fetched and verified like a hub model, then opened.
   */
  async runHub(args: OpenDatasetArgs & { id?: string } = {}): Promise<DatasetReport | undefined> {
    const { notifier } = this.deps;
    const hubCore = await import('../core/hub');
    const valid = (v: string): string | undefined => {
      try {
        return hubCore.parseDatasetRef(v, '/') ? undefined : `Not a hub dataset file. ${hubCore.DATASET_ID_HINT}`;
      } catch (err) {
        return (err as Error).message;
      }
    };
    const id =
      typeof args.id === 'string'
        ? args.id
        : await vscode.window.showInputBox({
            title: 'Open Dataset from Hugging Face Hub',
            prompt: `A file of a dataset repository. ${hubCore.DATASET_ID_HINT}`,
            placeHolder: 'owner/name[@revision]:path/in/repo.parquet',
            ignoreFocusOut: true,
            validateInput: (v) => (v.trim() ? valid(v) : undefined),
          });
    if (!id?.trim()) return undefined;
    try {
      // `/` as the base: a typed id is never a file of the extension host's working folder.
      const ref = hubCore.parseDatasetRef(id, '/');
      if (!ref) throw new hubCore.HubError('HUB_BAD_ID', `"${id}" is not a hub dataset file.`, hubCore.DATASET_ID_HINT);
      const { checkHubDatasetFormat } = await import('../core/dataset/source');
      const { MAX_DATASET_BYTES } = await import('../core/dataset/dataset');
      checkHubDatasetFormat(hubCore.formatDatasetRef(ref), ref.file);
      const fetched = await this.deps.hub.fetchDataset(ref, MAX_DATASET_BYTES);
      return await this.run({ ...args, file: fetched.path });
    } catch (err) {
      const failure = describeFailure(err, undefined);
      if (failure.level === 'silent') return undefined;
      const hubError = err instanceof hubCore.HubError;
      const text = hubError
        ? `Could not download the dataset file "${id.trim()}": ${err.oneLine('vscode')}`
        : failure.text;
      notifier.failure(
        { level: 'error', text, setting: hubError && err.code === 'HUB_PROTOCOL' ? 'hub.endpoint' : undefined },
        err,
      );
      return undefined;
    }
  }

  /** Reads the file; labels the model lacks are mapped by the user, one quick pick per file label. */
  private async read(
    core: DatasetCore,
    file: string,
    modelLabels: string[],
    args: OpenDatasetArgs,
  ): Promise<{ ds: Dataset; labelMap?: Record<string, string> } | undefined> {
    const opts = { modelLabels, textColumn: args.textColumn, labelColumn: args.labelColumn, labelMap: args.labelMap };
    try {
      return { ds: await core.readDataset(file, opts), labelMap: args.labelMap };
    } catch (err) {
      if (!(err instanceof core.LabelMappingNeeded) || args.labelMap) throw err;
      const labelMap: Record<string, string> = {};
      for (const label of err.fileLabels.slice(0, 50)) {
        const pick = await vscode.window.showQuickPick(modelLabels, {
          title: `${path.basename(file)}: which of the model's labels is "${label}"?`,
          placeHolder: err.message,
        });
        if (!pick) return undefined;
        labelMap[label] = pick;
      }
      return { ds: await core.readDataset(file, { ...opts, labelMap }), labelMap };
    }
  }

  /** Head study and PCA off the caller's thread, then the report into the panel (a fresh run and a restored one alike). */
  private async show(
    core: DatasetCore,
    panel: DatasetPanel,
    model: DatasetModel,
    ds: Dataset,
    run: DatasetRun,
    source: DatasetSource,
    signal?: AbortSignal,
  ): Promise<DatasetReport> {
    // The probe fits and the PCA take seconds on a large file: worker threads keep the editor responsive.
    const t0 = performance.now();
    const [{ study }, projection] = await Promise.all([
      core.analyse(run, ds.gold, { study: true, projection: false }),
      core.project(run, 'cls', 'pca', { signal }),
    ]);
    // Report and view in slices: in one piece they blocked the editor ~50+ ms for 10,000 full-size rows.
    const report = await core.buildDatasetReportSliced(model, ds, run, study, performance.now() - t0);
    const view = await core.datasetView(
      report,
      run,
      projection,
      core.projectionSources(run.nLayers, model.head),
      source,
    );
    this.dataset = ds;
    this.shownRun = run;
    panel.post({ type: 'dataset', view });
    this.deps.log.info(
      `Dataset ${ds.file}: ${report.metrics ? `accuracy ${report.metrics.accuracy.toFixed(4)}` : 'no labels'} (${run.fromCache} rows from the cache, ${Math.round(run.ms)} ms).`,
    );
    return report;
  }

  /**
   * Brings the panel back after a window reload from the source its webview persisted: the same file (same
   * content hash), read the same way, with the cached results of the same model; nothing is recomputed. A file
   * that moved or changed, or results no longer cached, get one message in the panel saying what to run.
   */
  async restore(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const panel = DatasetPanel.revive(webviewPanel, this.deps.extensionUri);
    this.attach(panel);
    const source = datasetSourceOf(state);
    const again = 'Run "DistilBERT: Open Dataset..." to open it again.';
    if (!source) return panel.post({ type: 'error', message: `This dataset panel has nothing to restore. ${again}` });
    const name = path.basename(source.file);
    const say = (message: string): void => {
      panel.post({ type: 'error', message });
      this.deps.log.info(`Dataset panel not restored: ${message}`);
    };
    try {
      if (!fs.existsSync(source.file))
        return say(
          `${source.file} is no longer there (moved or deleted), so its dataset panel cannot be restored. ${again}`,
        );
      const core = await import('../core/dataset/index');
      const model = core.datasetModel(source.modelPath, source.variant as OnnxVariant, () =>
        Promise.reject(new NotCached()),
      );
      const ds = await core.readDataset(source.file, {
        modelLabels: model.labels,
        textColumn: source.textColumn,
        labelColumn: source.labelColumn,
        labelMap: source.labelMap ?? undefined,
      });
      if (ds.sha256 !== source.sha256)
        return say(`${source.file} changed since its results were computed, so they no longer match it. ${again}`);
      const run = await core.runDataset(model, ds, { cacheDir: path.join(this.deps.cacheDir, 'datasets') });
      await this.show(core, panel, model, ds, run, source);
    } catch (err) {
      if (err instanceof NotCached)
        return say(`The results for ${name} are no longer cached for the model ${source.modelPath}. ${again}`);
      say(`${name} could not be restored: ${describeFailure(err, undefined).text} ${again}`);
    }
  }

  private attached = new WeakSet<DatasetPanel>();

  private attach(panel: DatasetPanel): void {
    if (this.attached.has(panel)) return;
    this.attached.add(panel);
    panel.onDidRequestInspect((row) => void this.inspectRow(row));
    panel.onDidRequestProjection((msg) => void this.project(panel, msg));
    panel.onDidClose(() => this.projecting?.abort());
  }

  /** Computes a projection the panel asked for in a worker thread, reporting progress to the panel. */
  private async project(
    panel: DatasetPanel,
    msg: Extract<DatasetWebviewMessage, { type: 'project' | 'cancelProjection' }>,
  ): Promise<void> {
    // A page rebuilt while its projection runs (the tab was hidden) asks again: let the running one finish.
    if (msg.type === 'project' && this.projecting?.key === `${msg.source}|${msg.method}`) return;
    this.projecting?.abort();
    this.projecting = undefined;
    const run = this.shownRun;
    if (msg.type === 'cancelProjection' || !run) return;
    const core = await import('../core/dataset/index');
    const { source, method } = msg;
    if (!core.isProjectionSource(source, run.nLayers)) return;
    const ctrl = Object.assign(new AbortController(), { key: `${source}|${method}` });
    this.projecting = ctrl;
    try {
      const projection = await core.project(run, source, method, {
        signal: ctrl.signal,
        onProgress: (phase, done, total) =>
          panel.post({ type: 'projectionProgress', source, method, phase, done, total }),
      });
      panel.post({ type: 'projection', projection });
      this.deps.log.info(`Projection ${method} of ${source}: ${Math.round(projection.ms)} ms.`);
    } catch (err) {
      const cancelled = (err as { code?: string }).code === 'CANCELLED';
      panel.post({
        type: 'projectionFailed',
        source,
        method,
        message: err instanceof Error ? err.message : String(err),
        cancelled,
      });
      if (!cancelled) this.deps.log.error(`Projection ${method} of ${source} failed`, err);
    } finally {
      if (this.projecting === ctrl) this.projecting = undefined;
    }
  }

  /** Classifies one example through the usual path; the inspector's "show in editor" finds it in a text file. */
  async inspectRow(row: number): Promise<void> {
    const ds = this.dataset;
    const text = ds?.texts[row];
    if (!ds || text === undefined) return;
    const uri = vscode.Uri.file(ds.file);
    let baseOffset = 0;
    if (ds.format !== 'parquet') {
      // The text sits verbatim on its line in TSV and unquoted CSV; elsewhere (JSON escapes) the line start.
      const doc = await vscode.workspace.openTextDocument(uri).then(
        (d) => d,
        () => undefined,
      );
      const line = ds.lines[row]! - 1;
      if (doc && line < doc.lineCount) {
        const at = doc.lineAt(line).text.indexOf(text);
        baseOffset = doc.offsetAt(new vscode.Position(line, Math.max(0, at)));
      }
    }
    await this.deps.classifier.classify(text, `line ${ds.lines[row]} of ${path.basename(ds.file)}`, {
      uri: uri.toString(),
      fileName: path.basename(ds.file),
      baseOffset,
      selection: true,
    });
    this.deps.session.openPanel();
  }
}

/** Rows missing from the cache while restoring: a restore never runs the model. */
class NotCached extends Error {}

type DatasetCore = typeof import('../core/dataset/index');
