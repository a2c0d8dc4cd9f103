// What every per-document decoration (the result decorations, the occlusion tint) must follow: an edit makes it
// stale (cleared), a closed document forgets it, an editor coming into view is painted, and its on/off setting
// repaints every visible editor.
import * as vscode from 'vscode';
import type { Config, SettingKey } from './config';

export interface DocumentDecoration {
  clear(uri: vscode.Uri): void;
  forget(uri: vscode.Uri): void;
  paint(editor: vscode.TextEditor): void;
}

export function decorationListeners(d: DocumentDecoration, config: Config, setting: SettingKey): vscode.Disposable[] {
  const paintAll = () => vscode.window.visibleTextEditors.forEach((ed) => d.paint(ed));
  return [
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0) d.clear(e.document.uri);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => d.forget(doc.uri)),
    vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((ed) => d.paint(ed))),
    config.onDidChange((change) => {
      if (change.keys.includes(setting)) paintAll();
    }),
  ];
}
