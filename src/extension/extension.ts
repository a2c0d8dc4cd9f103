// Activation is kept thin: it wires settings, the log, the status bar, decorations, the panel serializer and
// the commands. Nothing here loads onnxruntime-node or the model; ModelService does that on first use.
import * as vscode from 'vscode';
import type { Inspection } from '../core/types';
import { ClassifyCommands, revealRange, type ClassifyOutcome } from './commands';
import { CompareTextsCommand, type TextComparisonOutcome } from './compareTexts';
import type { TextComparison } from '../core/compare/textCompare';
import { Config, fullKey, type ModelChoice } from './config';
import { describeFailure } from './failures';
import { HubDownloads } from './hubDownload';
import { ChooseModelFolder } from './chooseModel';
import { MarkdownExport, reportSubjectNow } from './exportMarkdown';
import { ClassifierDiagnostics, type DiagnosticsOutcome } from './diagnostics';
import { LiveInspection } from './live';
import { WindowDecorations } from './decorations';
import { Log } from './log';
import { ModelService } from './modelService';
import type { AttributionMethod, AttributionResult } from '../core/attribution/explain';
import type { AttentionView } from '../shared/attributionProtocol';
import { AttributionCommand, type ExplanationOutcome } from './attributionCommand';
import { ModelNotes } from './modelNote';
import { OcclusionCommand, type OcclusionOutcome } from './occlusionCommand';
import { OcclusionTint, type TintedRange } from './occlusionTint';
import { Notifier, type ShownMessage } from './notify';
import { InspectorPanel } from './panel/inspectorPanel';
import { Session } from './session';
import { DatasetCommand, type OpenDatasetArgs } from './datasetCommand';
import type { DatasetReport } from '../core/dataset/report';
import type { DatasetHostMessage, DatasetView } from '../shared/datasetProtocol';
import { DATASET_VIEW_TYPE, DatasetPanel } from './panel/datasetPanel';
import { ResultStatusBar } from './statusBar';
import { QuantizeModelCommand, type QuantizeOutcome } from './quantizeCommand';

/** What `activate` returns: a small API so extension-host tests can await results without scraping the UI. */
export interface ExtensionApi {
  /** Milliseconds spent inside activate(). */
  readonly activationMs: number;
  readonly models: ModelService;
  readonly config: Config;
  /** The result on show (from a command or live inspection). */
  lastResult(): ClassifyOutcome | undefined;
  messages(): readonly ShownMessage[];
  decoratedRanges(uri: vscode.Uri): vscode.Range[];
  statusText(): string;
  /** The inspection the panel presents as current, if a panel is open. */
  panelInspection(): Inspection | undefined;
  /** What the panel's "reveal window" request does: show the document and select start..end. */
  revealRange(target: { uri: string; start: number; end: number }): Promise<vscode.TextEditor>;
  /** The last finished occlusion, and the occlusion tints a document shows now. */
  lastOcclusion(): OcclusionOutcome | undefined;
  occlusionTints(uri: vscode.Uri): TintedRange[];
  /** The last finished explanation from the panel's method picker. */
  lastExplanation(): ExplanationOutcome | undefined;
  /** What the panel's method picker and attention button do, on the current result (for tests). */
  explainCurrent(method: AttributionMethod): Promise<ExplanationOutcome | undefined>;
  attentionCurrent(layer?: number, head?: number): Promise<AttentionView | undefined>;
  /** The occlusion state under the panel's current result (undefined kind: none asked for). */
  panelOcclusion(): { requestId: number; kind: string | undefined } | undefined;
  /** The finished attribution cards under the panel's result (occlusion first), as a report gets them. */
  panelExplanations(): AttributionResult[];
  /** The last finished "Compare Two Texts", and the comparison the panel shows (if it shows one). */
  lastTextComparison(): TextComparisonOutcome | undefined;
  panelComparison(): TextComparison | undefined;
  /** Dataset mode: the report last shown in the dataset panel, and a click on one of its examples. */
  datasetReport(): DatasetReport | undefined;
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

let modelsForDeactivate: ModelService | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const started = performance.now();
  const log = new Log();
  const config = new Config();
  const notifier = new Notifier(log, context.extension.id, (key) => config.settingPlace(key));
  const hub = new HubDownloads(context.secrets, context.globalStorageUri.fsPath, config, log);
  const models = new ModelService(
    config,
    log,
    context.globalStorageUri.fsPath,
    (ignored) =>
      notifier.warn(
        `The workspace setting ${fullKey('model.path')} ("${ignored}") is ignored because this workspace is not trusted: ` +
          `an untrusted repository must not choose which model files the extension loads. Using the user setting or the bundled model; ` +
          `trust the workspace to use its model.`,
        { title: 'Manage Workspace Trust', run: () => vscode.commands.executeCommand('workbench.trust.manage') },
      ),
    hub,
  );
  modelsForDeactivate = models;
  const statusBar = new ResultStatusBar('distilbertInspector.openInspector');
  const decorations = new WindowDecorations(config);
  // The result on show, from a command or live inspection: what every command about "the current result" uses.
  const session = new Session((r) => InspectorPanel.current?.showResult(r.requestId, r.inspection, r.source, models.hasBothVariants(r.inspection.model)));
  const commands = new ClassifyCommands({ extensionUri: context.extensionUri, models, session, statusBar, decorations, notifier, log });
  const occlusionTint = new OcclusionTint(config);
  const occlusion = new OcclusionCommand({ commands, session, models, tint: occlusionTint, notifier, log });
  commands.onOcclusionRequest = (requestId, unit) => void occlusion.run(unit, requestId);
  const attribution = new AttributionCommand({ session, models, tint: occlusionTint, notifier, log });
  // The picker runs every method here (occlusion too), so each strip carries its faithfulness score.
  commands.onExplainRequest = (requestId, method) => void attribution.explain(method, requestId);
  commands.onAttentionRequest = (requestId, layer, head) => void attribution.showAttention(requestId, layer, head);
  const modelNotes = new ModelNotes({
    bundledDir: vscode.Uri.joinPath(context.extensionUri, 'models', 'distilbert-sst2-small').fsPath,
    models,
    config,
    hub,
    notifier,
    log,
  });
  const quantize = new QuantizeModelCommand(config, models, notifier, log, context.globalStorageUri.fsPath);
  const datasetCommand = new DatasetCommand({ extensionUri: context.extensionUri, cacheDir: context.globalStorageUri.fsPath, models, commands, notifier, log, hub });
  const compareTextsCommand = new CompareTextsCommand({ models, notifier, log, panel: () => commands.showPanel(), currentPanel: () => InspectorPanel.current });

