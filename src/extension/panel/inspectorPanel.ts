// The Activation Inspector panel: a thin vscode shell around PanelModel (state, stale-result rule) and the
// static HTML shell. Results cross to the webview only as typed protocol messages, and only after `ready`.
import * as vscode from 'vscode';
import type { TextComparison } from '../../core/compare/textCompare';
import type { Inspection } from '../../core/types';
import type { AttributionMethod } from '../../core/attribution/explain';
import type { AttributionResult } from '../../core/attribution/explain';
import type { OcclusionUnit } from '../../core/attribution/occlusion';
import {
  assertNever,
  isWebviewToHost,
  type AttentionState,
  type CompareState,
  type ComparedText,
  type ExplanationState,
  type HostToWebview,
  type LiveStatus,
  type ModelNote,
  type OcclusionState,
  type PanelSource,
  type WebviewToHost,
} from '../../shared/protocol';
import { writeFileAtomic } from '../atomicWrite';
import { makeNonce, renderShell } from './html';
import { PanelModel } from './panelModel';
import { inspectionToJson } from '../../core/present/inspectionJson';
import { siblingFileUri } from '../siblingUri';

export type { PanelSource } from '../../shared/protocol';

const viewType = 'distilbertInspector.inspector';
const title = 'Activation Inspector';

/** Scripts on; resources only from the built webview bundle and media/. */
function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/**
 * A click in the panel that asks the host for something. The ones with a `requestId` are about the result they
 * were drawn under (the session passes them on only while that result is still on show); `reveal` carries the
 * document range to select.
 */
export type PanelRequest =
  | { type: 'compareVariants'; requestId: number }
  | { type: 'occlude'; requestId: number; unit: OcclusionUnit }
  | { type: 'tokenLens'; requestId: number }
  | { type: 'explain'; requestId: number; method: AttributionMethod }
  | { type: 'attention'; requestId: number; layer?: number; head?: number }
  | { type: 'reveal'; uri: string; start: number; end: number }
  | { type: 'setLive'; on: boolean }
  | { type: 'openModelCard' }
  | { type: 'switchModel' };

