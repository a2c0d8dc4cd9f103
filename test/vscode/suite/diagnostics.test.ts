// Classifier diagnostics in a real VS Code: settings on, a saved Markdown document's windows in the Problems
// panel (checked against "Classify File" on the same text), the language filter, the size limit, bad rules,
// switching off, and that a diagnostics pass leaves the panel's result alone.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
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
  setUserSetting,
  workspaceUri,
  type TestingApi,
} from './helpers';

const KEYS = [
  'diagnostics.enabled',
  'diagnostics.rules',
  'diagnostics.languages',
  'diagnostics.maxFileSizeKB',
  'windowTokens',
  'windowOverlap',
];

/** Short, clearly positive and clearly negative sentences, so small windows get both verdicts. */
const TEXT = [
  '# Notes on the film',
  '',
  'The acting is superb and the story kept me hooked until the very last scene.',
  'Every minute of this movie felt like an hour; the script is dull and lifeless.',
  'A warm, funny and surprisingly wise film about growing older together.',
  'The soundtrack is forgettable, the editing is clumsy and the ending is awful.',
  'Smart, tender and beautifully paced, this is one of the best films of the year.',
  '',
].join('\n');

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Writes `name` in the workspace, opens it and saves it after a real edit (a clean save fires no event). */
async function writeAndSave(name: string, text: string): Promise<vscode.TextDocument> {
  const uri = workspaceUri(name);
  // Through VS Code's file service, so the editor does not later see the write as an outside change (save conflict).
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text.slice(0, -1), 'utf8'));
  const editor = await openEditor(name);
  await editor.edit((e) => e.insert(editor.document.positionAt(editor.document.getText().length), text.slice(-1)));
  assert.ok(editor.document.isDirty);
  await save(editor.document);
  return editor.document;
}

/**
 * Saves a dirty document. A save right after the file was written (created, or saved a moment ago) sometimes
 * returns false on code-server while the file service catches up with the write; a person would press Ctrl+S
 * again, and so does this.
 */
async function save(doc: vscode.TextDocument): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await doc.save()) return;
    console.log(
      `[mocha] saving ${path.basename(doc.fileName)} returned false (attempt ${attempt}, dirty ${doc.isDirty})`,
    );
    assert.ok(attempt < 4 && doc.isDirty, `saving ${doc.fileName}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function nextOutcome(a: TestingApi, uri: vscode.Uri, ms = 60_000) {
  return new Promise<NonNullable<ReturnType<TestingApi['diagnosticsOutcome']>>>((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no diagnostics outcome for ${uri.toString()} within ${ms} ms`));
    }, ms);
    const sub = a.onDidFinishDiagnostics((e) => {
      if (e.uri.toString() !== uri.toString()) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e.outcome);
    });
  });
}

const ours = (uri: vscode.Uri): vscode.Diagnostic[] =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'DistilBERT');