  context.subscriptions.push(
    log,
    config,
    models,
    statusBar,
    decorations,
    occlusionTint,
    modelNotes,
    ...commands.listeners(),
    InspectorPanel.registerSerializer(context.extensionUri),
    DatasetPanel.registerSerializer((panel, state) => datasetCommand.restore(panel, state)),
    config.onDidChange((change) => {
      if (!change.reloadModel) return;
      log.info(`Settings changed (${change.keys.map(fullKey).join(', ')}): reloading the model.`);
      models.reload().then(
        (model) => {
          if (!model) return;
          // The change may have fixed a broken model: the error goes from the status bar and the panel too.
          statusBar.showReady(model);
          InspectorPanel.current?.showModelReady(`Model ready: ${model.name}. Run the command again to classify with it.`);
          notifier.info(`DistilBERT Inspector now uses ${model.name} (labels: ${model.labels.join(', ')}); model ready.`);
        },
        (err: unknown) => {
          const failure = describeFailure(err, models.currentChoice() ?? safeChoice(config));
          if (failure.level !== 'silent') statusBar.showError(failure.text);
          notifier.failure(failure, err);
        },
      );
    }),
    vscode.commands.registerCommand('distilbertInspector.classifySelection', () => commands.classifySelection()),
    vscode.commands.registerCommand('distilbertInspector.classifyFile', (uri?: vscode.Uri) => commands.classifyFile(uri)),
    vscode.commands.registerCommand('distilbertInspector.openInspector', () => {
      commands.openInspector();
    }),
    vscode.commands.registerCommand('distilbertInspector.exportJson', (target?: vscode.Uri) => commands.exportJson(target)),
    // `target` (the .md) is for tests and scripts, like exportJson's; the charts go to a sibling `<name>-assets/`.
    vscode.commands.registerCommand('distilbertInspector.exportMarkdown', (target?: vscode.Uri) =>
      new MarkdownExport(() => reportSubjectNow(commands, compareTextsCommand), notifier, log).run(target),
    ),
    vscode.commands.registerCommand('distilbertInspector.showLog', () => log.show()),
    vscode.commands.registerCommand('distilbertInspector.compareVariants', () => commands.compareVariants()),
    vscode.commands.registerCommand('distilbertInspector.showTokenLens', () => commands.showTokenLens()),
    vscode.commands.registerCommand('distilbertInspector.occlude', (unit?: 'word' | 'piece') => occlusion.run(unit)),
    vscode.commands.registerCommand('distilbertInspector.toggleOcclusionTint', async () => {
      const on = await config.toggleOcclusionEditorTint();
      notifier.info(`Occlusion tint in the editor is now ${on ? 'on' : 'off'} (setting ${fullKey('occlusion.editorTint')}).`);
      return on;
    }),
    // `args` ({ file, textColumn, labelColumn }) is for tests and scripts; a person gets a file dialog.
    vscode.commands.registerCommand('distilbertInspector.openDataset', (args?: OpenDatasetArgs) => datasetCommand.run(typeof args === 'object' && args !== null ? args : {})),
    // `args` ({ id, textColumn, ... }) is for tests and scripts; a person types owner/name[@rev]:path in an input box.
    vscode.commands.registerCommand('distilbertInspector.openHubDataset', (args?: OpenDatasetArgs & { id?: string }) => datasetCommand.runHub(typeof args === 'object' && args !== null ? args : {})),
    // `args` ({ source, uri, texts, ... }) is for tests and scripts; a person picks the source in a quick pick.
    vscode.commands.registerCommand('distilbertInspector.compareTexts', (args?: unknown) => compareTextsCommand.run(args)),
    // `folder` is for tests and scripts (skips the dialog), like exportJson's target.
    vscode.commands.registerCommand('distilbertInspector.chooseModelFolder', (folder?: vscode.Uri) =>
      new ChooseModelFolder(config, notifier, log).run(folder),
    ),
    // `token` is for tests and scripts; a person gets a password box.
    vscode.commands.registerCommand('distilbertInspector.setHubToken', async (token?: string) => {
      const stored = await hub.setToken(token);
      if (stored) notifier.info('Hugging Face token stored in VS Code\'s secret storage; it is sent only to the hub endpoint when downloading.');
      return stored;
    }),
    // `confirm` is for tests and scripts (answers the download question); a person gets a modal with the size.
    vscode.commands.registerCommand('distilbertInspector.useFullSizeModel', (confirm?: unknown) =>
      modelNotes.switchToFullSize(typeof confirm === 'boolean' ? confirm : undefined),
    ),
    // `switchTo` is for tests and scripts; a person is asked after seeing the sample's agreement.
    vscode.commands.registerCommand('distilbertInspector.quantizeModel', (switchTo?: unknown): Promise<QuantizeOutcome | undefined> =>
      quantize.run(typeof switchTo === 'string' ? config.variantFromArg(switchTo) : undefined),
    ),
    vscode.commands.registerCommand('distilbertInspector.clearHubToken', async () => {
      await hub.clearToken();
      notifier.info('Hugging Face token removed from VS Code\'s secret storage.');
    }),
  );

