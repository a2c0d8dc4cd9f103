// Activation is kept thin: it wires settings, the log, the status bar, decorations, the panel serializer and
// the commands. Nothing here loads onnxruntime-node or the model; ModelService does that on first use.
import * as vscode from 'vscode';
import { Classifier } from './classification';
import { ClassifyCommands } from './commands';
import { TextCompareCommand } from './textCompareCommand';
import { Config, fullKey, type ModelChoice } from './config';
import { describeFailure } from './failures';
import { HubDownloads } from './hubDownload';
import { ChooseModelFolder } from './chooseModel';
import { MarkdownExport, reportSubjectNow } from './exportMarkdown';
import { ClassifierDiagnostics } from './diagnostics';
import { LiveInspection } from './live';
import { WindowDecorations } from './decorations';
import { Log } from './log';
import { ModelService } from './modelService';
import { hasBothVariants } from './variantPair';
import { AttributionCommand } from './attributionCommand';
import { ModelNotes } from './modelNote';
import { OcclusionCommand } from './occlusionCommand';
import { OcclusionTint } from './occlusionTint';
import { Notifier } from './notify';
import { InspectorPanel } from './panel/inspectorPanel';
import { Session } from './session';
import { DatasetCommand, type OpenDatasetArgs } from './datasetCommand';
import { DatasetPanel } from './panel/datasetPanel';
import { ResultStatusBar } from './statusBar';
import { QuantizeModelCommand, type QuantizeOutcome } from './quantizeCommand';
import { testingApi, type TestingApi } from './testing';

/** What `activate` returns: test access only (testing.ts); the extension offers no API to other extensions. */
export interface ExtensionApi {
  readonly testing: TestingApi;
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
  // The result on show and the single panel: every command about "the current result" asks the session, and
  // each command registers with it the panel requests it answers (session.ts: a panel button's way to the worker).
  const session = new Session({
    createPanel: () => InspectorPanel.create(context.extensionUri),
    canCompare: (i) => hasBothVariants(i.model),
  });
  const classifier = new Classifier({ models, session, statusBar, notifier, log });
  const commands = new ClassifyCommands({ models, session, classifier, decorations, notifier, log });
  const occlusionTint = new OcclusionTint(config);
  const occlusion = new OcclusionCommand({ session, models, tint: occlusionTint, notifier, log });
  const attribution = new AttributionCommand({ session, models, tint: occlusionTint, notifier, log });
  const modelNotes = new ModelNotes({
    bundledDir: vscode.Uri.joinPath(context.extensionUri, 'models', 'distilbert-sst2-small').fsPath,
    models,
    session,
    config,
    hub,
    notifier,
    log,
  });
  const quantize = new QuantizeModelCommand(config, models, notifier, log, context.globalStorageUri.fsPath);
  const datasetCommand = new DatasetCommand({
    extensionUri: context.extensionUri,
    cacheDir: context.globalStorageUri.fsPath,
    models,
    classifier,
    session,
    notifier,
    log,
    hub,
  });
  const textCompare = new TextCompareCommand({ models, session, notifier, log });

