// "DistilBERT: Compare Two Texts..." in a real VS Code: two selections, the selection and the clipboard, the file
// and its last commit (in a git repository the test makes inside the workspace, read through VS Code's git
// extension and through the git executable), a newer request superseding a comparison, and every input problem
// answered with a message that names it and the fix. The figures are checked against a second route: the same
// two texts passed explicitly, and each text classified on its own by "Classify Selection".
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareTextsArgs, TextComparisonOutcome } from '../../../src/extension/textCompareCommand';
import { api, classifySelection, closeAll, messagesSince, openEditor, workspaceUri, type TestingApi } from './helpers';

const compare = (args: CompareTextsArgs): Promise<TextComparisonOutcome | undefined> =>
  Promise.resolve(
    vscode.commands.executeCommand<TextComparisonOutcome | undefined>('distilbertInspector.compareTexts', args),
  );

/** float32 inference run twice on the same text gives the same numbers; 1e-6 allows for nothing but that. */
const SAME = 1e-6;

function close(a: number[], b: number[], what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) <= SAME, `${what}[${i}]: ${x} vs ${b[i]}`));
}

/** The warning the last call showed (the command returns undefined for input problems). */
async function warningOf(a: TestingApi, args: CompareTextsArgs): Promise<string> {
  const from = a.messages().length;
  const r = await compare(args);
  assert.equal(r, undefined, 'no comparison for bad input');
  const said = messagesSince(a, from);
  assert.equal(said.length, 1, JSON.stringify(said));
  assert.equal(said[0]!.level, 'warning');
  return said[0]!.text;
}

