// Models by hub id inside VS Code: a loopback hub (+ file host) started here in the extension host serves a
// fixture model in the hub's URL scheme; the extension downloads it into its global storage and classifies with it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FakeHub, fixtureFiles } from '../../unit/hubFakes';
import {
  api,
  classifySelection,
  closeAll,
  labelsOf,
  messagesSince,
  openEditor,
  repoRoot,
  setUserSetting,
  type TestingApi,
} from './helpers';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'models', 'tiny-distilbert-o17-multilabel');
const int8Fixture = path.join(repoRoot, 'test', 'fixtures', 'models', 'tiny-distilbert-o17-int8');
// A commit per repo: the cache is keyed by repo and commit, and the extension's global storage outlives a test.
const runStamp = Date.now().toString(16).padStart(32, '0');
const commit = (n: number): string => `${String(n).repeat(8)}${runStamp}`.slice(0, 40);

suite('models by hub id', () => {
  let a: TestingApi;
  let hub: FakeHub;

  suiteSetup(async () => {
    a = await api();
    hub = await new FakeHub().start();
    hub.repos.set('tiny/multilabel', { commit: commit(1), files: fixtureFiles(fixture) });
    hub.repos.set('tiny/corrupt', { commit: commit(2), files: fixtureFiles(fixture) });
    hub.repos.set('tiny/private', { commit: commit(3), files: fixtureFiles(fixture), token: 'hf_secret_test_token' });
    hub.repos.set('tiny/int8', { commit: commit(4), files: fixtureFiles(int8Fixture) });
  });

  suiteTeardown(async () => {
    await hub?.stop();
    await vscode.commands.executeCommand('distilbertInspector.clearHubToken');
  });

  setup(async () => {
    await closeAll();
    const editor = await openEditor('short.txt');
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    hub.setMode({});
    await setUserSetting('hub.endpoint', hub.hubUrl);
  });

  teardown(async () => {
    for (const key of ['model.path', 'model.variant', 'hub.endpoint']) await setUserSetting(key, undefined);
  });

  test('model.path = owner/name downloads from hub.endpoint into global storage and classifies with it', async () => {
    await setUserSetting('model.path', 'tiny/multilabel');
    const r = await classifySelection();
    assert.ok(r, JSON.stringify(a.messages().slice(-3)));
    // The labels are the fixture's (the bundled model has others) and the folder is the hub snapshot.
    assert.deepEqual(r.inspection.model.labels, labelsOf(fixture));
    assert.equal(r.inspection.model.problemType, 'multi_label_classification');
    assert.ok(
      r.inspection.model.path.includes(path.join('hub', 'models--tiny--multilabel', 'snapshots', commit(1))),
      r.inspection.model.path,
    );
    const onnx = fs.readFileSync(path.join(r.inspection.model.path, 'onnx', 'model.onnx'));
    assert.deepEqual(
      onnx,
      fs.readFileSync(path.join(fixture, 'onnx', 'model.onnx')),
      'the downloaded graph is the served one',
    );
    assert.ok(
      hub.of('cdn').some((q) => q.url.startsWith('/blobs/')),
      'the graph came from the file host',
    );
  });

  test('model.variant = quantized downloads onnx/model_quantized.onnx and loads it', async () => {
    await setUserSetting('model.variant', 'quantized');
    await setUserSetting('model.path', 'tiny/int8@main');
    const r = await classifySelection();
    assert.ok(r, JSON.stringify(a.messages().slice(-3)));
    assert.equal(path.basename(r.inspection.model.onnxFile), 'model_quantized.onnx');
    assert.equal(r.inspection.model.head?.quantized, true);
    assert.ok(
      !fs.existsSync(path.join(r.inspection.model.path, 'onnx', 'model.onnx')),
      'only the chosen variant is downloaded',
    );
  });

  test("a corrupted download is refused with the hub's message, and nothing is loaded from it", async () => {
    hub.setMode({ corrupt: true });
    const from = a.messages().length;
    await setUserSetting('model.path', 'tiny/corrupt');
    assert.equal(await classifySelection(), undefined);
    const errors = messagesSince(a, from)
      .filter((m) => m.level === 'error')
      .map((m) => m.text);
    const text = errors.find((t) => t.includes('tiny/corrupt'));
    assert.ok(text, errors.join(' | '));
    assert.match(text, /sha256|checksum|deleted/i);
    assert.ok(text.includes('distilbertInspector.model.path'), text);
  });

  test('a missing repository (404) and a private one without a token (401) say so; a stored token is sent', async () => {
    let from = a.messages().length;
    await setUserSetting('model.path', 'tiny/nothing-here');
    assert.equal(await classifySelection(), undefined);
    let errors = messagesSince(a, from)
      .filter((m) => m.level === 'error')
      .map((m) => m.text);
    assert.ok(
      errors.some((t) => t.includes('tiny/nothing-here') && /not found|does not exist/i.test(t)),
      errors.join(' | '),
    );

    await vscode.commands.executeCommand('distilbertInspector.clearHubToken');
    from = a.messages().length;
    await setUserSetting('model.path', 'tiny/private');
    assert.equal(await classifySelection(), undefined);
    errors = messagesSince(a, from)
      .filter((m) => m.level === 'error')
      .map((m) => m.text);
    assert.ok(
      errors.some((t) => t.includes('DistilBERT: Set Hugging Face Token')),
      errors.join(' | '),
    );

    assert.equal(await vscode.commands.executeCommand('distilbertInspector.setHubToken', 'hf_secret_test_token'), true);
    const r = await classifySelection();
    assert.ok(r, JSON.stringify(a.messages().slice(-3)));
    assert.deepEqual(r.inspection.model.labels, labelsOf(fixture));
    assert.ok(hub.of('hub', 'HEAD').some((q) => q.headers.authorization === 'Bearer hf_secret_test_token'));
    // The token is never shown to the user or written to the log's message list.
    assert.ok(a.messages().every((m) => !m.text.includes('hf_secret_test_token')));
    const settings = JSON.stringify(vscode.workspace.getConfiguration('distilbertInspector'));
    assert.ok(!settings.includes('hf_secret_test_token'), 'the token is not in settings');
  });

  test('hub.endpoint that is not a URL is an error naming the setting', async () => {
    await setUserSetting('hub.endpoint', 'not a url');
    await setUserSetting('model.path', 'tiny/multilabel');
    const from = a.messages().length;
    assert.equal(await classifySelection(), undefined);
    const errors = messagesSince(a, from)
      .filter((m) => m.level === 'error')
      .map((m) => m.text);
    assert.ok(
      errors.some((t) => t.includes('distilbertInspector.hub.endpoint')),
      errors.join(' | '),
    );
  });
});