  // After the reload listener above, so on a model change the new model is already loading when it re-checks.
  const diagnostics = new ClassifierDiagnostics(config, models, notifier, log);
  context.subscriptions.push(diagnostics);
  const live = new LiveInspection({ extensionUri: context.extensionUri, config, models, session, notifier, log, statusBar });
  context.subscriptions.push(
    live,
    // `on` is for tests and keybindings ({"args": true}); without it the command flips live.
    vscode.commands.registerCommand('distilbertInspector.toggleLive', (on?: unknown) => live.toggle(typeof on === 'boolean' ? on : undefined)),
  );

  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(1)} ms (model not loaded yet; it loads on first use).`);
  return {
    activationMs,
    models,
    config,
    lastResult: () => commands.lastResult(),
    messages: () => notifier.messages(),
    decoratedRanges: (uri) => decorations.ranges(uri),
    statusText: () => statusBar.text(),
    panelInspection: () => InspectorPanel.current?.currentInspection(),
    revealRange,
    lastOcclusion: () => occlusion.lastOutcome(),
    lastExplanation: () => attribution.lastOutcome(),
    explainCurrent: async (method) => {
      const id = commands.lastResult()?.requestId;
      return id === undefined ? undefined : attribution.explain(method, id);
    },
    attentionCurrent: async (layer, head) => {
      const id = commands.lastResult()?.requestId;
      return id === undefined ? undefined : attribution.showAttention(id, layer, head);
    },
    occlusionTints: (uri) => occlusionTint.tints(uri),
    panelOcclusion: () => {
      const o = InspectorPanel.current?.currentOcclusion();
      return o && { requestId: o.requestId, kind: o.occlusion?.kind };
    },
    panelExplanations: () => InspectorPanel.current?.currentExplanations() ?? [],
    lastTextComparison: () => compareTextsCommand.lastComparison(),
    datasetReport: () => datasetCommand.report(),
    inspectDatasetRow: (row: number) => datasetCommand.inspectRow(row),
    reviveDatasetPanel: async (state: unknown) => {
      const panel = vscode.window.createWebviewPanel(DATASET_VIEW_TYPE, 'Dataset', vscode.ViewColumn.Active, {});
      await datasetCommand.restore(panel, state);
      return DatasetPanel.current?.lastMessage();
    },
    datasetView: () => DatasetPanel.current?.view,
    panelComparison: () => InspectorPanel.current?.currentComparison(),
    diagnosticsOutcome: (uri) => diagnostics.outcome(uri),
    onDidFinishDiagnostics: diagnostics.onDidFinish,
    live,
    decorationNotes: (uri) => decorations.notePositions(uri),
    statusAccessibleName: () => statusBar.accessibleName(),
    panelNotice: () => InspectorPanel.current?.currentNotice(),
    modelNotes,
    globalStoragePath: context.globalStorageUri.fsPath,
  };
}

/** Waits for the inference worker to end, so a window reload leaves no orphan thread behind. */
export async function deactivate(): Promise<void> {
  await modelsForDeactivate?.shutdown();
  modelsForDeactivate = undefined;
}

/** The model choice for an error message; undefined when the setting itself is what failed. */
function safeChoice(config: Config): ModelChoice | undefined {
  try {
    return config.modelChoice();
  } catch {
    return undefined;
  }
}
