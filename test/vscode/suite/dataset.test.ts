// "DistilBERT: Open Dataset..." in VS Code: the panel's report has the numbers of a direct core run on the same
// file, a click on an example classifies it through the usual path (Activation Inspector, source at its line),
// and a broken file gets one message naming its line.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DatasetReport } from '../../../src/core/dataset/report';
import { Inspector } from '../../../src/core/inspector';
import { inspectorModel, readDataset, runDataset } from '../../../src/core/dataset/index';
import { api, bundledModel, closeAll, messagesSince, repoRoot, type TestingApi } from './helpers';

const openDataset = (args: unknown) =>
  vscode.commands.executeCommand<DatasetReport | undefined>('distilbertInspector.openDataset', args);

suite('dataset mode', () => {
  let a: TestingApi;
  let dir: string;

  suiteSetup(async () => {
    a = await api();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-dataset-ext-'));
  });
  suiteTeardown(closeAll);

  test('opens a TSV: metrics equal a direct core run; a click lands in the inspector at that line', async () => {
    const dev = path.join(repoRoot, '..', 'shared', 'data', 'sst2', 'dev.tsv');
    const lines = fs.existsSync(dev)
      ? fs.readFileSync(dev, 'utf8').split('\n').slice(0, 61)
      : [
          'sentence\tlabel',
          'a gorgeous , witty , seductive movie .\t1',
          'a boring mess\t0',
          'the best film of the year\t1',
        ];
    const file = path.join(dir, 'small.tsv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const report = await openDataset({ file });
    assert.ok(report, JSON.stringify(a.messages().slice(-3)));
    assert.equal(report.dataset.examples, lines.length - 1);

    const core = await Inspector.open({
      modelDir: bundledModel,
      cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-dataset-core-')),
      threads: 1,
    });
    try {
      const ds = await readDataset(file, { modelLabels: core.model.labels });
      const run = await runDataset(inspectorModel(core), ds, {
        cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-dataset-runs-')),
      });
      let correct = 0;
      for (let i = 0; i < run.count; i++) {
        const p = run.logits[2 * i + 1]! > run.logits[2 * i]! ? 1 : 0;
        if (p === ds.gold![i]) correct++;
        assert.equal(report.examples[i]!.predicted, core.model.labels[p], `row ${i}`);
      }
      assert.equal(report.metrics!.accuracy, correct / run.count);
    } finally {
      await core.dispose();
    }

    // A click on row 2: the text goes through the usual classify path; the source points at its line.
    await a.inspectDatasetRow(2);
    const last = a.lastResult();
    assert.ok(last, 'a classification');
    assert.equal(last.inspection.aggregate.label, report.examples[2]!.predicted);
    assert.equal(last.source.uri, vscode.Uri.file(file).toString());
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    assert.equal(doc.positionAt(last.source.baseOffset).line, report.examples[2]!.line - 1);
    assert.ok(a.panelInspection(), 'the Activation Inspector shows it');
  });

  test("labels the model lacks are mapped (here given as the command's labelMap; a person picks them)", async () => {
    const file = path.join(dir, 'named.csv');
    fs.writeFileSync(file, 'review,stars\n"a gorgeous, witty, seductive movie",five\n"a boring, tedious mess",one\n');
    const report = await openDataset({ file, labelMap: { five: 'POSITIVE', one: 'NEGATIVE' } });
    assert.ok(report, JSON.stringify(a.messages().slice(-3)));
    assert.equal(report.dataset.textColumn, 'review');
    assert.deepEqual(
      report.examples.map((e) => e.label),
      ['POSITIVE', 'NEGATIVE'],
    );
  });

  test('a broken JSONL line: one message naming the file and line, no report', async () => {
    const file = path.join(dir, 'broken.jsonl');
    fs.writeFileSync(file, '{"text":"fine","label":1}\n{"text": oops\n');
    const from = a.messages().length;
    const report = await openDataset({ file });
    assert.equal(report, undefined);
    const shown = messagesSince(a, from);
    assert.ok(
      shown.some((m) => /broken\.jsonl:2: not valid JSON/.test(m.text)),
      JSON.stringify(shown),
    );
  });
});
