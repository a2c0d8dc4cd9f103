// Where a setting's value in effect lives (User, Remote, Workspace or Folder settings, named as the Settings
// editor names those tabs) and the command that opens that tab, so messages about a setting point at the place
// to fix it. config.ts reads the values (it is the one owner of settings) and hands them here; nothing here
// reads a setting.
import * as vscode from 'vscode';
import type { SettingKey } from './config';

/**
 * Settings about files and network on the machine that runs the extension host (scope machine-overridable in
 * package.json): in a remote window (SSH, WSL, dev containers, Codespaces, code-server) their user-level value
 * lives in the Remote settings, not the local User settings.
 */
export const MACHINE_KEYS: readonly SettingKey[] = ['model.path', 'model.variant', 'hub.endpoint'];

/** Where a setting's value lives, named as the Settings editor names that tab, and how to open it there. */
export interface SettingPlace {
  /** e.g. "Remote settings (127.0.0.1:8080)", "User settings", "Workspace settings". */
  label: string;
  /** The button that opens it, e.g. "Open Remote Settings". */
  button: string;
  /** The command that opens that tab; its argument is `{ query }`. */
  command: string;
  target: vscode.ConfigurationTarget;
}

/** A setting's values below the user level, as `WorkspaceConfiguration.inspect` gives them. */
export type WorkspaceValues = { workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined;

const { Global, Workspace, WorkspaceFolder } = vscode.ConfigurationTarget;
const WORKSPACE_TAB = {
  label: 'Workspace settings',
  button: 'Open Workspace Settings',
  command: 'workbench.action.openWorkspaceSettings',
};

/**
 * The workspace (or folder) settings when `key` is set there and such a value counts (`workspaceCounts`: not
 * for a restricted setting in an untrusted workspace), else the user-level settings, which for machine
 * settings in a remote window are the Remote settings.
 */
export function placeOf(key: SettingKey, values: WorkspaceValues, workspaceCounts: boolean): SettingPlace {
  // A single-folder window has no separate folder tab: its folder settings are the Workspace tab.
  if (workspaceCounts && values?.workspaceFolderValue !== undefined && vscode.workspace.workspaceFile) {
    return {
      label: 'Folder settings',
      button: 'Open Folder Settings',
      command: 'workbench.action.openFolderSettings',
      target: WorkspaceFolder,
    };
  }
  if (workspaceCounts && values?.workspaceFolderValue !== undefined)
    return { ...WORKSPACE_TAB, target: WorkspaceFolder };
  if (workspaceCounts && values?.workspaceValue !== undefined) return { ...WORKSPACE_TAB, target: Workspace };
  const remote = vscode.env.remoteName;
  if (remote && MACHINE_KEYS.includes(key)) {
    return {
      label: `Remote settings (${remote})`,
      button: 'Open Remote Settings',
      command: 'workbench.action.openRemoteSettings',
      target: Global,
    };
  }
  return {
    label: 'User settings',
    button: 'Open User Settings',
    command: 'workbench.action.openSettings',
    target: Global,
  };
}

/** The most specific level a value is set at (folder, then workspace), else the user settings. */
export function targetWhereSet(values: WorkspaceValues): vscode.ConfigurationTarget {
  if (values?.workspaceFolderValue !== undefined) return WorkspaceFolder;
  return values?.workspaceValue !== undefined ? Workspace : Global;
}