function git(cwd: string, ...args: string[]): string {
  // Identity and no signing via -c, so the test never depends on (or writes) the user's git config.
  return execFileSync(
    'git',
    ['-c', 'user.name=DBI Test', '-c', 'user.email=dbi@test.invalid', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8' },
  );
}

suite('Compare Two Texts', () => {
  let a: TestingApi;

  suiteSetup(async () => {
    a = await api();
  });

  test('two selections: A is the earlier one; the figures match each text classified on its own', async () => {
    await closeAll();
    const editor = await openEditor('review.md');
    const line = (n: number): vscode.Selection => new vscode.Selection(n, 0, n, editor.document.lineAt(n).text.length);
    // The later selection first: A must still be the earlier text (document order).
    editor.selections = [line(5), line(2)];
    const r = await compare({ source: 'selections' });
    assert.ok(r, JSON.stringify(a.messages().slice(-2)));
    const [textA, textB] = [editor.document.lineAt(2).text, editor.document.lineAt(5).text];
    assert.equal(r.texts[0].excerpt, textA);
    assert.equal(r.texts[1].excerpt, textB);
    assert.match(r.texts[0].what, /^selection 1 in review\.md \(line 3\)$/);
    assert.equal(r.texts[0].start, editor.document.offsetAt(line(2).start));
    assert.equal(a.panelComparison(), r.comparison, 'the panel shows this comparison');

    // Second route: each line through "Classify Selection".
    editor.selection = line(2);
    const one = await classifySelection();
    editor.selection = line(5);
    const two = await classifySelection();
    assert.ok(one && two);
    close(r.comparison.a.logits, one.inspection.aggregate.logits, 'A logits');
    close(r.comparison.b.logits, two.inspection.aggregate.logits, 'B logits');
    close(
      r.comparison.logitDelta,
      two.inspection.aggregate.logits.map((x, i) => x - one.inspection.aggregate.logits[i]!),
      'Δ logits',
    );
    const reluA = one.inspection.windows[0]!.stages.activation;
    const reluB = two.inspection.windows[0]!.stages.activation;
    const dist = Math.sqrt(reluA.reduce((s, x, i) => s + (reluB[i]! - x) ** 2, 0));
    const relu = r.comparison.stages.find((s) => s.stage.kind === 'relu')!;
    assert.ok(Math.abs(relu.distance - dist) <= 1e-5, `‖Δ relu‖ ${relu.distance} vs ${dist}`);
  });

  test('the selection and the clipboard equal the same two texts passed explicitly', async () => {
    await closeAll();
    const editor = await openEditor('review.md');
    editor.selection = new vscode.Selection(4, 0, 4, editor.document.lineAt(4).text.length);
    const clip = 'Dull, overlong and badly acted: I wanted my evening back.';
    await vscode.env.clipboard.writeText(clip);
    const r = await compare({ source: 'clipboard' });
    assert.ok(r, JSON.stringify(a.messages().slice(-2)));
    assert.equal(r.texts[1].what, 'the clipboard');
    assert.equal(r.texts[1].uri, undefined, 'the clipboard has no place in the editor');
    assert.equal(r.texts[0].what, 'the selection in review.md');
    const again = await compare({ texts: [editor.document.lineAt(4).text, clip] });
    assert.ok(again);
    close(r.comparison.logitDelta, again.comparison.logitDelta, 'Δ logits');
    r.comparison.stages.forEach((s, k) => close(s.delta, again.comparison.stages[k]!.delta, `Δ stage ${k}`));
  });

  suite('the file and its last commit', () => {
    let repo: string;
    let file: vscode.Uri;
    const committed = 'The acting is superb and the story kept me hooked until the very last scene.\n';
    const edited = 'Every minute of this movie felt like an hour; the plot is dull and predictable.\n';

    suiteSetup(() => {
      repo = workspaceUri(`compare-git-${process.pid}-${Date.now()}`).fsPath;
      fs.mkdirSync(repo);
      git(repo, 'init', '-q');
      fs.writeFileSync(path.join(repo, 'notes.md'), committed);
      git(repo, 'add', 'notes.md');
      git(repo, 'commit', '-q', '-m', 'first');
      fs.writeFileSync(path.join(repo, 'notes.md'), edited);
      fs.writeFileSync(path.join(repo, 'new.md'), 'A file that was never committed.\n');
      file = vscode.Uri.file(path.join(repo, 'notes.md'));
    });

    suiteTeardown(async () => {
      await closeAll();
      await vscode.workspace.getConfiguration('git').update('enabled', undefined, vscode.ConfigurationTarget.Global);
      fs.rmSync(repo, { recursive: true, force: true });
    });

    test('through the git executable: A is HEAD, B the file now; equal to the explicit texts', async () => {
      await closeAll();
      await openEditor(path.relative(workspaceUri('').fsPath, file.fsPath));
      const r = await compare({ source: 'git', gitExecutable: true });
      assert.ok(r, JSON.stringify(a.messages().slice(-2)));
      assert.equal(r.gitVia, 'git executable');
      assert.equal(r.texts[0].what, 'notes.md at HEAD');
      assert.equal(r.texts[0].excerpt, committed);
      assert.equal(r.texts[1].excerpt, edited);
      assert.equal(r.texts[1].uri, file.toString());
      const again = await compare({ texts: [committed, edited] });
      assert.ok(again);
      close(r.comparison.a.logits, again.comparison.a.logits, 'A logits');
      close(r.comparison.b.logits, again.comparison.b.logits, 'B logits');
    });

    test('through VS Code’s git extension when it is enabled', async function () {
      this.timeout(60_000);
      const ext = vscode.extensions.getExtension('vscode.git');
      if (!ext) this.skip(); // a VS Code build without the built-in git extension: the executable route covers it
      // The test runner's settings disable git (no background git in other tests); this test turns it on.
      await vscode.workspace.getConfiguration('git').update('enabled', true, vscode.ConfigurationTarget.Global);
      await closeAll();
      await openEditor(path.relative(workspaceUri('').fsPath, file.fsPath));
      // The extension discovers the repository of an opened file in the background: ask until it answers.
      let r: TextComparisonOutcome | undefined;
      const until = Date.now() + 30_000;
      do {
        r = await compare({ source: 'git', uri: file });
        if (r?.gitVia === 'git extension') break;
        await new Promise((res) => setTimeout(res, 500));
      } while (Date.now() < until);
      assert.ok(r, JSON.stringify(a.messages().slice(-2)));
      assert.equal(r.gitVia, 'git extension');
      assert.equal(r.texts[0].excerpt, committed);
      const fromExe = await compare({ source: 'git', uri: file, gitExecutable: true });
      assert.ok(fromExe);
      close(r.comparison.logitDelta, fromExe.comparison.logitDelta, 'Δ logits, extension vs executable');
      // A file new since HEAD gets the same message on this route.
      const text = await warningOf(a, { source: 'git', uri: vscode.Uri.file(path.join(repo, 'new.md')) });
      assert.match(text, /new\.md is new since the last commit/);
    });

    test('problems: new since HEAD, no changes, no commits, not in a repository, not on disk', async () => {
      const newFile = vscode.Uri.file(path.join(repo, 'new.md'));
      assert.match(
        await warningOf(a, { source: 'git', uri: newFile, gitExecutable: true }),
        /new\.md is new since the last commit \(it is not in HEAD\).*Commit it first/,
      );

      const same = path.join(repo, 'same.md');
      fs.writeFileSync(same, 'Unchanged since it was committed.\n');
      git(repo, 'add', 'same.md');
      git(repo, 'commit', '-q', '-m', 'same');
      assert.match(
        await warningOf(a, { source: 'git', uri: vscode.Uri.file(same), gitExecutable: true }),
        /same\.md has no changes since the last commit/,
      );

      const empty = path.join(repo, 'fresh');
      fs.mkdirSync(empty);
      git(empty, 'init', '-q');
      fs.writeFileSync(path.join(empty, 'x.md'), 'Nothing committed here yet.\n');
      assert.match(
        await warningOf(a, { source: 'git', uri: vscode.Uri.file(path.join(empty, 'x.md')), gitExecutable: true }),
        /has no commits yet.*Commit the file first/,
      );

      // short.txt sits in the workspace root, which is not a git repository (the sandbox is a temp folder).
      assert.match(
        await warningOf(a, { source: 'git', uri: workspaceUri('short.txt'), gitExecutable: true }),
        /short\.txt is not in a git repository/,
      );

      const untitled = await vscode.workspace.openTextDocument({
        content: 'An unsaved scratch text.',
        language: 'plaintext',
      });
      await vscode.window.showTextDocument(untitled);
      assert.match(
        await warningOf(a, { source: 'git' }),
        /is not a file on disk \(untitled:\).*Save it inside a git repository/,
      );
      await closeAll();
    });
  });

  test('problems with the selections and the clipboard name the fix', async () => {
    await closeAll();
    const editor = await openEditor('review.md');
    editor.selection = new vscode.Selection(2, 0, 2, 10);
    assert.match(
      await warningOf(a, { source: 'selections' }),
      /two non-empty selections in review\.md, and there is 1\. .*Alt/,
    );
    editor.selection = new vscode.Selection(2, 0, 2, 0);
    assert.match(
      await warningOf(a, { source: 'clipboard' }),
      /Nothing is selected in review\.md\. Select the text to compare with the clipboard/,
    );
    editor.selection = new vscode.Selection(2, 0, 2, 10);
    await vscode.env.clipboard.writeText('   ');
    assert.match(await warningOf(a, { source: 'clipboard' }), /The clipboard holds no text\. Copy the text/);
    await vscode.env.clipboard.writeText(editor.document.getText(editor.selection));
    assert.match(
      await warningOf(a, { source: 'clipboard' }),
      /The selection in review\.md and the clipboard are the same text/,
    );
    assert.match(
      await warningOf(a, { source: 'svn' as never }),
      /got source "svn"; it must be "selections", "clipboard" or "git"/,
    );
    const huge = 'word '.repeat(500_000); // 2.5 M characters, over the extension's 2 M limit
    assert.match(
      await warningOf(a, { texts: ['short', huge] }),
      /text B has 2,500,000 characters, more than the 2,000,000/,
    );
    await closeAll();
    assert.match(await warningOf(a, { source: 'selections' }), /Open a text file first/);
  });

  test("cancelling a running comparison (the notification's Cancel) returns nothing, shows no comparison and reports no error", async function () {
    this.timeout(120_000);
    const long = fs.readFileSync(workspaceUri('long.txt').fsPath, 'utf8').slice(0, 40_000);
    const from = a.messages().length;
    const running = compare({ texts: [long.slice(50), long], names: ['long A', 'long B'] });
    await new Promise((res) => setTimeout(res, 300));
    a.models.cancelRunning(); // what the Cancel button of the progress notification calls (request.cancel)
    assert.equal(await running, undefined);
    assert.equal(a.panelComparison(), undefined);
    assert.deepEqual(messagesSince(a, from), [], 'a cancellation is not an error to report');
  });

  test('a newer request supersedes a running comparison: it returns nothing and the panel shows the newer result', async function () {
    this.timeout(120_000);
    const long = fs.readFileSync(workspaceUri('long.txt').fsPath, 'utf8').slice(0, 40_000);
    const editor = await openEditor('short.txt');
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    // No waiting in between: both commands start their request before their first await, so the classification
    // is always the newer request, however fast the model is.
    const running = compare({ texts: [long, long.slice(100)], names: ['long A', 'long B'] });
    const newer = await classifySelection();
    assert.ok(newer);
    assert.equal(await running, undefined, 'the superseded comparison is dropped');
    assert.equal(a.panelComparison(), undefined);
    assert.equal(a.panelInspection(), newer.inspection);
  });
});
