// "DistilBERT: Open Dataset from Hugging Face Hub..." against a loopback hub started in the extension host: the
// file comes through the models' client, endpoint setting, global-storage cache and verification; a missing file,
// a corrupted transfer and a hostile path each get one message and no panel data.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DatasetReport } from '../../../src/core/dataset/report';
import { FakeHub } from '../../unit/hubFakes';
import { api, closeAll, messagesSince, repoRoot, setUserSetting, type TestingApi } from './helpers';

const openHub = (args: unknown) =>
  vscode.commands.executeCommand<DatasetReport | undefined>('distilbertInspector.openHubDataset', args);
// The extension's global storage outlives a run: a fresh commit per run keeps the first fetch a real download.
const commit = `${Date.now().toString(16)}`.padStart(40, 'd').slice(-40);

suite('hub dataset files', () => {
  let a: TestingApi;
  let hub: FakeHub;
  const tsv = `${fs
    .readFileSync(path.join(repoRoot, '..', 'shared', 'data', 'sst2', 'dev.tsv'), 'utf8')
    .split('\n')
    .slice(0, 21)
    .join('\n')}\n`;

  suiteSetup(async () => {
    a = await api();
    hub = await new FakeHub().start();
    hub.repos.set('datasets/acme/reviews', { commit, files: new Map([['data/dev.tsv', Buffer.from(tsv)]]) });
    await setUserSetting('hub.endpoint', hub.hubUrl);
  });
  suiteTeardown(async () => {
    await setUserSetting('hub.endpoint', undefined);
    await hub?.stop();
    await closeAll();
  });

  test('owner/name:path downloads into global storage, verified, and opens like a local file', async () => {
    const report = await openHub({ id: 'acme/reviews:data/dev.tsv' });
    assert.ok(report, JSON.stringify(a.messages().slice(-3)));
    assert.equal(report.dataset.examples, 20);
    assert.equal(
      report.dataset.file,
      path.join(a.globalStoragePath, 'hub', 'datasets--acme--reviews', 'snapshots', commit, 'data', 'dev.tsv'),
    );
    assert.equal(fs.readFileSync(report.dataset.file, 'utf8'), tsv);
    assert.ok(
      hub.of('hub', 'HEAD').some((q) => q.url === '/datasets/acme/reviews/resolve/main/data/dev.tsv'),
      'asked the endpoint setting about the revision',
    );
    assert.ok(
      hub.of('hub').some((q) => q.url === `/datasets/acme/reviews/resolve/${commit}/data/dev.tsv`),
      'downloaded at that commit',
    );
    // Again: one HEAD, no download.
    const gets = hub.of('hub').length;
    assert.ok(await openHub({ id: 'acme/reviews:data/dev.tsv' }));
    assert.equal(hub.of('hub').length, gets);
  });

  test('a missing file, a corrupted transfer and a hostile path: one message each, naming the fix', async () => {
    const from = a.messages().length;
    assert.equal(await openHub({ id: 'acme/reviews:data/test.tsv' }), undefined);
    hub.repos.set('datasets/acme/big', { commit, files: new Map([['data/train.parquet', Buffer.alloc(4096, 7)]]) });
    hub.setMode({ corrupt: true });
    try {
      assert.equal(await openHub({ id: 'acme/big:data/train.parquet' }), undefined);
    } finally {
      hub.setMode({});
    }
    const before = hub.requests.length;
    assert.equal(await openHub({ id: 'acme/reviews:../../settings.json' }), undefined);
    assert.equal(hub.requests.length, before, 'a hostile path sends no request');
    const shown = messagesSince(a, from).map((m) => m.text);
    assert.equal(shown.length, 3, JSON.stringify(shown));
    assert.match(
      shown[0]!,
      /Could not download the dataset file "acme\/reviews:data\/test\.tsv": acme\/reviews@main has no file data\/test\.tsv\. Check the path after ":"/,
    );
    assert.match(shown[1]!, /data\/train\.parquet .*failed its sha256 check/);
    assert.match(
      shown[2]!,
      /names the file "\.\.\/\.\.\/settings\.json" inside the repository, which has an empty, "\." or "\.\." segment/,
    );
  });
});
