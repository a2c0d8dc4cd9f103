// Runs only in the untrusted-workspace configuration. The user's own model.path (a user setting) must never
// resolve into an untrusted workspace: a hub id stays a hub id even when the repository holds a folder of that
// name, and a relative path or ${workspaceFolder} is refused with a message naming the setting and the fix.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FakeHub, fixtureFiles } from '../../unit/hubFakes';
import {
  api,
  classifySelection,
  labelsOf,
  messagesSince,
  multilabelModel,
  nextModelLoad,
  repoRoot,
  selectFirstLine,
  setUserSetting,
  workspaceUri,
  type TestingApi,
} from './helpers';

const hubFixture = path.join(repoRoot, 'test', 'fixtures', 'models', 'tiny-distilbert-o17-int8');
// The extension's global storage outlives a run: a fresh commit keeps this run's download its own.
const commit = `${Date.now().toString(16)}`.padStart(40, '7');

/** Lets the model reloads that setting changes started finish here, not in the next test. */
async function settle(a: TestingApi): Promise<void> {
  while (
    await nextModelLoad(a, 3000).then(
      () => true,
      () => false,
    )
  );
}

suite("untrusted workspace: the user's model.path never resolves into the workspace", () => {
  let a: TestingApi;
  let hub: FakeHub;
  let planted: string;

  suiteSetup(async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this file runs only in the untrusted configuration');
    a = await api();
    // The repository plants a model (3 labels) where the user's hub id would be if it were a relative path.
    planted = workspaceUri(path.join('tiny', 'planted')).fsPath;
    fs.cpSync(multilabelModel, planted, { recursive: true });
    hub = await new FakeHub().start();
    hub.repos.set('tiny/planted', { commit, files: fixtureFiles(hubFixture) }); // 2 labels: tells the two apart
  });

  suiteTeardown(async () => {
    for (const key of ['model.path', 'hub.endpoint']) await setUserSetting(key, undefined);
    await settle(a);
    await hub?.stop();
    fs.rmSync(workspaceUri('tiny').fsPath, { recursive: true, force: true });
  });

  test('a hub id is downloaded from the hub, never taken from a folder of the same name in the workspace', async () => {
    await setUserSetting('hub.endpoint', hub.hubUrl);
    await setUserSetting('model.path', 'tiny/planted');
    await settle(a);
    const choice = a.config.modelChoice();
    assert.deepEqual(choice.hub, { repo: 'tiny/planted', revision: 'main' });
    assert.equal(choice.dir, '');
    await selectFirstLine();
    const r = await classifySelection();
    assert.ok(r, `a result from the hub model; said ${JSON.stringify(a.messages().slice(-3))}`);
    assert.deepEqual(r.inspection.model.labels, labelsOf(hubFixture));
    assert.notDeepEqual(r.inspection.model.labels, labelsOf(planted));
    assert.ok(!r.inspection.model.path.startsWith(workspaceUri('').fsPath), r.inspection.model.path);
    assert.ok(
      r.inspection.model.path.includes(path.join('models--tiny--planted', 'snapshots', commit)),
      r.inspection.model.path,
    );
  });

  test('a relative path or ${workspaceFolder} is refused, naming the setting and the fix; the planted model is not loaded', async () => {
    for (const value of [
      './tiny/planted',
      'tiny/planted/',
      '${workspaceFolder}/tiny/planted',
      'tiny',
      '../workspace/tiny/planted',
    ]) {
      await setUserSetting('model.path', value);
      await settle(a);
      assert.throws(
        () => a.config.modelChoice(),
        (err: Error) =>
          err.message.includes('distilbertInspector.model.path') &&
          err.message.includes(value) &&
          /Restricted Mode/.test(err.message) &&
          /absolute path/.test(err.message),
        `model.path = ${value}`,
      );
      const from = a.messages().length;
      await selectFirstLine();
      const r = await classifySelection();
      assert.equal(r, undefined, `model.path = ${value} loaded ${r?.inspection.model.path}`);
      const said = messagesSince(a, from);
      assert.ok(
        said.some(
          (m) =>
            m.level === 'error' && m.text.includes('distilbertInspector.model.path') && /Restricted Mode/.test(m.text),
        ),
        JSON.stringify(said),
      );
    }
  });

  test('an absolute path the user chose still works in Restricted Mode', async () => {
    await setUserSetting('model.path', multilabelModel);
    await settle(a);
    assert.equal(a.config.modelChoice().dir, multilabelModel);
    await selectFirstLine();
    const r = await classifySelection();
    assert.ok(r);
    assert.deepEqual(r.inspection.model.labels, labelsOf(multilabelModel));
  });
});
