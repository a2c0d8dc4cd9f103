// "DistilBERT: Quantize Model for Speed" in a real extension host: it writes onnx/model_int8.onnx beside the
// configured model's fp32 graph, reports the sample agreement, switches model.variant, and from then on the
// panel's numbers come from the int8 graph (and say so); auto picks it too, the comparison uses it, and a
// 4-bit variant in the settings is refused with a message naming the fix.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { QuantizeOutcome } from '../../../src/extension/quantizeCommand';
import type { VariantRun } from '../../../src/shared/protocol';
import {
  api,
  classifySelection,
  messagesSince,
  repoRoot,
  selectFirstLine,
  setUserSetting,
  type TestingApi,
} from './helpers';

const quantize = (switchTo?: string): Thenable<QuantizeOutcome | undefined> =>
  vscode.commands.executeCommand<QuantizeOutcome | undefined>('distilbertInspector.quantizeModel', switchTo);

suite('quantize model for speed', () => {
  let a: TestingApi;
  let dir: string;

  suiteSetup(async () => {
    a = await api();
    // A writable copy of an fp32-only fixture: the command writes into the model folder.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-quantize-'));
    fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'models', 'tiny-distilbert-o17-gemm'), dir, { recursive: true });
  });

  setup(() => selectFirstLine());

  teardown(async () => {
    await setUserSetting('model.path', undefined);
    await setUserSetting('model.variant', undefined);
  });

  suiteTeardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes model_int8.onnx, reports the agreement, switches the variant; results then come from int8 and say so', async () => {
    await setUserSetting('model.path', dir);
    const fp32 = await classifySelection();
    assert.equal(fp32?.inspection.model.variant, 'fp32');
    const outcome = await quantize('int8');
    assert.ok(outcome, JSON.stringify(a.messages().slice(-3)));
    assert.equal(outcome.result.output, path.join(dir, 'onnx', 'model_int8.onnx'));
    assert.ok(fs.statSync(outcome.result.output).size < fs.statSync(path.join(dir, 'onnx', 'model.onnx')).size);
    assert.ok(
      outcome.result.sample.texts > 0 &&
        outcome.result.sample.labelAgreement >= 0 &&
        outcome.result.sample.maxLogitDiff >= 0,
    );
    assert.equal(outcome.switchedTo, 'int8');
    assert.equal(vscode.workspace.getConfiguration('distilbertInspector').get('model.variant'), 'int8');
    const r = await classifySelection();
    assert.ok(r);
    assert.equal(r.inspection.model.variant, 'int8');
    assert.equal(path.basename(r.inspection.model.onnxFile), 'model_int8.onnx');
    assert.equal(r.inspection.model.head?.quantized, true);
    // int8 is close to fp32 on the same text, not identical.
    const d = Math.max(
      ...r.inspection.aggregate.logits.map((x, i) => Math.abs(x - fp32!.inspection.aggregate.logits[i]!)),
    );
    assert.ok(d > 0 && d < 0.5, `max |Δ logit| ${d}`);

    // The fp32 / int8 comparison now uses the int8 graph the command wrote.
    const runs = await vscode.commands.executeCommand<VariantRun[] | undefined>('distilbertInspector.compareVariants');
    assert.ok(runs);
    assert.deepEqual(
      runs.map((x) => path.basename(x.onnxFile)),
      ['model.onnx', 'model_int8.onnx'],
    );
  });

  test('auto loads the int8 graph the command made (full 8-bit with VNNI/AMX/ARM64, 7-bit otherwise)', async () => {
    await setUserSetting('model.path', dir);
    if (!fs.existsSync(path.join(dir, 'onnx', 'model_int8.onnx'))) assert.ok(await quantize());
    await setUserSetting('model.variant', 'auto');
    const r = await classifySelection();
    assert.equal(r?.inspection.model.variant, 'int8');
    assert.match(r?.inspection.model.variantReason ?? '', /int8 graph/);
  });

  test('a 4-bit variant in the settings is refused with one message naming the fix', async () => {
    await setUserSetting('model.path', dir);
    await setUserSetting('model.variant', 'q4');
    const from = a.messages().length;
    assert.equal(await classifySelection(), undefined);
    const texts = messagesSince(a, from).map((m) => m.text);
    assert.ok(
      texts.some((t) => /model\.variant.*"q4".*4-bit graphs .*not supported.*Use int8/.test(t)),
      texts.join(' | '),
    );
  });
});