  context.subscriptions.push(
    log,
    config,
    models,
    statusBar,
    decorations,
    occlusionTint,
    modelNotes,
    ...commands.listeners(),
    InspectorPanel.registerSerializer(context.extensionUri, (panel) => session.adopt(panel)),
    DatasetPanel.registerSerializer((panel, state) => datasetCommand.restore(panel, state)),
    config.onDidChange((change) => {
      if (!change.reloadModel) return;
      log.info(`Settings changed (${change.keys.map(fullKey).join(', ')}): reloading the model.`);
      models.reload().then(
        (model) => {
          if (!model) return;
          // The change may have fixed a broken model: the error goes from the status bar and the panel too.
          statusBar.showReady(model);
          session.panel()?.showModelReady(`Model ready: ${model.name}. Run the command again to classify with it.`);
          notifier.info(
            `DistilBERT Inspector now uses ${model.name} (labels: ${model.labels.join(', ')}); model ready.`,
          );
        },
        (err: unknown) => {
          const failure = describeFailure(err, models.currentChoice() ?? safeChoice(config));
          if (failure.level !== 'silent') statusBar.showError(failure.text);
          notifier.failure(failure, err);
        },
      );
    }),
    vscode.commands.registerCommand('distilbertInspector.classifySelection', () => commands.classifySelection()),
    vscode.commands.registerCommand('distilbertInspector.classifyFile', (uri?: vscode.Uri) =>
      commands.classifyFile(uri),
    ),
    vscode.commands.registerCommand('distilbertInspector.openInspector', () => {
      commands.openInspector();
    }),
    vscode.commands.registerCommand('distilbertInspector.exportJson', (target?: vscode.Uri) =>
      commands.exportJson(target),
    ),
    // `target` (the .md) is for tests and scripts, like exportJson's; the charts go to a sibling `<name>-assets/`.
    vscode.commands.registerCommand('distilbertInspector.exportMarkdown', (target?: vscode.Uri) =>
      new MarkdownExport(() => reportSubjectNow(session), notifier, log).run(target),
    ),
    vscode.commands.registerCommand('distilbertInspector.showLog', () => log.show()),
    vscode.commands.registerCommand('distilbertInspector.compareVariants', () => commands.compareVariants()),
    vscode.commands.registerCommand('distilbertInspector.showTokenLens', () => commands.showTokenLens()),
    vscode.commands.registerCommand('distilbertInspector.occlude', (unit?: 'word' | 'piece') => occlusion.run(unit)),
    vscode.commands.registerCommand('distilbertInspector.toggleOcclusionTint', async () => {
      const on = await config.toggleOcclusionEditorTint();
      notifier.info(
        `Occlusion tint in the editor is now ${on ? 'on' : 'off'} (setting ${fullKey('occlusion.editorTint')}).`,
      );
      return on;
    }),
    // `args` ({ file, textColumn, labelColumn }) is for tests and scripts; a person gets a file dialog.
    vscode.commands.registerCommand('distilbertInspector.openDataset', (args?: OpenDatasetArgs) =>
      datasetCommand.run(typeof args === 'object' && args !== null ? args : {}),
    ),
    // `args` ({ id, textColumn, ... }) is for tests and scripts; a person types owner/name[@rev]:path in an input box.
    vscode.commands.registerCommand('distilbertInspector.openHubDataset', (args?: OpenDatasetArgs & { id?: string }) =>
      datasetCommand.runHub(typeof args === 'object' && args !== null ? args : {}),
    ),
    // `args` ({ source, uri, texts, ... }) is for tests and scripts; a person picks the source in a quick pick.
    vscode.commands.registerCommand('distilbertInspector.compareTexts', (args?: unknown) => textCompare.run(args)),
    // `folder` is for tests and scripts (skips the dialog), like exportJson's target.
    vscode.commands.registerCommand('distilbertInspector.chooseModelFolder', (folder?: vscode.Uri) =>
      new ChooseModelFolder(config, notifier, log).run(folder),
    ),
    // `token` is for tests and scripts; a person gets a password box.
    vscode.commands.registerCommand('distilbertInspector.setHubToken', async (token?: string) => {
      const stored = await hub.setToken(token);
      if (stored)
        notifier.info(
          "Hugging Face token stored in VS Code's secret storage; it is sent only to the hub endpoint when downloading.",
        );
      return stored;
    }),
    // `confirm` is for tests and scripts (answers the download question); a person gets a modal with the size.
    vscode.commands.registerCommand('distilbertInspector.useFullSizeModel', (confirm?: unknown) =>
      modelNotes.switchToFullSize(typeof confirm === 'boolean' ? confirm : undefined),
    ),
    // `switchTo` is for tests and scripts; a person is asked after seeing the sample's agreement.
    vscode.commands.registerCommand(
      'distilbertInspector.quantizeModel',
      (switchTo?: unknown): Promise<QuantizeOutcome | undefined> =>
        quantize.run(typeof switchTo === 'string' ? config.variantFromArg(switchTo) : undefined),
    ),
    vscode.commands.registerCommand('distilbertInspector.clearHubToken', async () => {
      await hub.clearToken();
      notifier.info("Hugging Face token removed from VS Code's secret storage.");
    }),
  );

  // After the reload listener above, so on a model change the new model is already loading when it re-checks.
  const diagnostics = new ClassifierDiagnostics(config, models, notifier, log);
  context.subscriptions.push(diagnostics);
  const live = new LiveInspection({ config, models, session, notifier, log, statusBar });
  context.subscriptions.push(
    live,
    // `on` is for tests and keybindings ({"args": true}); without it the command flips live.
    vscode.commands.registerCommand('distilbertInspector.toggleLive', (on?: unknown) =>
      live.toggle(typeof on === 'boolean' ? on : undefined),
    ),
  );

  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(1)} ms (model not loaded yet; it loads on first use).`);
  const testing = testingApi(
    {
      activationMs,
      models,
      config,
      session,
      notifier,
      decorations,
      statusBar,
      occlusionTint,
      attribution,
      dataset: datasetCommand,
      diagnostics,
      live,
      modelNotes,
      globalStoragePath: context.globalStorageUri.fsPath,
    },
    context.subscriptions,
  );
  return { testing };
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
