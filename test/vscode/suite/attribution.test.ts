// The panel's method picker and attention view in VS Code: SHAP and rollout explain the current result with
// the core's numbers, the editor tint follows the picked method, and the attention view's data is the core's.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Faithfulness } from '../../../src/core/attribution/faithfulness';
import { Inspector } from '../../../src/core/inspector';
import type { OcclusionOutcome } from '../../../src/extension/occlusionCommand';
import { api, bundledModel, classifySelection, closeAll, openEditor, type TestingApi } from './helpers';

const LINE = 'a gorgeous, witty, seductive movie that drags at the end.';

suite('attribution methods and attention', () => {
  let a: TestingApi;
  let core: Inspector;

  suiteSetup(async () => {
    a = await api();
    core = await Inspector.open({
      modelDir: bundledModel,
      cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-attr-ext-')),
      threads: 1,
    });
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
      out.result.items.forEach((it, i) =>
        assert.ok(Math.abs(it.score - direct.items[i]!.score) < 1e-4, `${method} ${it.text}`),
      );
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
    assert.ok(
      head!.matrix.values.every((v, i) => Math.abs(v - direct.full![(1 * direct.heads + 2) * n + i]!) <= 5e-5 + 1e-6),
    );
  });

  test('the older "Explain by occlusion" card states its faithfulness too, with the core\'s numbers (words and pieces)', async () => {
    await classifyLine();
    for (const unit of ['word', 'piece'] as const) {
      const out = await vscode.commands.executeCommand<OcclusionOutcome | undefined>(
        'distilbertInspector.occlude',
        unit,
      );
      assert.ok(out, JSON.stringify(a.messages().slice(-3)));
      assert.equal(out.result.unit, unit);
      const f = out.result.faithfulness;
      assert.ok(f && f.mask, `${unit}: faithfulness with the [MASK] protocol`);
      const direct = (await core.occlude(LINE, { unit, faithfulness: true })).faithfulness!;
      for (const p of ['deletion', 'mask'] as const) {
        f[p]!.comprehensiveness.forEach((v, i) =>
          assert.ok(Math.abs(v - direct[p]!.comprehensiveness[i]!) < 1e-4, `${unit} ${p} comprehensiveness ${i}`),
        );
        f[p]!.sufficiency.forEach((v, i) =>
          assert.ok(Math.abs(v - direct[p]!.sufficiency[i]!) < 1e-4, `${unit} ${p} sufficiency ${i}`),
        );
      }
      assert.equal(a.panelOcclusion()?.kind, 'done');
      assert.deepEqual(
        a.panelExplanations().map((e) => e.faithfulness),
        [f],
        "the panel's card carries it",
      );
    }
  });

  test('Export as Markdown after explanations: a section per card on show, with their faithfulness', async () => {
    await classifyLine();
    const occ = await vscode.commands.executeCommand<OcclusionOutcome | undefined>(
      'distilbertInspector.occlude',
      'word',
    );
    const shap = await a.explainCurrent('shap');
    assert.ok(occ && shap);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-attr-report-'));
    try {
      const target = vscode.Uri.file(path.join(dir, 'explained.md'));
      assert.equal(
        (
          await vscode.commands.executeCommand<vscode.Uri | undefined>('distilbertInspector.exportMarkdown', target)
        )?.toString(),
        target.toString(),
      );
      const md = fs.readFileSync(target.fsPath, 'utf8');
      const sections: [string, Faithfulness][] = [
        ['occlusion', occ.result.faithfulness!],
        ['partition SHAP', shap.result.faithfulness!],
      ];
      sections.forEach(([name, f], n) => {
        const at = md.indexOf(`\n## Which words drove the decision\\: ${name}\n`); // the colon escaped like all text
        assert.ok(
          at >= 0,
          `a section for ${name} among ${md
            .split('\n')
            .filter((l) => l.startsWith('## '))
            .join('; ')}; panel: ${a
            .panelExplanations()
            .map((e) => e.method)
            .join(', ')}`,
        );
        // Markdown escapes (\. \[) removed: the text as a reader sees it.
        const body = md
          .slice(at + 1)
          .split('\n## ')[0]!
          .replace(/\\(.)/g, '$1');
        assert.ok(body.includes(`](explained-assets/explanation-${n + 1}.svg)`), `${name}: its chart`);
        const m =
          /masking the top 20% words drops \S+ by (\S+) \(AOPC comprehensiveness (\S+), sufficiency (\S+)\)/.exec(body);
        assert.ok(m, body.slice(0, 400));
        near(m[1]!, f.mask!.comprehensiveness[1]!, `${name} drop at 20%`);
        near(m[2]!, f.mask!.comprehensivenessAopc, `${name} comprehensiveness AOPC`);
        near(m[3]!, f.mask!.sufficiencyAopc, `${name} sufficiency AOPC`);
        const rows = body.split('\n').filter((l) => l.startsWith('| deletion |') || l.startsWith('| [MASK] |'));
        assert.equal(rows.length, 2, body.slice(0, 600));
        const cells = rows.map((r) => r.slice(2, -2).split(' | '));
        near(cells[0]![1]!, f.deletion.comprehensivenessAopc, `${name} deletion comprehensiveness`);
        near(cells[0]![2]!, f.deletion.sufficiencyAopc, `${name} deletion sufficiency`);
        near(cells[1]![1]!, f.mask!.comprehensivenessAopc, `${name} mask comprehensiveness`);
        near(cells[1]![2]!, f.mask!.sufficiencyAopc, `${name} mask sufficiency`);
        const svg = fs.readFileSync(path.join(dir, 'explained-assets', `explanation-${n + 1}.svg`), 'utf8');
        assert.equal(svg.match(/class="bar"/g)?.length, (n === 0 ? occ : shap).result.items.length);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Within half a unit of the last printed digit. */
function near(printed: string, value: number, what: string): void {
  const decimals = printed.split('.')[1]?.length ?? 0;
  assert.ok(
    Math.abs(Number(printed) - value) <= 0.5 * 10 ** -decimals + 1e-12,
    `${what}: printed ${printed}, value ${value}`,
  );
}
