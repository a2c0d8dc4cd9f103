// The panel's method picker and attention view in VS Code: SHAP and rollout explain the current result with
// the core's numbers, the editor tint follows the picked method, and the attention view's data is the core's.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Inspector } from '../../../src/core/inspector';
import { api, bundledModel, classifySelection, closeAll, openEditor, type ExtensionApi } from './helpers';

const LINE = 'a gorgeous, witty, seductive movie that drags at the end.';

suite('attribution methods and attention', () => {
  let a: ExtensionApi;
  let core: Inspector;

  suiteSetup(async () => {
    a = await api();
    core = await Inspector.open({ modelDir: bundledModel, cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-attr-ext-')), threads: 1 });
  });
  suiteTeardown(async () => {
    await core?.dispose();
    await closeAll();
  });
  setup(closeAll);

  async function classifyLine(): Promise<{ editor: vscode.TextEditor; base: number }> {
    const doc = await vscode.workspace.openTextDocument({ content: `Review\n${LINE}\n` });
    const editor = await openEditor(doc);
    const line = doc.lineAt(1);
    editor.selection = new vscode.Selection(line.range.start, line.range.end);
    assert.ok(await classifySelection(), 'a classification');
    return { editor, base: doc.offsetAt(line.range.start) };
  }

  test('SHAP then rollout: the core numbers, faithfulness, and the tint follows the picked method', async () => {
    const { editor, base } = await classifyLine();
    for (const method of ['shap', 'rollout'] as const) {
      const out = await a.explainCurrent(method);
      assert.ok(out, JSON.stringify(a.messages().slice(-3)));
      assert.equal(out.result.method, method);
      const direct = await core.explain(LINE, { method });
      out.result.items.forEach((it, i) => assert.ok(Math.abs(it.score - direct.items[i]!.score) < 1e-4, `${method} ${it.text}`));
      assert.ok(out.result.faithfulness && out.result.faithfulness.mask, 'faithfulness with the [MASK] protocol');
      const tints = a.occlusionTints(editor.document.uri);
      assert.equal(tints.length, out.result.items.length);
      tints.forEach((t, i) => {
        assert.equal(editor.document.offsetAt(t.range.start), base + out.result.items[i]!.start);
        assert.equal(t.support, out.result.items[i]!.score, 'the tint shows the picked method');
      });
    }
  });

  test('attention view: [CLS] rows and the chosen head match the core', async () => {
    await classifyLine();
    const view = await a.attentionCurrent();
    assert.ok(view);
    const direct = (await core.attention(LINE, { full: true })).windows[0]!;
    assert.deepEqual([view.layers, view.heads, view.seq], [direct.layers, direct.heads, direct.seq]);
    assert.ok(view.cls.every((v, i) => Math.abs(v - direct.cls[i]!) < 1e-5));
    const head = await a.attentionCurrent(1, 2);
    const n = direct.seq * direct.seq;
    assert.ok(head!.matrix.values.every((v, i) => Math.abs(v - direct.full![(1 * direct.heads + 2) * n + i]!) <= 5e-5 + 1e-6));
  });
});
