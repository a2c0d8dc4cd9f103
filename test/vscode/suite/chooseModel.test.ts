// "DistilBERT: Choose Model Folder...": the folder is validated by the core before it is saved (user-level; in a remote window that is the Remote settings);
// a bad folder gets a message naming what is wrong and leaves the setting alone. The test passes the folder
// as the command's argument, which skips the dialog (like exportJson's target).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  api,
  classifySelection,
  labelsOf,
  messagesSince,
  multilabelModel,
  repoRoot,
  setUserSetting,
  type TestingApi,
  selectFirstLine,
} from './helpers';

const chooseModelFolder = (folder: string): Thenable<string | undefined> =>
  vscode.commands.executeCommand<string | undefined>('distilbertInspector.chooseModelFolder', vscode.Uri.file(folder));

const userModelPath = (): unknown =>
  vscode.workspace.getConfiguration('distilbertInspector').inspect('model.path')?.globalValue;

suite('choose model folder', () => {
  let a: TestingApi;

  suiteSetup(async () => {
    a = await api();
  });

  setup(() => selectFirstLine());

  teardown(async () => {
    await setUserSetting('model.path', undefined);
    await setUserSetting('model.variant', undefined);
  });

  test('a valid folder is saved to the user settings and used by the next classification', async () => {
    assert.equal(await chooseModelFolder(multilabelModel), multilabelModel);
    assert.equal(userModelPath(), multilabelModel);
    const r = await classifySelection();
    assert.ok(r);
    assert.deepEqual(r.inspection.model.labels, labelsOf(multilabelModel));
  });

  test('a folder without tokenizer.json is refused, named, and the setting stays as it was', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-choose-broken-'));
    fs.cpSync(multilabelModel, dir, { recursive: true });
    fs.rmSync(path.join(dir, 'tokenizer.json'));
    const from = a.messages().length;
    assert.equal(await chooseModelFolder(dir), undefined);
    assert.equal(userModelPath(), undefined, 'model.path is not changed');
    const errors = messagesSince(a, from)
      .filter((m) => m.level === 'error')
      .map((m) => m.text);
    assert.ok(
      errors.some((t) => t.includes(dir) && t.includes('tokenizer.json') && t.includes('was not changed')),
      errors.join(' | '),
    );
  });

  test('a folder with an unsupported architecture or without the chosen variant is refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-choose-arch-'));
    fs.cpSync(multilabelModel, dir, { recursive: true });
    const cfgPath = path.join(dir, 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(
      cfgPath,
      JSON.stringify({ ...cfg, architectures: ['GPT2ForSequenceClassification'], model_type: 'gpt2' }),
    );
    let from = a.messages().length;
    assert.equal(await chooseModelFolder(dir), undefined);
    let errors = messagesSince(a, from)
      .filter((m) => m.level === 'error')
      .map((m) => m.text);
    assert.ok(
      errors.some((t) => t.includes('GPT2ForSequenceClassification')),
      errors.join(' | '),
    );

    // The multilabel fixture has no model_quantized.onnx; the int8 fixture has both.
    await setUserSetting('model.variant', 'quantized');
    from = a.messages().length;
    assert.equal(await chooseModelFolder(multilabelModel), undefined);
    errors = messagesSince(a, from)
      .filter((m) => m.level === 'error')
      .map((m) => m.text);
    assert.ok(
      errors.some((t) => t.includes('model_quantized.onnx')),
      errors.join(' | '),
    );
    const int8 = path.join(repoRoot, 'test', 'fixtures', 'models', 'tiny-distilbert-o17-int8');
    assert.equal(await chooseModelFolder(int8), int8);
    const r = await classifySelection();
    assert.ok(r);
    assert.equal(path.basename(r.inspection.model.onnxFile), 'model_quantized.onnx');
  });
});
