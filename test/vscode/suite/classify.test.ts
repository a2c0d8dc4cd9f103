// The classify commands on fixture documents, with the bundled default model.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  api,
  bundledModel,
  classifyFile,
  classifySelection,
  closeAll,
  labelsOf,
  messagesSince,
  openEditor,
  workspaceUri,
  type TestingApi,
} from './helpers';

suite('classify', () => {
  let a: TestingApi;
  let labels: string[];

  suiteSetup(async () => {
    assert.ok(fs.existsSync(path.join(bundledModel, 'config.json')), `the bundled model is missing: ${bundledModel}`);
    labels = labelsOf(bundledModel);
    a = await api();
  });

  setup(closeAll);
  suiteTeardown(closeAll);

  test('Classify Selection classifies exactly the selected text', async () => {
    const editor = await openEditor('review.md');
    const line = editor.document.lineAt(2); // "The first hour is slow ..."
    editor.selection = new vscode.Selection(line.range.start, line.range.end);
    const r = await classifySelection();
    assert.ok(r, 'a result');
    assert.deepEqual(r.inspection.model.labels, labels);
    assert.equal(r.source.selection, true);
    assert.equal(r.source.baseOffset, editor.document.offsetAt(line.range.start));
    assert.equal(r.source.uri, editor.document.uri.toString());
    assert.equal(r.inspection.windows.length, 1);
    const w = r.inspection.windows[0]!;
    assert.equal(r.inspection.coverage.textLength, line.text.length);
    assert.ok(w.start >= 0 && w.end <= line.text.length && w.end > w.start);
    assert.ok(labels.includes(r.inspection.aggregate.label));
    const sum = Object.values(r.inspection.aggregate.probabilities).reduce((s, p) => s + p, 0);
    assert.ok(Math.abs(sum - 1) < 1e-6, `softmax probabilities sum to 1, got ${sum}`);
    // The status bar shows the label and its probability as the panel rounds it.
    const p = r.inspection.aggregate.probabilities[r.inspection.aggregate.label]!;
    assert.ok(a.statusText().includes(r.inspection.aggregate.label), a.statusText());
    assert.ok(a.statusText().includes(`${(p * 100).toFixed(1)}%`), a.statusText());
    assert.equal(a.lastResult()?.requestId, r.requestId);
    // The decoration sits on the selected range.
    const ranges = a.decoratedRanges(editor.document.uri);
    assert.equal(ranges.length, 1);
    assert.ok(line.range.contains(ranges[0]!), `decoration ${JSON.stringify(ranges[0])} inside the selected line`);
  });

  test('with the log focused, Classify Selection still classifies the file the user was in, not the log', async () => {
    const editor = await openEditor('review.md');
    const line = editor.document.lineAt(2);
    editor.selection = new vscode.Selection(line.range.start, line.range.end);
    await vscode.commands.executeCommand('distilbertInspector.showLog');
    await vscode.commands.executeCommand('workbench.panel.output.focus');
    // The Output panel is a text editor too (scheme `output`): wait until VS Code reports it as the active one.
    const deadline = Date.now() + 10_000;
    const onLog = () => vscode.window.activeTextEditor?.document.uri.scheme === 'output';
    while (!onLog() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    assert.ok(onLog(), 'precondition: the log is the active text editor');
    const r = await classifySelection();
    assert.ok(r, 'a result');
    assert.equal(r.source.uri, editor.document.uri.toString());
    assert.equal(r.inspection.coverage.textLength, line.text.length, 'the selected line, not the log');
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  test('with no selection it classifies the whole file and says so', async () => {
    const editor = await openEditor('short.txt');
    editor.selection = new vscode.Selection(0, 3, 0, 3);
    const from = a.messages().length;
    const r = await classifySelection();
    assert.ok(r, 'a result');
    assert.equal(r.source.selection, false);
    assert.equal(r.source.baseOffset, 0);
    assert.equal(r.inspection.coverage.textLength, editor.document.getText().length);
    assert.equal(r.inspection.coverage.complete, true);
    const said = messagesSince(a, from).map((m) => m.text);
    assert.ok(
      said.some((t) => /no text selected/i.test(t) && t.includes('short.txt')),
      said.join(' | '),
    );
  });

  test('an empty file gets a message and no result; the host keeps working', async () => {
    await openEditor('empty.txt');
    const from = a.messages().length;
    const r = await classifyFile();
    assert.equal(r, undefined);
    const said = messagesSince(a, from);
    assert.ok(
      said.some((m) => m.level === 'warning' && /empty/i.test(m.text) && m.text.includes('empty.txt')),
      JSON.stringify(said),
    );
    await openEditor('short.txt');
    assert.ok(await classifyFile(), 'the next classification works');
  });

  test('text with NUL bytes is refused as binary; a binary file VS Code cannot open gets a message', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'looks like text\u0000\u0001\u0002 but is not' });
    await openEditor(doc);
    let from = a.messages().length;
    assert.equal(await classifyFile(), undefined);
    assert.ok(
      messagesSince(a, from).some((m) => /binary/i.test(m.text)),
      JSON.stringify(messagesSince(a, from)),
    );
    from = a.messages().length;
    assert.equal(await classifyFile(workspaceUri('binary.bin')), undefined);
    const said = messagesSince(a, from);
    assert.ok(
      said.some((m) => m.level === 'warning' && /binary/i.test(m.text)),
      JSON.stringify(said),
    );
  });

  test('a huge text gets a message instead of minutes of inference', async () => {
    const huge = workspaceUri('huge.txt');
    await vscode.workspace.fs.writeFile(huge, Buffer.from('so good. '.repeat(250_000))); // 2.25 M chars
    const from = a.messages().length;
    assert.equal(await classifyFile(huge), undefined);
    const said = messagesSince(a, from);
    assert.ok(
      said.some((m) => m.level === 'warning' && /2,250,000 characters/.test(m.text) && /Select a part/.test(m.text)),
      JSON.stringify(said),
    );
  });

  test('a long file is read in several windows whose ranges lie inside the document, and decorated', async () => {
    const editor = await openEditor('long.txt');
    const length = editor.document.getText().length;
    // Inference runs in a worker: the extension host's event loop keeps turning meanwhile.
    let maxLag = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last - 20);
      last = now;
    }, 20);
    let r;
    try {
      r = await classifyFile();
    } finally {
      clearInterval(ticker);
    }
    console.log(
      `[mocha] long file: ${r?.inspection.windows.length} windows, ${r?.inspection.timing.totalMs.toFixed(0)} ms, max event-loop lag ${maxLag.toFixed(0)} ms`,
    );
    assert.ok(maxLag < 500, `the extension host stalled for ${maxLag.toFixed(0)} ms`);
    assert.ok(r, 'a result');
    const windows = r.inspection.windows;
    assert.ok(windows.length > 3, `${windows.length} windows`);
    assert.equal(r.inspection.coverage.complete, true);
    let prevStart = -1;
    for (const w of windows) {
      const start = r.source.baseOffset + w.start;
      const end = r.source.baseOffset + w.end;
      assert.ok(start >= 0 && end <= length && start < end, `window ${start}..${end} inside 0..${length}`);
      assert.ok(start > prevStart, 'windows advance through the text');
      assert.ok(w.tokenCount <= r.inspection.coverage.windowTokens);
      prevStart = start;
    }
    assert.equal(windows[windows.length - 1]!.end, editor.document.getText().trimEnd().length);
    const ranges = a.decoratedRanges(editor.document.uri);
    assert.equal(ranges.length, windows.length);
    assert.deepEqual(
      ranges.map((x) => [editor.document.offsetAt(x.start), editor.document.offsetAt(x.end)]),
      windows.map((w) => [w.start, w.end]),
    );
  });

  test('a new request cancels the running one, whose result is never shown as current', async () => {
    const editor = await openEditor('short.txt');
    editor.selection = new vscode.Selection(0, 0, 0, 20);
    const first = classifyFile(workspaceUri('long.txt'));
    await until(() => a.statusText().includes('sync~spin'), 'the long file request to start');
    const second = classifySelection();
    const [r1, r2] = await Promise.all([first, second]);
    assert.equal(r1, undefined, 'the superseded request returns no result');
    assert.ok(r2, 'the newer request returns its result');
    assert.equal(r2.source.selection, true);
    assert.equal(a.lastResult()?.requestId, r2.requestId);
    assert.equal(r2.inspection.coverage.textLength, 20);
  });

  test('closing the panel mid-run is fine: the result still reaches the status bar', async () => {
    await openEditor('short.txt');
    const run = classifyFile(workspaceUri('long.txt'));
    await until(() => a.statusText().includes('sync~spin'), 'the long file request to start');
    await until(() => panelTabs().length > 0, 'the Activation Inspector tab');
    await vscode.window.tabGroups.close(panelTabs());
    assert.equal(panelTabs().length, 0);
    const r = await run;
    assert.ok(r, 'the run finishes');
    assert.ok(a.statusText().includes(r.inspection.aggregate.label), a.statusText());
  });

  test('editing the document clears its decorations; turning decorations off hides them', async () => {
    const doc = await vscode.workspace.openTextDocument({
      content: 'What a lovely, generous film.\nI would watch it again.\n',
    });
    const editor = await openEditor(doc);
    assert.ok(await classifyFile());
    assert.equal(a.decoratedRanges(doc.uri).length, 1);
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'Honestly: '));
    assert.equal(a.decoratedRanges(doc.uri).length, 0, 'stale offsets are dropped on edit');
    assert.ok(await classifyFile());
    await vscode.workspace
      .getConfiguration('distilbertInspector')
      .update('decorations.enabled', false, vscode.ConfigurationTarget.Global);
    try {
      assert.equal(a.decoratedRanges(doc.uri).length, 0);
    } finally {
      await vscode.workspace
        .getConfiguration('distilbertInspector')
        .update('decorations.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal(a.decoratedRanges(doc.uri).length, 1, 'back on, the result shows again');
  });

  test('revealing a window selects its range in the editor', async () => {
    const r = await classifyFile(workspaceUri('long.txt'));
    assert.ok(r);
    await openEditor('short.txt'); // the long file is no longer in front
    const w = r.inspection.windows[2]!;
    const start = r.source.baseOffset + w.start;
    const end = r.source.baseOffset + w.end;
    const editor = await a.showInEditor({ uri: r.source.uri, start, end });
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), r.source.uri);
    assert.equal(editor.document.offsetAt(editor.selection.start), start);
    assert.equal(editor.document.offsetAt(editor.selection.end), end);
  });

  test('Open Activation Inspector opens the panel; Export writes the inspection as JSON', async () => {
    await openEditor('short.txt');
    const r = await classifyFile();
    assert.ok(r);
    await vscode.commands.executeCommand('distilbertInspector.openInspector');
    // The workbench creates the tab asynchronously; the tab model catches up shortly after.
    await until(() => panelTabs().length > 0, 'the Activation Inspector tab');
    assert.equal(panelTabs().length, 1, 'one Activation Inspector panel');
    assert.equal(panelTabs()[0]!.label, 'Activation Inspector');
    const target = vscode.Uri.file(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-export-')), 'out.json'));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'distilbertInspector.exportJson',
      target,
    );
    assert.equal(written?.toString(), target.toString());
    const saved = JSON.parse(fs.readFileSync(target.fsPath, 'utf8')) as typeof r.inspection;
    assert.equal(saved.aggregate.label, r.inspection.aggregate.label);
    assert.deepEqual(saved.aggregate.logits, r.inspection.aggregate.logits);
    assert.equal(saved.windows.length, r.inspection.windows.length);
    // The JSON contract keeps the activation's output under its first name, stages.relu (README, JSON contract).
    const savedStages = saved.windows[0]!.stages as unknown as Record<string, unknown>;
    assert.deepEqual(savedStages['relu'], r.inspection.windows[0]!.stages.activation);
    assert.equal(savedStages['activation'], undefined);
    // A target that cannot be written (its "folder" is a file) gets an error message, not a failed command.
    const from = a.messages().length;
    const bad = vscode.Uri.file(path.join(target.fsPath, 'nested.json'));
    assert.equal(await vscode.commands.executeCommand('distilbertInspector.exportJson', bad), undefined);
    assert.ok(
      messagesSince(a, from).some((m) => m.level === 'error' && m.text.includes(bad.fsPath)),
      JSON.stringify(messagesSince(a, from)),
    );
  });
});

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The Activation Inspector's tabs (the workbench prefixes the view type). */
function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter(
      (t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('distilbertInspector.inspector'),
    );
}
