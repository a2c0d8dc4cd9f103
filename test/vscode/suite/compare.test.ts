// fp32 vs int8 in VS Code: a model folder with both onnx/model.onnx and onnx/model_quantized.onnx offers the
// comparison; the same text runs through both graphs (the second Inspector opens lazily) and comes back side by side.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { VariantRun } from '../../../src/shared/protocol';
import {
  api,
  classifySelection,
  messagesSince,
  multilabelModel,
  repoRoot,
  setUserSetting,
  type TestingApi,
  selectFirstLine,
} from './helpers';

const int8 = path.join(repoRoot, 'test', 'fixtures', 'models', 'tiny-distilbert-o17-int8');
const compare = (): Thenable<VariantRun[] | undefined> =>
  vscode.commands.executeCommand<VariantRun[] | undefined>('distilbertInspector.compareVariants');

suite('fp32 / int8 comparison', () => {
  let a: TestingApi;

  suiteSetup(async () => {
    a = await api();
  });

  setup(() => selectFirstLine());

  teardown(async () => {
    await setUserSetting('model.path', undefined);
    await setUserSetting('model.variant', undefined);
  });

  test('tiny-distilbert-o17-int8: both graphs run the same text; fp32 equals the classification, int8 differs a little', async () => {
    await setUserSetting('model.path', int8);
    const r = await classifySelection();
    assert.ok(r);
    const runs = await compare();
    assert.ok(runs, JSON.stringify(a.messages().slice(-3)));
    assert.deepEqual(
      runs.map((x) => x.variant),
      ['fp32', 'quantized'],
    );
    assert.deepEqual(
      runs.map((x) => path.basename(x.onnxFile)),
      ['model.onnx', 'model_quantized.onnx'],
    );
    const [fp32, q] = runs as [VariantRun, VariantRun];
    // The fp32 run is the model that classified (same text, same windows): identical logits.
    fp32.logits.forEach((x, i) => assert.ok(Math.abs(x - r.inspection.aggregate.logits[i]!) < 1e-5, `fp32 logit ${i}`));
    // int8 is a different graph: close to fp32 but not bit-identical.
    assert.ok(
      q.logits.some((x, i) => x !== fp32.logits[i]),
      'int8 logits differ from fp32',
    );
    q.logits.forEach((x, i) =>
      assert.ok(Math.abs(x - fp32.logits[i]!) < 0.5, `int8 logit ${i} ${x} vs fp32 ${fp32.logits[i]}`),
    );
    for (const run of runs) assert.ok(run.latencyMs > 0 && run.inferenceMs >= 0);
    // A second comparison reuses the open int8 Inspector and gives the same numbers.
    const again = await compare();
    assert.deepEqual(again?.[1]?.logits, q.logits);
  });

  test('comparing while a classification runs leaves that classification alone', async () => {
    await setUserSetting('model.path', int8);
    assert.ok(await classifySelection());
    // A text long enough (many windows) that the classification is surely in flight when the comparison starts.
    const long = Array.from({ length: 1000 }, () => 'the plot is thin but the acting is superb').join(', ');
    const doc = await vscode.workspace.openTextDocument({ content: long });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(doc.positionAt(0), doc.positionAt(long.length));
    const classifying = classifySelection();
    const deadline = Date.now() + 30_000;
    while (!a.statusText().includes('sync~spin') && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 2));
    const runs = await compare(); // of the result before: the panel's "compare" button stays live while the next one runs
    const r = await classifying;
    assert.ok(r, 'the classification still finishes');
    assert.equal(a.lastResult()?.requestId, r.requestId);
    assert.equal(a.panelInspection(), r.inspection, 'the panel shows the newer result, not "Running..."');
    assert.ok(runs, 'the comparison of the earlier result finishes too');
    assert.deepEqual(
      runs.map((x) => x.variant),
      ['fp32', 'quantized'],
    );
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('with model.variant = quantized the loaded graph is int8 and fp32 opens as the second one', async () => {
    await setUserSetting('model.variant', 'quantized');
    await setUserSetting('model.path', int8);
    const r = await classifySelection();
    assert.ok(r);
    assert.equal(path.basename(r.inspection.model.onnxFile), 'model_quantized.onnx');
    const runs = await compare();
    assert.ok(runs);
    runs[1]!.logits.forEach((x, i) =>
      assert.ok(Math.abs(x - r.inspection.aggregate.logits[i]!) < 1e-5, `int8 logit ${i}`),
    );
  });

  test('a folder without model_quantized.onnx offers no comparison and says why', async () => {
    await setUserSetting('model.path', multilabelModel);
    assert.ok(await classifySelection());
    const from = a.messages().length;
    assert.equal(await compare(), undefined);
    const infos = messagesSince(a, from).map((m) => m.text);
    assert.ok(
      infos.some((t) => t.includes('model_quantized.onnx') && t.includes(multilabelModel)),
      infos.join(' | '),
    );
  });
});