suite('classifier diagnostics', () => {
  let a: TestingApi;
  let labels: string[];

  suiteSetup(async () => {
    a = await api();
    labels = labelsOf(bundledModel);
    assert.ok(labels.includes('NEGATIVE'), `the bundled model's labels: ${labels.join(', ')}`);
  });

  setup(async () => {
    await closeAll();
    await setUserSetting('windowTokens', 24);
    await setUserSetting('windowOverlap', 4);
    await setUserSetting('diagnostics.rules', [{ label: 'NEGATIVE', minProbability: 0.5, severity: 'warning' }]);
  });

  teardown(async () => {
    for (const key of KEYS) await setUserSetting(key, undefined);
    await closeAll();
  });

  test('off by default: a save leaves the Problems panel alone', async () => {
    const uri = workspaceUri('diag-off.md');
    await writeAndSave('diag-off.md', TEXT);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(a.diagnosticsOutcome(uri), undefined);
    assert.deepEqual(ours(uri), []);
  });

  test('on save, the windows matching a rule are problems over their ranges, as "Classify File" sees them', async () => {
    await setUserSetting('diagnostics.enabled', true);
    const uri = workspaceUri('diag-review.md');
    const outcome = nextOutcome(a, uri);
    const doc = await writeAndSave('diag-review.md', TEXT);
    const o = await outcome;
    assert.equal(o.kind, 'done');
    const diags = await waitFor('the diagnostics', () => (ours(uri).length ? ours(uri) : undefined));

    // The same text through the command: the same windows, and the problems are exactly its NEGATIVE >= 0.5 windows.
    const r = await classifyFile(uri);
    assert.ok(r);
    const windows = r.inspection.windows;
    assert.ok(windows.length >= 3, `${windows.length} windows`);
    const expected = windows.map((w, i) => ({ w, i })).filter(({ w }) => w.probabilities['NEGATIVE']! >= 0.5);
    assert.ok(
      expected.length > 0 && expected.length < windows.length,
      `${expected.length} of ${windows.length} windows are NEGATIVE`,
    );
    assert.equal(diags.length, expected.length);
    expected.forEach(({ w, i }, k) => {
      const d = diags[k]!;
      assert.equal(d.range.start.isEqual(doc.positionAt(w.start)), true, `start of window ${i + 1}`);
      assert.equal(d.range.end.isEqual(doc.positionAt(w.end)), true, `end of window ${i + 1}`);
      assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(d.code, 'NEGATIVE');
      const pct = `${(w.probabilities['NEGATIVE']! * 100).toFixed(1)}%`;
      assert.equal(d.message, `NEGATIVE ${pct} (rule: NEGATIVE ≥ 50%) — window ${i + 1} of ${windows.length}`);
      // The diagnostics pass computed the same probabilities as the command (same model, same windows).
      const finding = o.kind === 'done' ? o.findings[k] : undefined;
      assert.ok(
        finding && finding.windowIndex === i && Math.abs(finding.probability - w.probabilities['NEGATIVE']!) < 1e-6,
        JSON.stringify(finding),
      );
    });
  });

  test('an open document keeps only what its Problems entries need, not its whole inspection', async () => {
    await setUserSetting('diagnostics.enabled', true);
    const uri = workspaceUri('diag-memory.md');
    const outcome = nextOutcome(a, uri);
    await writeAndSave('diag-memory.md', TEXT.repeat(20));
    const o = await outcome;
    assert.ok(o.kind === 'done', JSON.stringify(o));
    const diags = await waitFor('the diagnostics', () => (ours(uri).length ? ours(uri) : undefined));
    assert.ok(
      o.windows >= 40 && o.findings.length === diags.length,
      `${o.windows} windows, ${o.findings.length} findings, ${diags.length} entries`,
    );
    // Each window's stages (the [CLS] vector per block, pre_classifier, ReLU) and tokens would be kilobytes; a
    // finding is its range, label, probability, rule and message.
    const kept = JSON.stringify(a.diagnosticsOutcome(uri)).length;
    console.log(`[mocha] diagnostics: ${kept} bytes kept for ${o.windows} windows and ${o.findings.length} findings`);
    assert.ok(
      kept < 400 * (o.findings.length + 1),
      `${kept} bytes kept for ${o.findings.length} findings over ${o.windows} windows`,
    );
  });

  test("a diagnostics pass does not replace or cancel the panel's result", async () => {
    await setUserSetting('diagnostics.enabled', true);
    const editor = await openEditor('short.txt');
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    const shown = await classifySelection();
    assert.ok(shown);
    const uri = workspaceUri('diag-panel.md');
    const outcome = nextOutcome(a, uri);
    await writeAndSave('diag-panel.md', TEXT);
    assert.equal((await outcome).kind, 'done');
    assert.equal(a.lastResult()?.requestId, shown.requestId);
    assert.equal(a.panelInspection()?.coverage.textLength, shown.inspection.coverage.textLength);
    assert.equal(a.panelInspection()?.aggregate.label, shown.inspection.aggregate.label);
  });

  test('a language outside diagnostics.languages is not checked, and says why', async () => {
    await setUserSetting('diagnostics.enabled', true);
    await setUserSetting('diagnostics.languages', ['markdown']);
    const uri = workspaceUri('diag-notes.txt');
    const outcome = nextOutcome(a, uri);
    await writeAndSave('diag-notes.txt', TEXT);
    const o = await outcome;
    assert.equal(o.kind, 'skipped');
    assert.ok(
      o.kind === 'skipped' &&
        o.reason.includes('plaintext') &&
        o.reason.includes('distilbertInspector.diagnostics.languages'),
      JSON.stringify(o),
    );
    assert.deepEqual(ours(uri), []);
  });

  test('a file over diagnostics.maxFileSizeKB is skipped with the setting named; raising it checks the file', async () => {
    await setUserSetting('diagnostics.enabled', true);
    await setUserSetting('diagnostics.maxFileSizeKB', 1);
    const big = TEXT.repeat(4); // ~1.6 KB
    assert.ok(Buffer.byteLength(big) > 1024);
    const uri = workspaceUri('diag-big.md');
    const skipped = nextOutcome(a, uri);
    await writeAndSave('diag-big.md', big);
    const o = await skipped;
    assert.ok(
      o.kind === 'skipped' &&
        o.reason.includes('distilbertInspector.diagnostics.maxFileSizeKB') &&
        o.reason.includes('raise'),
      JSON.stringify(o),
    );
    assert.deepEqual(ours(uri), []);
    // Raising the limit re-checks the open documents without another save.
    const done = nextOutcome(a, uri);
    await setUserSetting('diagnostics.maxFileSizeKB', 64);
    assert.equal((await done).kind, 'done');
    await waitFor('the diagnostics', () => (ours(uri).length ? true : undefined));
  });

  test('switching on checks documents already open; switching off clears every entry', async () => {
    const uri = workspaceUri('diag-open.md');
    fs.writeFileSync(uri.fsPath, TEXT);
    await openEditor('diag-open.md');
    const done = nextOutcome(a, uri);
    await setUserSetting('diagnostics.enabled', true);
    assert.equal((await done).kind, 'done');
    await waitFor('the diagnostics', () => (ours(uri).length ? true : undefined));
    await setUserSetting('diagnostics.enabled', false);
    await waitFor('the diagnostics to clear', () => (ours(uri).length === 0 ? true : undefined), 10_000);
    assert.equal(a.diagnosticsOutcome(uri), undefined);
  });

  test("a rule naming a label the model lacks is reported once with the model's labels; the other rules still run", async () => {
    const from = a.messages().length;
    await setUserSetting('diagnostics.enabled', true);
    await setUserSetting('diagnostics.rules', [
      { label: 'TOXIC', minProbability: 0.5, severity: 'error' },
      { label: 'NEGATIVE', minProbability: 0.5, severity: 'error' },
      { label: 'POSITIVE', minProbability: 2 },
    ]);
    const uri = workspaceUri('diag-rules.md');
    const outcome = nextOutcome(a, uri);
    await writeAndSave('diag-rules.md', TEXT);
    assert.equal((await outcome).kind, 'done');
    const warnings = messagesSince(a, from)
      .filter((m) => m.level === 'warning')
      .map((m) => m.text);
    const label = warnings.filter((t) => t.includes('"TOXIC"'));
    assert.equal(label.length, 1, warnings.join('\n'));
    for (const l of labels) assert.ok(label[0]!.includes(`"${l}"`), label[0]);
    assert.ok(
      warnings.some((t) => t.includes('distilbertInspector.diagnostics.rules[2]') && t.includes('minProbability')),
      warnings.join('\n'),
    );
    const diags = await waitFor('the diagnostics', () => (ours(uri).length ? ours(uri) : undefined));
    assert.ok(diags.every((d) => d.severity === vscode.DiagnosticSeverity.Error && d.code === 'NEGATIVE'));
    // Saving again does not repeat the warning.
    const again = nextOutcome(a, uri);
    const editor = await openEditor('diag-rules.md');
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), ' '));
    await save(editor.document);
    await again;
    assert.equal(messagesSince(a, from).filter((m) => m.text.includes('"TOXIC"')).length, 1);
  });

  test('a newer save of the same document supersedes the older run', async () => {
    await setUserSetting('diagnostics.enabled', true);
    const uri = workspaceUri('diag-twice.md');
    const long = TEXT.repeat(400); // ~160 KB, ~90 windows: the first run is still going when the second save comes
    const outcomes: { version: number; kind: string }[] = [];
    const sub = a.onDidFinishDiagnostics((e) => {
      if (e.uri.toString() === uri.toString()) outcomes.push({ version: e.outcome.version, kind: e.outcome.kind });
    });
    try {
      const doc = await writeAndSave('diag-twice.md', long);
      const first = doc.version;
      const editor = await openEditor('diag-twice.md');
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'Dreadful. '));
      await save(editor.document);
      const second = editor.document.version;
      assert.ok(second > first, `versions ${first} then ${second}`);
      await waitFor("the second save's outcome", () => outcomes.find((o) => o.version === second));
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(
        outcomes,
        [{ version: second, kind: 'done' }],
        `the first save's run (version ${first}) was dropped: ${JSON.stringify(outcomes)}`,
      );
      const o = a.diagnosticsOutcome(uri);
      assert.ok(o?.kind === 'done', JSON.stringify(o?.kind));
      assert.equal(o.textLength, editor.document.getText().length);
    } finally {
      sub.dispose();
    }
  });

  test('closing a document removes its entries', async () => {
    // An untitled document closes the moment its editor is reverted and closed (a file's text document may
    // linger in the extension host for minutes after its editor closes).
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: TEXT });
    await vscode.window.showTextDocument(doc);
    const done = nextOutcome(a, doc.uri);
    await setUserSetting('diagnostics.enabled', true);
    assert.equal((await done).kind, 'done');
    await waitFor('the diagnostics', () => (ours(doc.uri).length ? true : undefined));
    const closed = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.toString() === doc.uri.toString()) {
          sub.dispose();
          resolve();
        }
      });
    });
    await closeAll();
    await closed;
    await waitFor('the entries to go', () => (ours(doc.uri).length === 0 ? true : undefined), 5_000);
    assert.equal(a.diagnosticsOutcome(doc.uri), undefined);
  });
});
