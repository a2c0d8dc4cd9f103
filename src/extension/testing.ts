// Test access in one place: what the extension-host tests (test/vscode) read to await results without scraping
// the UI. `activate` returns only `{ testing }`. The model service's run counters live here (counted from its
// onDidRun event); the few readers other classes keep for tests (marked "for tests") are read only from here.
import * as vscode from 'vscode';
import type { AttributionMethod, AttributionResult } from '../core/attribution/explain';
import type { TextComparison } from '../core/compare/textCompare';
import type { Inspection } from '../core/types';
import type { AttentionView } from '../shared/protocol';
import type { AttributionCommand, ExplanationOutcome } from './attributionCommand';
import type { Config } from './config';
import type { DatasetCommand } from './datasetCommand';
import type { DatasetHostMessage, DatasetView } from '../shared/datasetProtocol';
import { DATASET_VIEW_TYPE, DatasetPanel } from './panel/datasetPanel';
import type { WindowDecorations } from './decorations';
import type { ClassifierDiagnostics, DiagnosticsOutcome } from './diagnostics';
import type { LiveInspection } from './live';
import type { ModelNotes } from './modelNote';
import type { ModelService } from './modelService';
import type { Notifier, ShownMessage } from './notify';
import type { OcclusionTint, TintedRange } from './occlusionTint';
import type { Session, ShownResult } from './session';
import type { ResultStatusBar } from './statusBar';
import { showInEditor } from './targetEditor';

/** What the extension-host tests read; `activate` returns it as `testing`. */
export interface TestingApi {
  /** Milliseconds spent inside activate(). */
  readonly activationMs: number;
  readonly models: Pick<ModelService, 'currentModel' | 'cancelRunning' | 'onDidLoadModel' | 'onDidRun'>;
  readonly config: Config;
  /** How many inspections ran (counted since the last reset) and the most that were ever in flight at once. */
  runStats(): { started: number; inFlight: number; peakInFlight: number };
  /** Starts the counters afresh (the in-flight count stays: runs still going are still in flight). */
  resetRunStats(): void;
  /** The result on show (from a command or live inspection). */
  lastResult(): ShownResult | undefined;
  messages(): readonly ShownMessage[];
  decoratedRanges(uri: vscode.Uri): vscode.Range[];
  statusText(): string;
  /** The inspection the panel presents as current, if a panel is open. */
  panelInspection(): Inspection | undefined;
  /** What the panel's "reveal window" request does: show the document and select start..end. */
  showInEditor(target: { uri: string; start: number; end: number }): Promise<vscode.TextEditor>;
  /** The occlusion tints a document shows now. */
  occlusionTints(uri: vscode.Uri): TintedRange[];
  /** What the panel's method picker and attention button do, on the current result. */
  explainCurrent(method: AttributionMethod): Promise<ExplanationOutcome | undefined>;
  attentionCurrent(layer?: number, head?: number): Promise<AttentionView | undefined>;
  /** The occlusion state under the panel's current result (undefined kind: none asked for). */
  panelOcclusion(): { requestId: number; kind: string | undefined } | undefined;
  /** The finished attribution cards under the panel's result (occlusion first), as a report gets them. */
  panelExplanations(): AttributionResult[];
  /** The comparison of two texts the panel shows, if it shows one. */
  panelComparison(): TextComparison | undefined;
  /** Dataset mode: a click on one of the report's examples. */
  inspectDatasetRow(row: number): Promise<void>;
  /** The persisted state a window reload hands the dataset panel's serializer: that path, on a fresh panel; resolves to what the panel then shows. */
  reviveDatasetPanel(state: unknown): Promise<DatasetHostMessage | undefined>;
  /** What the dataset panel shows (its `source` is what the webview persists for a reload). */
  datasetView(): DatasetView | undefined;
  /** Classifier diagnostics: the last pass's outcome for a document, and an event per finished pass. */
  diagnosticsOutcome(uri: vscode.Uri): DiagnosticsOutcome | undefined;
  readonly onDidFinishDiagnostics: vscode.Event<{ uri: vscode.Uri; outcome: DiagnosticsOutcome }>;
  /** Live inspection: on/off, its scheduler's counters, and the last live result shown. */
  readonly live: Pick<LiveInspection, 'isOn' | 'stats' | 'lastResult'>;
  /** Where each window's note sits in a document's editor; the status bar's accessible name. */
  decorationNotes(uri: vscode.Uri): vscode.Position[];
  statusAccessibleName(): string;
  /** The neutral notice above the panel's result (e.g. after a cancel), and the model note it shows. */
  panelNotice(): string | undefined;
  readonly modelNotes: Pick<ModelNotes, 'current' | 'switchToFullSize'>;
  /** The extension's global storage folder (hub downloads; the user-data folder is three levels up). */
  readonly globalStoragePath: string;
}

