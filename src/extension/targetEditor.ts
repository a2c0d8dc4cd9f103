// Which text editor a command or live inspection acts on. With the panel focused there is no active text editor,
// so the one the user last worked in is meant. The Output panel (this extension's log among others) is a text
// editor too, with scheme `output`: classifying, comparing or live-following the log is never what is meant.
import * as vscode from 'vscode';

export function isUserEditor(e: vscode.TextEditor | undefined): e is vscode.TextEditor {
  return e !== undefined && e.document.uri.scheme !== 'output';
}

/** The active user editor, else `last` if still visible, else the first visible user editor. */
export function targetEditor(last?: vscode.TextEditor): vscode.TextEditor | undefined {
  const active = vscode.window.activeTextEditor;
  if (isUserEditor(active)) return active;
  const visible = vscode.window.visibleTextEditors.filter(isUserEditor);
  return last && visible.includes(last) ? last : visible[0];
}

/** Shows the document (in the column it is already visible in) and selects its range start..end (a panel's reveal click). */
export async function showInEditor(target: { uri: string; start: number; end: number }): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.parse(target.uri, true);
  const doc = await vscode.workspace.openTextDocument(uri);
  const range = new vscode.Range(doc.positionAt(target.start), doc.positionAt(target.end));
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
    selection: range,
    preserveFocus: false,
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}
