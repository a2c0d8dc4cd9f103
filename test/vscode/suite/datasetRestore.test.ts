// The dataset panel after a window reload: VS Code hands the registered serializer a fresh panel and the state
// the webview persisted. It comes back from the on-disk cache (no model run); a file that moved or changed, results
// no longer cached, or a state without a source get one message in the panel, and nothing throws.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DatasetReport } from '../../../src/core/dataset/report';
import type { DatasetHostMessage } from '../../../src/shared/datasetProtocol';
import { api, closeAll, repoRoot, type TestingApi } from './helpers';

const openDataset = (args: unknown) =>
  vscode.commands.executeCommand<DatasetReport | undefined>('distilbertInspector.openDataset', args);

function errorOf(msg: DatasetHostMessage | undefined): string {
  assert.ok(msg && msg.type === 'error', `an error message in the panel, got ${JSON.stringify(msg)?.slice(0, 200)}`);
  return msg.message;
}

suite('dataset panel restore (serializer)', () => {
  let a: TestingApi;
  let dir: string;

  suiteSetup(async () => {
    a = await api();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-dataset-restore-'));
  });
  suiteTeardown(closeAll);

  test('package.json wakes the extension for a restored dataset panel', () => {
    const pkg = vscode.extensions.getExtension('distilbert-inspector.distilbert-inspector')!.packageJSON as {
      activationEvents: string[];
    };
    assert.ok(pkg.activationEvents.includes('onWebviewPanel:distilbertInspector.dataset'));
  });

  test('reopens from the cache with the same numbers; a moved or changed file, or a purged cache, is one message', async () => {
    const dev = path.join(repoRoot, '..', 'shared', 'data', 'sst2', 'dev.tsv');
    const lines = fs.readFileSync(dev, 'utf8').split('\n').slice(0, 31);
    const file = path.join(dir, 'restore.tsv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const report = await openDataset({ file });
    assert.ok(report, JSON.stringify(a.messages().slice(-3)));
    const source = a.datasetView()?.source;
    assert.ok(source, 'the view carries its source');
    assert.equal(source.file, file);
    await closeAll();

    // What the webview persisted: its UI state plus the source.
    const state = { tab: 'examples', table: {}, colourBy: 'gold', source };
    const back = await a.reviveDatasetPanel(state);
    assert.ok(back && back.type === 'dataset', JSON.stringify(back)?.slice(0, 300));
    assert.equal(back.view.fromCache, back.view.rows.length, 'every row from the cache: nothing recomputed');
    assert.equal(back.view.rows.length, report.dataset.examples);
    assert.equal(back.view.metrics!.accuracy, report.metrics!.accuracy);
    assert.deepEqual(
      back.view.rows.map((r) => r.predicted),
      report.examples.map((e) => report.model.labels.indexOf(e.predicted)),
    );
    // A click on a restored example still lands in the Activation Inspector.
    await a.inspectDatasetRow(1);
    assert.equal(a.lastResult()?.inspection.aggregate.label, report.examples[1]!.predicted);

    // Changed content: same path, another sha256.
    fs.appendFileSync(file, 'one more line\t1\n');
    assert.match(
      errorOf(await a.reviveDatasetPanel(state)),
      /restore\.tsv changed since its results were computed.*Open Dataset/,
    );
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    assert.equal((await a.reviveDatasetPanel(state))?.type, 'dataset', 'the original content restores again');

    // Moved away.
    const moved = path.join(dir, 'moved.tsv');
    fs.renameSync(file, moved);
    assert.match(
      errorOf(await a.reviveDatasetPanel(state)),
      /restore\.tsv is no longer there \(moved or deleted\).*Open Dataset/,
    );
    fs.renameSync(moved, file);

    // The cached results are gone: the restore says so instead of running the model.
    fs.rmSync(path.join(a.globalStoragePath, 'datasets'), { recursive: true, force: true });
    assert.match(errorOf(await a.reviveDatasetPanel(state)), /results for restore\.tsv are no longer cached/);
  });

  test('a state without a usable source (older panel, damaged state) shows a message', async () => {
    for (const state of [
      undefined,
      null,
      {},
      { source: { file: 3 } },
      {
        source: {
          file: '/x.tsv',
          sha256: 'nothex',
          textColumn: 't',
          labelColumn: null,
          labelMap: null,
          modelPath: '/m',
          variant: 'fp32',
        },
      },
    ]) {
      assert.match(errorOf(await a.reviveDatasetPanel(state)), /nothing to restore/);
    }
  });
});
