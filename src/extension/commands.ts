// The classify commands: editor state in, results out to the panel, the status bar and the decorations.
// Handlers return their outcome so extension-host tests can await results without scraping the UI.
import type { AttributionMethod } from '../core/attribution/explain';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OcclusionUnit } from '../core/attribution/occlusion';
import type { Inspection } from '../core/types';
import type { VariantRun } from '../shared/protocol';
import { writeFileAtomic } from './atomicWrite';
import { describeFailure } from './failures';
import type { Log } from './log';
import { MODEL_CHANGED, type ModelService } from './modelService';
import type { Notifier } from './notify';
import { InspectorPanel, type PanelSource } from './panel/inspectorPanel';
import type { Session } from './session';
import type { ResultStatusBar } from './statusBar';
import type { WindowDecorations } from './decorations';
import { textProblem } from './textChecks';
import { isUserEditor, targetEditor } from './targetEditor';
import { inspectionToJson } from '../core/present/inspectionJson';

/** A finished classification (the session's result on show when it finished). */
export interface ClassifyOutcome {
  requestId: number;
  inspection: Inspection;
  source: PanelSource;
}

/** Texts longer than this get a cancellable notification; shorter ones finish before it would be read. */
const LONG_TEXT_CHARS = 4000;

export interface CommandDeps {
  extensionUri: vscode.Uri;
  models: ModelService;
  /** Owns the result on show; classifications put theirs there, and the commands here read it from there. */
  session: Session;
  statusBar: ResultStatusBar;
  decorations: WindowDecorations;
  notifier: Notifier;
  log: Log;
}

export class ClassifyCommands {
  private lastEditor: vscode.TextEditor | undefined;
  private readonly attached = new WeakSet<InspectorPanel>();
  /** Handles the panel's "Explain by occlusion" clicks (set by activate; the command lives in occlusionCommand.ts). */
  onOcclusionRequest: ((requestId: number, unit: OcclusionUnit) => void) | undefined;
  /** Handles the panel's method picker and attention view (set by activate; see attributionCommand.ts). */
  onExplainRequest: ((requestId: number, method: AttributionMethod) => void) | undefined;
  onAttentionRequest: ((requestId: number, layer?: number, head?: number) => void) | undefined;

  constructor(private readonly deps: CommandDeps) {}