/** One Activation Inspector panel; the session (session.ts) owns the single one and routes its requests. */
export class InspectorPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly requestEmitter = new vscode.EventEmitter<PanelRequest>();
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** The note about the loaded model, re-sent after every `ready` like the live bar. */
  private note: ModelNote | undefined;
  /** The live bar's state, re-sent after every `ready` (it is not part of the persisted panel state). */
  private live: LiveStatus | undefined;
  /** True between the webview's `ready` and the moment it is hidden (its page is torn down then). */
  private ready = false;
  private disposed = false;

  /** A button or link in the panel asked for something (see PanelRequest). */
  readonly onDidRequest = this.requestEmitter.event;
  readonly onDidDispose = this.disposeEmitter.event;

  /** A new panel beside the editor. */
  static create(extensionUri: vscode.Uri): InspectorPanel {
    const panel = vscode.window.createWebviewPanel(
      viewType,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(extensionUri),
    );
    return new InspectorPanel(panel, extensionUri, PanelModel.empty());
  }

  /** Restores panels after a window reload from the state the webview persisted with setState; `adopt` takes each. */
  static registerSerializer(extensionUri: vscode.Uri, adopt: (panel: InspectorPanel) => void): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(viewType, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        panel.webview.options = webviewOptions(extensionUri);
        adopt(new InspectorPanel(panel, extensionUri, PanelModel.fromPersisted(state)));
      },
    });
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly model: PanelModel,
  ) {
    this.disposables.push(
      this.requestEmitter,
      this.disposeEmitter,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      // Without retainContextWhenHidden a hidden webview's page is destroyed; it says `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
    panel.webview.html = this.html();
  }

  /** Brings the panel forward where it is; ViewColumn.Beside would move it if the user dragged it elsewhere. */
  reveal(): void {
    this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
  }

  showRunning(requestId: number, what: string): void {
    this.post(this.model.running(requestId, what));
  }

  /** `canCompare`: the model folder has both ONNX variants, so the panel offers "Compare fp32 / int8". */
  showResult(requestId: number, inspection: Inspection, source: PanelSource, canCompare = false): void {
    this.post(this.model.result(requestId, inspection, source, canCompare ? { kind: 'available' } : undefined));
  }

  /** The fp32 / int8 comparison under result `requestId` (not a comparison of two texts: see showComparison). */
  showVariantCompare(requestId: number, compare: CompareState): void {
    this.post(this.model.variantCompare(requestId, compare));
  }

  showOcclusion(requestId: number, occlusion: OcclusionState): void {
    this.post(this.model.occlusion(requestId, occlusion));
  }

  showExplanation(requestId: number, explanation: ExplanationState): void {
    this.post(this.model.apply({ type: 'explanation', requestId, explanation }));
  }

  showAttention(requestId: number, attention: AttentionState): void {
    this.post(this.model.apply({ type: 'attention', requestId, attention }));
  }

  /** The occlusion state under the result on show, for tests. */
  currentOcclusion(): { requestId: number; occlusion: OcclusionState | undefined } | undefined {
    return this.model.currentOcclusion();
  }

  /** The finished explanations under the result on show (what an exported report includes). */
  currentExplanations(): AttributionResult[] {
    return this.model.currentExplanations();
  }

  showComparison(requestId: number, comparison: TextComparison, texts: [ComparedText, ComparedText]): void {
    this.post(this.model.comparison(requestId, comparison, texts));
  }

  showError(requestId: number, message: string): void {
    this.post(this.model.error(requestId, message));
  }

  showProgress(requestId: number, done: number, total: number): void {
    this.post(this.model.progress(requestId, done, total));
  }

  /** Run `requestId` was cancelled: the previous result comes back with `notice` (see PanelModel.cancelled). */
  showCancelled(requestId: number, notice: string): void {
    this.post(this.model.cancelled(requestId, notice));
  }

  /** A reloaded model clears an error about the old one. */
  showModelReady(note: string): void {
    this.post(this.model.modelReady(note));
  }

  showModelNote(note: ModelNote | undefined): void {
    this.note = note;
    this.post({ type: 'modelNote', note });
  }

  /** The notice above the result on show (e.g. why a newer run stopped), for tests. */
  currentNotice(): string | undefined {
    const view = this.model.snapshot.view;
    return view.kind === 'result' || view.kind === 'comparison'
      ? view.notice
      : view.kind === 'empty'
        ? view.note
        : undefined;
  }

  /** Updates the live bar (toggle, phase, last latency). */
  showLive(live: LiveStatus): void {
    this.live = live;
    this.post({ type: 'live', live });
  }

  currentInspection(): Inspection | undefined {
    return this.model.currentInspection();
  }

  /** Where the current inspection's text came from. */
  currentSource(): PanelSource | undefined {
    return this.model.currentSource();
  }

  currentComparison(): TextComparison | undefined {
    return this.model.currentComparison();
  }

  /** The text comparison on show with the texts it names, if any (what a report of the panel exports). */
  currentComparisonView():
    { requestId: number; comparison: TextComparison; texts: [ComparedText, ComparedText] } | undefined {
    return this.model.currentComparisonView();
  }

  /** Saves the current inspection (the same object as the CLI's --json) where the user chooses. */
  async exportJson(): Promise<void> {
    const inspection = this.model.currentInspection();
    if (!inspection) {
      void vscode.window.showInformationMessage(
        'DistilBERT Inspector: there is no finished inspection to export yet. Run "DistilBERT: Classify Selection" first.',
      );
      return;
    }
    const source = this.model.currentSource();
    const target = await vscode.window.showSaveDialog({
      title: 'Export Inspection as JSON',
      defaultUri: siblingFileUri(source?.uri, '.inspection.json'),
      filters: { JSON: ['json'] },
      saveLabel: 'Export',
    });
    if (!target) return;
    try {
      await writeFileAtomic(
        target,
        Buffer.from(JSON.stringify(inspectionToJson(inspection), null, 2) + '\n', 'utf8'),
        vscode.workspace.fs,
      );
      void vscode.window.showInformationMessage(`DistilBERT Inspector: saved the inspection to ${target.fsPath}.`);
    } catch (e) {
      void vscode.window.showErrorMessage(
        `DistilBERT Inspector: could not write ${target.fsPath}: ${(e as Error).message}. Choose a writable location.`,
      );
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private post(msg: HostToWebview | undefined): void {
    if (!msg || !this.ready || this.disposed) return; // stale, or the webview will get a `restore` on `ready`
    void this.panel.webview.postMessage(msg);
  }

  private onMessage(raw: unknown): void {
    if (!isWebviewToHost(raw)) return; // the webview is a page: never trust its shape
    const msg: WebviewToHost = raw;
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        void this.panel.webview.postMessage({ type: 'restore', state: this.model.snapshot } satisfies HostToWebview);
        if (this.live) void this.panel.webview.postMessage({ type: 'live', live: this.live } satisfies HostToWebview);
        if (this.note)
          void this.panel.webview.postMessage({ type: 'modelNote', note: this.note } satisfies HostToWebview);
        return;
      case 'reveal': {
        const range = this.model.windowRange(msg);
        if (range) this.requestEmitter.fire({ type: 'reveal', ...range });
        return;
      }
      case 'revealCompared': {
        const range = this.model.revealCompared(msg.side);
        if (range) this.requestEmitter.fire({ type: 'reveal', ...range });
        return;
      }
      case 'exportJson':
        void this.exportJson();
        return;
      case 'exportMarkdown':
        // The command owns the dialog, the report and the messages, for the button and the palette alike.
        void vscode.commands.executeCommand('distilbertInspector.exportMarkdown');
        return;
      case 'compareVariants':
      case 'tokenLens':
        this.forResult((requestId) => ({ type: msg.type, requestId }));
        return;
      case 'occlude':
        this.forResult((requestId) => ({ type: 'occlude', requestId, unit: msg.unit }));
        return;
      case 'explain':
        this.forResult((requestId) => ({ type: 'explain', requestId, method: msg.method }));
        return;
      case 'attention':
        this.forResult((requestId) => ({
          type: 'attention',
          requestId,
          ...(msg.layer !== undefined ? { layer: msg.layer, head: msg.head ?? -1 } : {}),
        }));
        return;
      case 'setLive':
        this.requestEmitter.fire({ type: 'setLive', on: msg.on });
        return;
      case 'openModelCard':
      case 'switchModel':
        this.requestEmitter.fire({ type: msg.type });
        return;
      default:
        assertNever(msg);
    }
  }

  /** A request about the result on show, named by its request id (none when the panel shows no result). */
  private forResult(request: (requestId: number) => PanelRequest): void {
    const requestId = this.model.currentRequestId();
    if (requestId !== undefined) this.requestEmitter.fire(request(requestId));
  }

  private html(): string {
    const { webview } = this.panel;
    return renderShell({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'inspector.css')).toString(),
    });
  }
}
