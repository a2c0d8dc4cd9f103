// The dataset panel: its own webview tab (one at a time), fed typed DatasetView messages after `ready`.
import * as vscode from 'vscode';
import {
  isDatasetWebviewMessage,
  type DatasetHostMessage,
  type DatasetView,
  type DatasetWebviewMessage,
} from '../../shared/datasetProtocol';
import { makeNonce, renderShell } from './html';

/** The dataset panel's webview type (package.json's onWebviewPanel activation event names it). */
export const DATASET_VIEW_TYPE = 'distilbertInspector.dataset';
const viewType = DATASET_VIEW_TYPE;

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export class DatasetPanel implements vscode.Disposable {
  static current: DatasetPanel | undefined;
  private ready = false;
  /** What the webview should show; re-sent after every `ready` (the page is rebuilt when the tab is hidden). */
  private last: DatasetHostMessage | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly inspectEmitter = new vscode.EventEmitter<number>();
  /** The user clicked an example: its row index in the shown view. */
  readonly onDidRequestInspect = this.inspectEmitter.event;
  private readonly projectEmitter = new vscode.EventEmitter<
    Extract<DatasetWebviewMessage, { type: 'project' | 'cancelProjection' }>
  >();
  /** The webview wants a projection computed (or the one under way cancelled). */
  readonly onDidRequestProjection = this.projectEmitter.event;
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  /** The user closed the tab. */
  readonly onDidClose = this.closeEmitter.event;
  view: DatasetView | undefined;

  static createOrShow(extensionUri: vscode.Uri, title: string): DatasetPanel {
    if (DatasetPanel.current) {
      DatasetPanel.current.panel.title = title;
      DatasetPanel.current.panel.reveal(undefined, false);
      return DatasetPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      viewType,
      title,
      vscode.ViewColumn.Active,
      webviewOptions(extensionUri),
    );
    DatasetPanel.current = new DatasetPanel(panel, extensionUri);
    return DatasetPanel.current;
  }

  /** A panel VS Code restored after a window reload (its page is empty until the host posts again). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri): DatasetPanel {
    panel.webview.options = webviewOptions(extensionUri);
    DatasetPanel.current?.dispose();
    DatasetPanel.current = new DatasetPanel(panel, extensionUri);
    return DatasetPanel.current;
  }

  /**
   * Restores dataset panels after a reload: `restore` gets the panel and the state its webview persisted.
   * Registered in activate; package.json's onWebviewPanel activation event wakes the extension for it.
   */
  static registerSerializer(restore: (panel: vscode.WebviewPanel, state: unknown) => Promise<void>): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(viewType, { deserializeWebviewPanel: restore });
  }

  /** The last message posted to the page (what it shows, for tests). */
  lastMessage(): DatasetHostMessage | undefined {
    return this.last;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
  ) {
    const webview = panel.webview;
    webview.html = renderShell({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'datasetWebview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'dataset.css')).toString(),
    });
    this.disposables.push(
      this.inspectEmitter,
      this.projectEmitter,
      webview.onDidReceiveMessage((msg: unknown) => {
        if (!isDatasetWebviewMessage(msg)) return; // untrusted: ignore anything malformed
        if (msg.type === 'ready') {
          this.ready = true;
          if (this.last) void webview.postMessage(this.last);
        } else if (msg.type === 'inspectRow') this.inspectEmitter.fire(msg.row);
        else this.projectEmitter.fire(msg);
      }),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  post(msg: DatasetHostMessage): void {
    if (msg.type === 'dataset') this.view = msg.view;
    // Projection messages answer one request of the page on show; a rebuilt page asks again.
    if (msg.type === 'dataset' || msg.type === 'progress' || msg.type === 'error') this.last = msg;
    if (this.ready) void this.panel.webview.postMessage(msg);
  }

  /** Whether the panel still exists (closing it cancels a run). */
  get disposed(): boolean {
    return DatasetPanel.current !== this;
  }

  dispose(): void {
    if (DatasetPanel.current !== this) return;
    DatasetPanel.current = undefined;
    this.closeEmitter.fire();
    this.closeEmitter.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