  /** Listeners the commands need; the caller registers them for disposal. */
  listeners(): vscode.Disposable[] {
    return [
      // A focused webview leaves activeTextEditor undefined; remember the editor the user was in.
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (isUserEditor(e)) this.lastEditor = e;
      }),
      // A panel restored after a window reload is created by the serializer; hook it up once its tab shows.
      vscode.window.tabGroups.onDidChangeTabs(() => this.attach(InspectorPanel.current)),
    ];
  }

  /** The panel, created or revealed and wired to the editor (for other commands that show results in it). */
  showPanel(): InspectorPanel {
    return this.panel();
  }

  /** The result on show, whether a command or live inspection produced it. */
  lastResult(): ClassifyOutcome | undefined {
    return this.deps.session.current();
  }

  /** The selection, or the whole document when nothing is selected (and says so). */
  async classifySelection(): Promise<ClassifyOutcome | undefined> {
    const editor = this.editor();
    if (!editor) return undefined;
    const doc = editor.document;
    const name = fileName(doc);
    if (editor.selection.isEmpty) {
      this.deps.notifier.info(`No text selected: classifying the whole of ${name}.`);
      return this.classify(doc, fullRange(doc), false, name);
    }
    if (editor.selections.filter((s) => !s.isEmpty).length > 1) {
      this.deps.log.info('Several selections: classifying the primary one.');
    }
    return this.classify(doc, editor.selection, true, `the selection in ${name}`);
  }

  /** The whole document, window by window. `uri` lets the command run on a file that is not the active editor. */
  async classifyFile(uri?: vscode.Uri): Promise<ClassifyOutcome | undefined> {
    let doc: vscode.TextDocument | undefined;
    if (uri instanceof vscode.Uri) {
      try {
        doc = await vscode.workspace.openTextDocument(uri);
      } catch (err) {
        // VS Code refuses binary files and files too large to open as text.
        this.deps.notifier.warn(`${path.basename(uri.path)} cannot be opened as text, so it cannot be classified: ${errorText(err)}`);
        return undefined;
      }
    } else {
      doc = this.editor()?.document;
    }
    if (!doc) return undefined;
    return this.classify(doc, fullRange(doc), false, fileName(doc));
  }

  openInspector(): InspectorPanel {
    const panel = this.panel();
    const shown = this.deps.session.current();
    if (!panel.currentInspection() && shown) panel.showResult(shown.requestId, shown.inspection, shown.source, this.deps.models.hasBothVariants(shown.inspection.model));
    return panel;
  }

  /** Saves the current inspection: to `target` when given (scripts, tests), else where the user chooses. */
  async exportJson(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const inspection = InspectorPanel.current?.currentInspection() ?? this.deps.session.current()?.inspection;
    if (!inspection) {
      this.deps.notifier.info('There is no inspection to export yet. Run "DistilBERT: Classify Selection" first.');
      return undefined;
    }
    if (!(target instanceof vscode.Uri)) {
      await this.openInspector().exportJson();
      return undefined;
    }
    try {
      await writeFileAtomic(target, Buffer.from(JSON.stringify(inspectionToJson(inspection), null, 2) + '\n', 'utf8'), vscode.workspace.fs);
    } catch (err) {
      this.deps.notifier.error(`Could not write ${target.fsPath}: ${errorText(err)}. Choose a writable location.`, err);
      return undefined;
    }
    this.deps.log.info(`Exported the inspection to ${target.toString()}.`);
    return target;
  }

  /** What a report exports: the panel's inspection (else the result on show), with its text while the host has it. */
  reportSubject(): { inspection: Inspection; text?: string; source?: PanelSource } | undefined {
    const panel = InspectorPanel.current;
    const inPanel = panel?.currentInspection();
    const shown = this.deps.session.current();
    if (inPanel && inPanel !== shown?.inspection) {
      // A panel restored after a window reload: its source is known, its text is not.
      const source = panel?.currentSource();
      return { inspection: inPanel, ...(source ? { source } : {}) };
    }
    return shown && { inspection: shown.inspection, source: shown.source, text: shown.text };
  }

  private async classify(doc: vscode.TextDocument, range: vscode.Range, selection: boolean, what: string): Promise<ClassifyOutcome | undefined> {
    const baseOffset = doc.offsetAt(range.start);
    const version = doc.version;
    const source: PanelSource = { uri: doc.uri.toString(), fileName: path.basename(doc.fileName), baseOffset, selection };
    return this.classifyText(
      doc.getText(range),
      what,
      source,
      (inspection) => {
        if (doc.version === version) this.deps.decorations.show(doc, inspection, baseOffset, selection);
      },
      () => void this.classify(doc, range, selection, what),
    );
  }

  /**
   * Classifies a text that `source` locates (a document range, or a dataset row) and shows it like any result:
   * the session (panel), the status bar, and `onResult` for the caller's own display (editor decorations).
   * `runAgain` is offered when a model change stops the run.
   */
  async classifyText(
    text: string,
    what: string,
    source: PanelSource,
    onResult?: (inspection: Inspection) => void,
    runAgain: () => void = () => void this.classifyText(text, what, source, onResult),
  ): Promise<ClassifyOutcome | undefined> {
    const { models, session, statusBar, notifier, log } = this.deps;
    const problem = textProblem(text, what);
    if (problem) {
      notifier.warn(problem);
      return undefined;
    }
    const request = models.begin();
    log.info(`Request ${request.id}: classifying ${what} (${text.length} chars).`);
    const panel = this.panel();
    panel.showRunning(request.id, what);
    statusBar.showRunning(what);
    const progress = { done: 0, total: 0 };
    try {
      const inspection = await this.withProgress(what, text.length, request.cancel, (onProgress) =>
        models.inspect(request, text, (done, total) => {
          Object.assign(progress, { done, total });
          InspectorPanel.current?.showProgress(request.id, done, total);
          onProgress(done, total);
        }),
      );
      if (!request.isCurrent()) {
        log.info(`Request ${request.id}: finished after a newer request started; its result is dropped.`);
        return undefined;
      }
      // Closing the panel mid-run is fine: the result still reaches the status bar and the editor.
      const shown = { requestId: request.id, inspection, source, text, origin: 'command' as const, what };
      session.show(shown);
      statusBar.showResult(inspection, what);
      onResult?.(inspection);
      return shown;
    } catch (err) {
      if (!request.isCurrent()) return undefined; // superseded: the newer request owns the UI now
      const failure = describeFailure(err, models.currentChoice());
      if (failure.level === 'silent') {
        this.cancelled(request.id, request.signal.reason, progress, runAgain);
        return undefined;
      }
      statusBar.showError(failure.text);
      InspectorPanel.current?.showError(request.id, failure.text);
      notifier.failure(failure, err);
      return undefined;
    }
  }

  /**
   * A cancel is not a failure: the previous result stays (panel and status bar) under a neutral note saying
   * where the run stopped. When a model change stopped it, the note says so and offers to run it again.
   */
  private cancelled(requestId: number, reason: unknown, progress: { done: number; total: number }, runAgain: () => void): void {
    const { statusBar, notifier, log, session } = this.deps;
    const last = session.current();
    const where = progress.total > 0 ? `at window ${Math.min(progress.done + 1, progress.total)} of ${progress.total}` : 'before its first window finished';
    const keeps = last ? '; showing the previous result' : '';
    const modelChanged = reason === MODEL_CHANGED;
    const note = modelChanged ? `Stopped ${where} because the model settings changed${keeps}.` : `Cancelled ${where}${keeps}.`;
    log.info(`Request ${requestId}: ${note}`);
    InspectorPanel.current?.showCancelled(requestId, note);
    if (last) statusBar.showResult(last.inspection, last.what);
    else statusBar.showCancelled();
    if (modelChanged) notifier.info(`${note} Run it again on the new model?`, { title: 'Run Again', run: runAgain });
  }

  /**
   * "Compare fp32 / int8": the last result's text through both ONNX files of its model folder, shown beside
   * the result in the panel. Returns the runs (fp32 first) for tests; undefined when there is nothing to compare.
   */
  async compareVariants(): Promise<VariantRun[] | undefined> {
    const { models, notifier, log } = this.deps;
    const last = this.deps.session.current();
    if (!last) {
      notifier.info('There is no result to compare yet. Run "DistilBERT: Classify Selection" first.');
      return undefined;
    }
    if (!models.hasBothVariants(last.inspection.model)) {
      notifier.info(
        `The model folder ${last.inspection.model.path} has no pair of onnx/model.onnx and onnx/model_quantized.onnx, so there is no fp32 / int8 comparison for it.`,
      );
      return undefined;
    }
    // About the current result, like occlusion: it must not abort a classification in flight (whose panel would
    // then wait on "Running..." forever), and the next classification makes it moot and aborts it.
    const request = models.beginFollower();
    const panel = this.panel();
    // The panel shows the comparison under its result; request.id is only for cancelling and the log.
    panel.showCompare(last.requestId, { kind: 'running' });
    log.info(`Request ${request.id}: comparing fp32 and int8 on the text of request ${last.requestId}.`);
    try {
      const runs = await Promise.resolve(
        vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'DistilBERT: fp32 / int8' }, () =>
          models.compareVariants(request, last.text),
        ),
      );
      InspectorPanel.current?.showCompare(last.requestId, { kind: 'done', runs });
      return runs;
    } catch (err) {
      const failure = describeFailure(err, models.currentChoice());
      InspectorPanel.current?.showCompare(last.requestId, failure.level === 'silent' ? { kind: 'available' } : { kind: 'error', message: failure.text });
      notifier.failure(failure, err);
      return undefined;
    }
  }

  /**
   * The token lens of the last result: its text run again with the head applied at every word piece, shown in
   * place of that result (same request id, same numbers plus windows[].tokenLens). Like a comparison it is about
   * the current result: it aborts nothing, and a newer classification makes it moot.
   */
  async showTokenLens(): Promise<Inspection | undefined> {
    const { models, notifier, log, session } = this.deps;
    const last = session.current();
    if (!last) {
      notifier.info('There is no result for the token lens yet. Run "DistilBERT: Classify Selection" first.');
      return undefined;
    }
    const request = models.beginFollower();
    log.info(`Request ${request.id}: token lens on the text of request ${last.requestId}.`);
    try {
      const inspection = await this.withProgress('the token lens', last.text.length, request.cancel, (onProgress) => models.inspect(request, last.text, onProgress, true));
      // A newer result on show (or a newer request) makes this one moot.
      if (session.current() !== last || !request.isCurrent()) return undefined;
      session.show({ ...last, inspection });
      return inspection;
    } catch (err) {
      const failure = describeFailure(err, models.currentChoice());
      notifier.failure(failure, err);
      return undefined;
    }
  }

  /** A cancellable notification for long texts; the window progress indicator otherwise. */
  private withProgress<T>(
    what: string,
    length: number,
    cancel: () => void,
    work: (onProgress: (done: number, total: number) => void) => Promise<T>,
  ): Promise<T> {
    const long = length > LONG_TEXT_CHARS;
    const options: vscode.ProgressOptions = long
      ? { location: vscode.ProgressLocation.Notification, title: `DistilBERT: classifying ${what}`, cancellable: true }
      : { location: vscode.ProgressLocation.Window, title: 'DistilBERT' };
    return Promise.resolve(
      vscode.window.withProgress(options, async (progress, token) => {
        const sub = token.onCancellationRequested(cancel);
        let reported = 0;
        try {
          return await work((done, total) => {
            const pct = total > 0 ? (done / total) * 100 : 0;
            progress.report({ increment: pct - reported, message: `window ${done} of ${total}` });
            reported = pct;
          });
        } finally {
          sub.dispose();
        }
      }),
    );
  }

  /** The editor to act on (see targetEditor: never the Output panel). */
  private editor(): vscode.TextEditor | undefined {
    const editor = targetEditor(this.lastEditor);
    if (!editor) this.deps.notifier.info('Open a text file (or select text in one) to classify it with DistilBERT.');
    return editor;
  }

  private panel(): InspectorPanel {
    const panel = InspectorPanel.createOrShow(this.deps.extensionUri);
    this.attach(panel);
    return panel;
  }

  /** Wires a panel's "reveal this window" requests to the editor, once per panel. */
  private attach(panel: InspectorPanel | undefined): void {
    if (!panel || this.attached.has(panel)) return;
    this.attached.add(panel);
    panel.onDidRequestReveal((target) => {
      void revealRange(target).catch((err: unknown) => this.deps.log.error(`Could not reveal ${target.uri}.`, err));
    });
    panel.onDidRequestCompare(({ requestId }) => {
      if (this.deps.session.resultOf(requestId)) void this.compareVariants();
    });
    panel.onDidRequestOcclusion(({ requestId, unit }) => this.onOcclusionRequest?.(requestId, unit));
    panel.onDidRequestTokenLens(({ requestId }) => {
      if (this.deps.session.resultOf(requestId)) void this.showTokenLens();
    });
    panel.onDidRequestExplanation(({ requestId, method }) => this.onExplainRequest?.(requestId, method));
    panel.onDidRequestAttention(({ requestId, layer, head }) => this.onAttentionRequest?.(requestId, layer, head));
  }
}

/** Shows the document (in the column it is already visible in) and selects the document range start..end. */
export async function revealRange(target: { uri: string; start: number; end: number }): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.parse(target.uri, true);
  const doc = await vscode.workspace.openTextDocument(uri);
  const range = new vscode.Range(doc.positionAt(target.start), doc.positionAt(target.end));
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
    selection: range,
    preserveFocus: false,
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

function fullRange(doc: vscode.TextDocument): vscode.Range {
  return new vscode.Range(new vscode.Position(0, 0), doc.lineAt(doc.lineCount - 1).range.end);
}

function fileName(doc: vscode.TextDocument): string {
  return doc.isUntitled ? doc.uri.path : path.basename(doc.fileName);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
