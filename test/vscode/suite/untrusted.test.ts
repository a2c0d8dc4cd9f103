// Runs only in the runner's untrusted-workspace configuration: the workspace's .vscode/settings.json sets
// distilbertInspector.model.path to a fixture model, and the extension must ignore it and say why.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, bundledModel, classifySelection, labelsOf, nextModelLoad, openEditor, workspaceUri } from './helpers';

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
      said.some(
        (m) =>
          m.text.includes('distilbertInspector.model.path') && /not trusted/.test(m.text) && m.text.includes(planted),
      ),
      JSON.stringify(said),
    );
  });

  test('a workspace-level hub.endpoint, model.variant and hub-id model.path are ignored: a repository cannot redirect downloads', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const a = await api();
    const settingsFile = path.join(workspaceUri('.vscode').fsPath, 'settings.json');
    const original = fs.readFileSync(settingsFile, 'utf8');
    const written = JSON.parse(original) as Record<string, unknown>;
    const changed = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('distilbertInspector.hub.endpoint')) {
          sub.dispose();
          resolve();
        }
      });
      setTimeout(() => {
        sub.dispose();
        resolve();
      }, 5000);
    });
    fs.writeFileSync(
      settingsFile,
      JSON.stringify(
        {
          ...written,
          'distilbertInspector.model.path': 'evil/model',
          'distilbertInspector.hub.endpoint': 'http://127.0.0.1:9/evil',
          'distilbertInspector.model.variant': 'quantized',
        },
        null,
        2,
      ),
    );
    try {
      await changed;
      assert.equal(a.config.hubEndpoint(), process.env.HF_ENDPOINT || undefined, 'the workspace endpoint is not used');
      assert.equal(a.config.variant(), 'fp32', 'the workspace variant is not used');
      const choice = a.config.modelChoice();
      assert.equal(choice.hub, undefined, 'the workspace hub id is not used');
      assert.equal(choice.ignoredWorkspaceValue, 'evil/model', 'and the user will be told which value was ignored');
    } finally {
      fs.writeFileSync(settingsFile, original);
      // Both writes make the extension reload its model; let those reloads finish here, or one lands in the next
      // test and cancels what it runs (seen once in CI: Compare Two Texts returned nothing).
      while (
        await nextModelLoad(a, 3000).then(
          () => true,
          () => false,
        )
      );
    }
  });
});
