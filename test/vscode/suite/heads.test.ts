// BERT and RoBERTa classifiers in VS Code: model.path set to the tiny torch-exported fixtures, text classified
// from an editor, the head described in its own terms and the numbers equal to torch's reference values.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  api,
  classifySelection,
  closeAll,
  labelsOf,
  nextModelLoad,
  openEditor,
  repoRoot,
  setUserSetting,
  type TestingApi,
} from './helpers';

interface Reference {
  kind: string;
  activation: string;
  tolerance: number;
  cases: Array<{ text: string; logits: number[]; relu: number[] }>;
}

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'models');
const expected = {
  'tiny-bert-o17': {
    kind: 'bert',
    denseName: 'bert.pooler.dense',
    classifierName: 'classifier',
    activation: 'tanh',
    pretrainedDense: true,
  },
  'tiny-roberta-o17': {
    kind: 'roberta',
    denseName: 'classifier.dense',
    classifierName: 'classifier.out_proj',
    activation: 'tanh',
    pretrainedDense: false,
  },
} as const;

suite('BERT and RoBERTa heads', () => {
  let a: TestingApi;

  suiteSetup(async () => {
    a = await api();
  });

  setup(closeAll);

  teardown(async () => {
    await setUserSetting('model.path', undefined);
  });

  for (const [name, head] of Object.entries(expected)) {
    test(`${name}: classified in the editor, head named ${head.denseName} + ${head.activation} -> ${head.classifierName}, logits equal torch's`, async () => {
      const dir = path.join(fixtures, name);
      const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8')) as Reference;
      const loaded = nextModelLoad(a);
      await setUserSetting('model.path', dir);
      const c = ref.cases[0]!;
      const doc = await vscode.workspace.openTextDocument({ content: c.text, language: 'plaintext' });
      const editor = await openEditor(doc);
      editor.selection = new vscode.Selection(doc.positionAt(0), doc.positionAt(c.text.length));
      const r = await classifySelection();
      assert.ok(r, JSON.stringify(a.messages().slice(-3)));
      await loaded.catch(() => undefined); // loaded on first use (no model was in use before)
      const m = r.inspection.model;
      assert.deepEqual(m.labels, labelsOf(dir));
      assert.ok(m.head, 'the core describes the head');
      for (const [k, v] of Object.entries(head)) assert.equal((m.head as unknown as Record<string, unknown>)[k], v, k);
      assert.equal(m.head.denseParams, m.dim * m.dim + m.dim);
      assert.equal(m.head.classifierParams, m.labels.length * m.dim + m.labels.length);
      const w = r.inspection.windows[0]!;
      const tol = Math.max(ref.tolerance, 1e-4) * 10;
      w.logits.forEach((x, i) =>
        assert.ok(Math.abs(x - c.logits[i]!) <= tol, `logit ${i}: ${x} vs torch ${c.logits[i]}`),
      );
      // tanh: every unit inside (-1, 1), and some negative (a ReLU would have none).
      assert.ok(w.stages.activation.every((x) => x > -1 && x < 1));
      assert.ok(w.stages.activation.some((x) => x < 0));
      // The panel shows this result as current.
      await vscode.commands.executeCommand('distilbertInspector.openInspector');
      assert.equal(a.panelInspection(), r.inspection);
    });
  }
});
