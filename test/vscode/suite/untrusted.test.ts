// Runs only in the runner's untrusted-workspace configuration: the workspace's .vscode/settings.json sets
// distilbertInspector.model.path to a fixture model, and the extension must ignore it and say why.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, bundledModel, classifySelection, labelsOf, openEditor, workspaceUri } from './helpers';

suite('untrusted workspace', () => {
  test('a workspace-level model.path is ignored, and the user is told why', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this file runs only in the untrusted configuration');
    const planted = process.env.DBI_VSCODE_UNTRUSTED_MODEL;
    assert.ok(planted, 'the runner names the planted model folder in DBI_VSCODE_UNTRUSTED_MODEL');
    const settingsFile = path.join(workspaceUri('.vscode').fsPath, 'settings.json');
    const written = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    assert.equal(written['distilbertInspector.model.path'], planted, 'the workspace really sets model.path');

    const a = await api();
    assert.equal(a.config.modelChoice().dir, '', 'the bundled model is chosen');
    const from = a.messages().length;
    const editor = await openEditor('short.txt');
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    const r = await classifySelection();
    assert.ok(r, 'classification still works in Restricted Mode');
    assert.deepEqual(r.inspection.model.labels, labelsOf(bundledModel));
    assert.notEqual(r.inspection.model.path, planted);
    const said = a.messages().slice(from);
    assert.ok(
      said.some((m) => m.text.includes('distilbertInspector.model.path') && /not trusted/.test(m.text) && m.text.includes(planted)),
      JSON.stringify(said),
    );
  });
});
