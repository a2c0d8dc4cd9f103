// Shared helpers for the extension-host tests: the extension's test API, fixture documents and settings.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassifyOutcome } from '../../../src/extension/classification';
import type { ExtensionApi } from '../../../src/extension/extension';
import type { TestingApi } from '../../../src/extension/testing';

export type { ClassifyOutcome, TestingApi };

export const EXTENSION_ID = 'distilbert-inspector.distilbert-inspector';
export const SECTION = 'distilbertInspector';

/** The repository root (the extension under test); out/test/vscode/suite is four levels below it. */
export const repoRoot = process.env.DBI_REPO_ROOT ?? path.resolve(__dirname, '..', '..', '..', '..');
export const multilabelModel = path.join(repoRoot, 'test', 'fixtures', 'models', 'tiny-distilbert-o17-multilabel');
export const bundledModel = path.join(repoRoot, 'models', 'distilbert-sst2-small');

/** Labels in logit order, read from a model folder's config.json (never hard-coded in the tests). */
export function labelsOf(modelDir: string): string[] {
  const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as {
    id2label: Record<string, string>;
  };
  return Object.keys(config.id2label)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => config.id2label[k]!);
}

/** The extension's test access (src/extension/testing.ts), activating it first if needed. */
export async function api(): Promise<TestingApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this VS Code`);
  return (ext.isActive ? ext.exports : await ext.activate()).testing;
}

export function workspaceUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test run needs a workspace folder (test/vscode/fixtureWorkspace.ts)');
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function openEditor(nameOrDoc: string | vscode.TextDocument): Promise<vscode.TextEditor> {
  const doc =
    typeof nameOrDoc === 'string' ? await vscode.workspace.openTextDocument(workspaceUri(nameOrDoc)) : nameOrDoc;
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
}

export function classifySelection(): Promise<ClassifyOutcome | undefined> {
  return Promise.resolve(
    vscode.commands.executeCommand<ClassifyOutcome | undefined>('distilbertInspector.classifySelection'),
  );
}

export function classifyFile(uri?: vscode.Uri): Promise<ClassifyOutcome | undefined> {
  return Promise.resolve(
    vscode.commands.executeCommand<ClassifyOutcome | undefined>('distilbertInspector.classifyFile', uri),
  );
}

/** Sets (or with undefined, removes) a user-level setting of this extension. */
export async function setUserSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}

/** The messages the extension showed since `from` (an index into api.messages()). */
export function messagesSince(a: TestingApi, from: number): { level: string; text: string; actions: string[] }[] {
  return a.messages().slice(from);
}

/** Resolves with the next model the service loads, or rejects after `ms`. */
export function nextModelLoad(a: TestingApi, ms = 60_000): Promise<{ name: string; labels: string[] }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no model loaded within ${ms} ms`));
    }, ms);
    const sub = a.models.onDidLoadModel((m) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(m);
    });
  });
}

/** Closes every editor so a test starts from a known layout; dirty ones are reverted (a save prompt would hang). */
export async function closeAll(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** A clean editor area with the first line of a workspace file selected: the usual start of a classify test. */
export async function selectFirstLine(name = 'short.txt'): Promise<vscode.TextEditor> {
  await closeAll();
  const editor = await openEditor(name);
  editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
  return editor;
}
