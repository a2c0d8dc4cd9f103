// The editor commands: Classify Selection / File (editor state in, through the Classifier, results out to the
// panel, the status bar and the decorations), and those about the result on show (Open Inspector, Export JSON,
// Compare fp32 / int8, the token lens). Handlers return their outcome so tests can await results.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Inspection } from '../core/types';
import type { PanelSource, VariantRun } from '../shared/protocol';
import { writeFileAtomic } from './atomicWrite';
import { classifying, type Classifier, type ClassifyOutcome } from './classification';
import { showFailure } from './failures';
import type { Log } from './log';
import type { ModelService } from './modelService';
import type { Notifier } from './notify';
import type { InspectorPanel } from './panel/inspectorPanel';
import { withProgress } from './progress';
import type { Session } from './session';
import type { WindowDecorations } from './decorations';
import { hasBothVariants } from './variantPair';
import { isUserEditor, showInEditor, targetEditor } from './targetEditor';
import { inspectionToJson } from '../core/present/inspectionJson';

export interface CommandDeps {
  models: ModelService;
  /** Owns the result on show and the panel; the commands here read the result from there. */
  session: Session;
  /** Runs a classification and puts its result on show. */
  classifier: Classifier;
  decorations: WindowDecorations;
  notifier: Notifier;
  log: Log;
}

export class ClassifyCommands {
  private lastEditor: vscode.TextEditor | undefined;

  constructor(private readonly deps: CommandDeps) {
    const { session, log } = deps;
    session.handle('reveal', (target) => {
      void showInEditor(target).catch((err: unknown) => log.error(`Could not reveal ${target.uri}.`, err));
    });
    session.handle('compareVariants', () => void this.compareVariants());
    session.handle('tokenLens', () => void this.showTokenLens());
  }

  /** Listeners the commands need; the caller registers them for disposal. */
  listeners(): vscode.Disposable[] {
    return [
      // A focused webview leaves activeTextEditor undefined; remember the editor the user was in.
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (isUserEditor(e)) this.lastEditor = e;
      }),
    ];
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
        this.deps.notifier.warn(
          `${path.basename(uri.path)} cannot be opened as text, so it cannot be classified: ${errorText(err)}`,
        );
        return undefined;
      }
    } else {
      doc = this.editor()?.document;
    }
    if (!doc) return undefined;
    return this.classify(doc, fullRange(doc), false, fileName(doc));
  }

  openInspector(): InspectorPanel {
    return this.deps.session.openPanelOnResult();
  }

  /** Saves the current inspection: to `target` when given (scripts, tests), else where the user chooses. */
  async exportJson(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const { session } = this.deps;
    const inspection = session.panel()?.currentInspection() ?? session.result()?.inspection;
    if (!inspection) {
      this.deps.notifier.info('There is no inspection to export yet. Run "DistilBERT: Classify Selection" first.');
      return undefined;
    }
    if (!(target instanceof vscode.Uri)) {
      await this.openInspector().exportJson();
      return undefined;
    }
    try {
      await writeFileAtomic(
        target,
        Buffer.from(JSON.stringify(inspectionToJson(inspection), null, 2) + '\n', 'utf8'),
        vscode.workspace.fs,
      );
    } catch (err) {
      this.deps.notifier.error(`Could not write ${target.fsPath}: ${errorText(err)}. Choose a writable location.`, err);
      return undefined;
    }
    this.deps.log.info(`Exported the inspection to ${target.toString()}.`);
    return target;
  }

  private async classify(
    doc: vscode.TextDocument,
    range: vscode.Range,
    selection: boolean,
    what: string,
  ): Promise<ClassifyOutcome | undefined> {
    const baseOffset = doc.offsetAt(range.start);
    const version = doc.version;
    const source: PanelSource = {
      uri: doc.uri.toString(),
      fileName: path.basename(doc.fileName),
      baseOffset,
      selection,
    };
    return this.deps.classifier.classify(
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
   * "Compare fp32 / int8": the last result's text through both ONNX files of its model folder, shown beside
   * the result in the panel. Returns the runs (fp32 first) for tests; undefined when there is nothing to compare.
   */
  async compareVariants(): Promise<VariantRun[] | undefined> {
    const { models, session, notifier, log } = this.deps;
    const last = session.result();
    if (!last) {
      notifier.info('There is no result to compare yet. Run "DistilBERT: Classify Selection" first.');
      return undefined;
    }
    if (!hasBothVariants(last.inspection.model)) {
      notifier.info(
        `The model folder ${last.inspection.model.path} has no pair of onnx/model.onnx and onnx/model_quantized.onnx, so there is no fp32 / int8 comparison for it.`,
      );
      return undefined;
    }
    // About the current result, like occlusion: it must not abort a classification in flight (whose panel would
    // then wait on "Running..." forever), and the next classification makes it moot and aborts it.
    const request = models.beginFollower();
    // The panel shows the comparison under its result; request.id is only for cancelling and the log.
    session.openPanel().showVariantCompare(last.requestId, { kind: 'running' });
    log.info(`Request ${request.id}: comparing fp32 and int8 on the text of request ${last.requestId}.`);
    try {
      const runs = await withProgress({ title: 'DistilBERT: fp32 / int8', notification: false }, () =>
        models.run('compareVariants', request, { text: last.text }),
      );
      session.panel()?.showVariantCompare(last.requestId, { kind: 'done', runs });
      return runs;
    } catch (err) {
      showFailure(err, models.currentChoice(), notifier, {
        cancelled: () => session.panel()?.showVariantCompare(last.requestId, { kind: 'available' }),
        error: (message) => session.panel()?.showVariantCompare(last.requestId, { kind: 'error', message }),
      });
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
    const last = session.result();
    if (!last) {
      notifier.info('There is no result for the token lens yet. Run "DistilBERT: Classify Selection" first.');
      return undefined;
    }
    const request = models.beginFollower();
    log.info(`Request ${request.id}: token lens on the text of request ${last.requestId}.`);
    try {
      const inspection = await withProgress(classifying('the token lens', last.text.length, request.cancel), (report) =>
        models.run('inspect', request, {
          text: last.text,
          onProgress: (done, total) => report(`window ${done} of ${total}`, done, total),
          tokenLens: true,
        }),
      );
      // A newer result on show (or a newer request) makes this one moot.
      if (session.result() !== last || !request.isCurrent()) return undefined;
      session.show({ ...last, inspection });
      return inspection;
    } catch (err) {
      // Shown nowhere but the notification: the result it was about stays as it is.
      showFailure(err, models.currentChoice(), notifier, { cancelled: () => undefined, error: () => undefined });
      return undefined;
    }
  }

  /** The editor to act on (see targetEditor: never the Output panel). */
  private editor(): vscode.TextEditor | undefined {
    const editor = targetEditor(this.lastEditor);
    if (!editor) this.deps.notifier.info('Open a text file (or select text in one) to classify it with DistilBERT.');
    return editor;
  }
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
