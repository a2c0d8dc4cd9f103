// What a model.path value names: a model folder or a hub id, and in Restricted Mode only what cannot point at a
// folder the repository put there. config.ts reads the setting (it is the one owner of settings) and hands the
// value here; nothing here reads a setting.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HubError } from '../core/hub/errors';
import { parseModelRef, type ModelRef, type ParseRefOptions } from '../core/hub/modelRef';
import type { ModelChoice } from './config';
import { SettingError, fullKey } from './settingError';

/**
 * Where a non-empty model.path value points. `${workspaceFolder}` and relative paths are folders; anything else
 * may be a hub id (the core decides: an existing folder wins over a hub id of the same spelling). In an
 * untrusted workspace see untrustedModelRef.
 */
export function modelLocation(setting: string, trusted: boolean): Pick<ModelChoice, 'dir' | 'hub'> {
  if (!trusted) return untrustedModelRef(setting);
  if (setting.includes('${workspaceFolder}')) return { dir: resolveFolder(setting), hub: undefined };
  const ref = modelRef(setting, { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir() });
  if (ref.kind === 'hub') return { dir: '', hub: { repo: ref.repo, revision: ref.revision } };
  return { dir: resolveFolder(setting), hub: undefined };
}

/** parseModelRef with its errors as a SettingError naming model.path. */
function modelRef(setting: string, opts: ParseRefOptions): ModelRef {
  try {
    return parseModelRef(setting, opts);
  } catch (err) {
    throw new SettingError(
      'model.path',
      `Setting ${fullKey('model.path')} is "${setting}": ${(err as HubError).oneLine?.('vscode') ?? String(err)}`,
    );
  }
}

/**
 * model.path in Restricted Mode: only what cannot name a folder the repository put there. An absolute path (or
 * `~/...`) is the user's own choice; `owner/name[@revision]` is always a hub id, downloaded even when the
 * workspace holds a folder of that name; a relative path or `${workspaceFolder}` is refused.
 */
function untrustedModelRef(setting: string): Pick<ModelChoice, 'dir' | 'hub'> {
  const refuse = (what: string): SettingError =>
    new SettingError(
      'model.path',
      `Setting ${fullKey('model.path')} is "${setting}", ${what}, but this workspace is in Restricted Mode (not trusted), where the model never comes ` +
        `from the workspace's files. Use an absolute path or a hub id (owner/name) in your user settings, or trust the workspace.`,
    );
  if (setting.includes('${workspaceFolder}')) throw refuse('a folder inside the workspace');
  if (setting === '~' || setting.startsWith('~/') || path.isAbsolute(setting))
    return { dir: resolveFolder(setting), hub: undefined };
  const ref = modelRef(setting, { cwd: os.homedir(), existingFolderWins: false });
  if (ref.kind === 'hub') return { dir: '', hub: { repo: ref.repo, revision: ref.revision } };
  throw refuse('a path relative to the workspace');
}

/** Expands `~` and `${workspaceFolder}`; a relative path is taken from the first workspace folder. */
function resolveFolder(value: string): string {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  let p = value;
  if (p.includes('${workspaceFolder}')) {
    if (!workspace) {
      throw new SettingError(
        'model.path',
        `Setting ${fullKey('model.path')} uses \${workspaceFolder}, but no folder is open. Open the folder or use an absolute path.`,
      );
    }
    p = p.split('${workspaceFolder}').join(workspace);
  }
  if (p === '~' || p.startsWith('~/')) p = path.join(os.homedir(), p.slice(1));
  if (!path.isAbsolute(p)) {
    if (!workspace) {
      throw new SettingError(
        'model.path',
        `Setting ${fullKey('model.path')} is the relative path "${value}", but no folder is open. Use an absolute path.`,
      );
    }
    p = path.join(workspace, p);
  }
  return path.normalize(p);
}
