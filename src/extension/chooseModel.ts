// "DistilBERT: Choose Model Folder...": a folder picked in a dialog is validated by the core (config.json,
// tokenizer files, the ONNX file of the chosen variant) before it is saved, so a bad folder never becomes the
// setting; the message names the missing or broken file.
import * as vscode from 'vscode';
import { hintFor } from '../core/errors';
import { fullKey, type Config, type ModelVariant } from './config';
import type { Log } from './log';
import type { Notifier } from './notify';

export class ChooseModelFolder {
  constructor(
    private readonly config: Config,
    private readonly notifier: Notifier,
    private readonly log: Log,
  ) {}

  /**
   * Shows the folder dialog (or takes `folder`, for tests and scripts, like exportJson's target), validates the
   * folder and saves it as the user-level model.path. Returns the saved folder, or undefined.
   */
  async run(folder?: vscode.Uri): Promise<string | undefined> {
    let uri = folder instanceof vscode.Uri ? folder : undefined;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        canSelectMany: false,
        openLabel: 'Use This Model',
        title: 'Choose a model folder (Hugging Face layout: config.json, tokenizer.json, onnx/model.onnx)',
      });
      uri = picked?.[0];
      if (!uri) return undefined; // dismissed
    }
    if (uri.scheme !== 'file') {
      this.notifier.error(
        `${uri.toString()} is not a local folder; the model runs from local files. Choose a folder on this machine.`,
      );
      return undefined;
    }
    const dir = uri.fsPath;
    let variant: ModelVariant = 'fp32';
    try {
      variant = this.config.variant();
      // Only the folder check: it reads config.json and looks for the files, without loading ONNX Runtime.
      const { resolveModelFolder } = await import('../core/model/modelFolder');
      const folderInfo = resolveModelFolder(dir, variant);
      this.log.info(`Model folder ${dir} is valid (${folderInfo.config.architecture}, ${variant}).`);
    } catch (err) {
      const e = err as { message?: unknown };
      const message = typeof e.message === 'string' ? e.message : String(err);
      const hint = hintFor(err, 'vscode');
      this.notifier.error(
        `${dir} cannot be used as the model (${variant}), so ${fullKey('model.path')} was not changed: ${message}${hint ? ` ${hint}` : ''}`,
        err,
        'model.path',
      );
      return undefined;
    }
    // Saved where the value in effect lives (Remote settings in a remote window), and the message says where.
    const place = await this.config.setModelPath(dir);
    this.notifier.info(`${fullKey('model.path')} is now ${dir}, saved in ${place.label}.`, {
      title: place.button,
      run: () => vscode.commands.executeCommand(place.command, { query: fullKey('model.path') }),
    });
    return dir;
  }
}