/** The parts of the extension the tests read. */
export interface TestedParts {
  activationMs: number;
  models: ModelService;
  config: Config;
  session: Session;
  notifier: Notifier;
  decorations: WindowDecorations;
  statusBar: ResultStatusBar;
  occlusionTint: OcclusionTint;
  attribution: AttributionCommand;
  dataset: DatasetCommand;
  diagnostics: ClassifierDiagnostics;
  live: LiveInspection;
  modelNotes: ModelNotes;
  globalStoragePath: string;
}

/** The test API over `parts`; its run counters follow `parts.models` until `subscriptions` are disposed. */
export function testingApi(parts: TestedParts, subscriptions: { dispose(): void }[]): TestingApi {
  const { session, attribution } = parts;
  const runs = { started: 0, inFlight: 0, peakInFlight: 0 };
  subscriptions.push(
    parts.models.onDidRun((e) => {
      if (e.kind !== 'inspect' || e.phase === 'progress') return;
      if (e.phase === 'end') {
        runs.inFlight--;
        return;
      }
      runs.started++;
      runs.inFlight++;
      runs.peakInFlight = Math.max(runs.peakInFlight, runs.inFlight);
    }),
  );
  const explainable = (): number | undefined => session.result()?.requestId;
  return {
    activationMs: parts.activationMs,
    models: parts.models,
    config: parts.config,
    runStats: () => ({ ...runs }),
    resetRunStats: () => {
      runs.started = 0;
      runs.peakInFlight = runs.inFlight;
    },
    lastResult: () => session.result(),
    messages: () => parts.notifier.messages(),
    decoratedRanges: (uri) => parts.decorations.ranges(uri),
    statusText: () => parts.statusBar.text(),
    panelInspection: () => session.panel()?.currentInspection(),
    showInEditor,
    occlusionTints: (uri) => parts.occlusionTint.tints(uri),
    explainCurrent: async (method) => {
      const id = explainable();
      return id === undefined ? undefined : attribution.explain(method, id);
    },
    attentionCurrent: async (layer, head) => {
      const id = explainable();
      return id === undefined ? undefined : attribution.showAttention(id, layer, head);
    },
    panelOcclusion: () => {
      const o = session.panel()?.currentOcclusion();
      return o && { requestId: o.requestId, kind: o.occlusion?.kind };
    },
    panelExplanations: () => session.panel()?.currentExplanations() ?? [],
    panelComparison: () => session.panel()?.currentComparison(),
    inspectDatasetRow: (row) => parts.dataset.inspectRow(row),
    reviveDatasetPanel: async (state) => {
      const panel = vscode.window.createWebviewPanel(DATASET_VIEW_TYPE, 'Dataset', vscode.ViewColumn.Active, {});
      await parts.dataset.restore(panel, state);
      return DatasetPanel.current?.lastMessage();
    },
    datasetView: () => DatasetPanel.current?.view,
    diagnosticsOutcome: (uri) => parts.diagnostics.outcome(uri),
    onDidFinishDiagnostics: parts.diagnostics.onDidFinish,
    live: parts.live,
    decorationNotes: (uri) => parts.decorations.notePositions(uri),
    statusAccessibleName: () => parts.statusBar.accessibleName(),
    panelNotice: () => session.panel()?.currentNotice(),
    modelNotes: parts.modelNotes,
    globalStoragePath: parts.globalStoragePath,
  };
}
