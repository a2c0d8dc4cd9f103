// Settings: changing the model reloads it without a restart; bad values get an error naming the setting.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  api,
  bundledModel,
  classifySelection,
  labelsOf,
  messagesSince,
  multilabelModel,
  nextModelLoad,
  setUserSetting,
  type TestingApi,
  selectFirstLine,
} from './helpers';

suite('settings', () => {
  let a: TestingApi;

  suiteSetup(async () => {
    a = await api();
  });

  setup(() => selectFirstLine());

  teardown(async () => {
    for (const key of ['model.path', 'windowTokens', 'windowOverlap', 'threads']) await setUserSetting(key, undefined);
  });

  test('changing model.path reloads the model (labels change) and changing it back restores the default', async () => {
    const before = await classifySelection();
    assert.ok(before);
    assert.deepEqual(before.inspection.model.labels, labelsOf(bundledModel));

    const loaded = nextModelLoad(a);
    await setUserSetting('model.path', multilabelModel);
    // A model was in use, so the new one loads right away, without a command and without a restart.
    const m = await loaded;
    assert.equal(m.name, path.basename(multilabelModel));
    const after = await classifySelection();
    assert.ok(after);
    assert.deepEqual(after.inspection.model.labels, labelsOf(multilabelModel));
    assert.equal(after.inspection.model.problemType, 'multi_label_classification');
    assert.equal(after.inspection.windows[0]!.logits.length, 3);

    await setUserSetting('model.path', undefined);
    const back = await classifySelection();
    assert.ok(back);
    assert.deepEqual(back.inspection.model.labels, labelsOf(bundledModel));
  });

  test('changing threads reloads the model', async () => {
    assert.ok(await classifySelection());
    const loaded = nextModelLoad(a);
    await setUserSetting('threads', 1);
    await loaded;
    assert.ok(await classifySelection());
  });

  test('windowTokens shapes the windows (capped at the model length)', async () => {
    await setUserSetting('model.path', multilabelModel); // max_position_embeddings 64
    await setUserSetting('windowTokens', 16);
    const r = await classifySelection();
    assert.ok(r);
    assert.equal(r.inspection.coverage.windowTokens, 16);
    assert.ok(r.inspection.windows.length > 1);
    for (const w of r.inspection.windows) assert.ok(w.tokenCount <= 16, `${w.tokenCount} tokens`);
    await setUserSetting('windowTokens', 512); // more than the fixture's 64: capped, not an error
    const capped = await classifySelection();
    assert.ok(capped);
    assert.equal(capped.inspection.coverage.windowTokens, 64);
  });

  test('a model.path that does not exist gives an error naming the setting; the host stays alive', async () => {
    const missing = path.join(os.tmpdir(), 'dbi-no-such-model');
    const from = a.messages().length;
    await setUserSetting('model.path', missing);
    assert.equal(await classifySelection(), undefined);
    const errors = messagesSince(a, from).filter((m) => m.level === 'error');
    assert.ok(errors.length >= 1, 'an error notification');
    const last = errors[errors.length - 1]!.text;
    assert.ok(last.includes('distilbertInspector.model.path') && last.includes(missing), last);
    assert.ok(a.statusText().includes('error'), a.statusText());
    await setUserSetting('model.path', undefined);
    assert.ok(await classifySelection(), 'classifying works again once the setting is fixed');
  });

  test('a broken model folder names the missing file and the setting', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-broken-model-'));
    fs.cpSync(multilabelModel, dir, { recursive: true });
    fs.rmSync(path.join(dir, 'tokenizer.json'));
    const from = a.messages().length;
    await setUserSetting('model.path', dir);
    assert.equal(await classifySelection(), undefined);
    const errors = messagesSince(a, from)
      .filter((m) => m.level === 'error')
      .map((m) => m.text);
    assert.ok(
      errors.some((t) => t.includes('tokenizer.json') && t.includes('distilbertInspector.model.path')),
      errors.join(' | '),
    );
  });

  test('an overlap that leaves no room in the window is an error naming windowOverlap', async () => {
    await setUserSetting('windowTokens', 16);
    await setUserSetting('windowOverlap', 20);
    const from = a.messages().length;
    assert.equal(await classifySelection(), undefined);
    const errors = messagesSince(a, from)
      .filter((m) => m.level === 'error')
      .map((m) => m.text);
    assert.ok(
      errors.some((t) => t.includes('distilbertInspector.windowOverlap')),
      errors.join(' | '),
    );
  });

  test('a model.path set in a trusted workspace is used', async () => {
    const section = vscode.workspace.getConfiguration('distilbertInspector');
    await section.update('model.path', multilabelModel, vscode.ConfigurationTarget.Workspace);
    try {
      const r = await classifySelection();
      assert.ok(r);
      assert.deepEqual(r.inspection.model.labels, labelsOf(multilabelModel));
    } finally {
      await section.update('model.path', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
