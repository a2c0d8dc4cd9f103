// Runs only in the runner's untrusted-workspace configuration: comparing with git HEAD would run git in a
// repository the user has not trusted (its .git/config can run programs), so the command refuses and says why;
// the sources that need no git still work in Restricted Mode.
// Named to sort after untrusted.test.ts: that file's first test expects to be the first to load the model (the
// notice about the ignored workspace model.path is shown once per value).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TextComparisonOutcome } from '../../../src/extension/textCompareCommand';
import { api, openEditor } from './helpers';

const compare = (args: unknown): Promise<TextComparisonOutcome | undefined> =>
  Promise.resolve(
    vscode.commands.executeCommand<TextComparisonOutcome | undefined>('distilbertInspector.compareTexts', args),
  );

suite('Compare Two Texts in an untrusted workspace', () => {
  test('git HEAD is refused with the reason and the fix; two selections still compare', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this file runs only in the untrusted configuration');
    const a = await api();
    const editor = await openEditor('review.md');
    const from = a.messages().length;
    assert.equal(await compare({ source: 'git' }), undefined);
    const said = a.messages().slice(from);
    assert.ok(
      said.some(
        (m) =>
          m.level === 'warning' &&
          /not trusted/.test(m.text) &&
          /git/.test(m.text) &&
          /Trust the workspace/.test(m.text),
      ),
      JSON.stringify(said),
    );
    const line = (n: number): vscode.Selection => new vscode.Selection(n, 0, n, editor.document.lineAt(n).text.length);
    editor.selections = [line(2), line(5)];
    const r = await compare({ source: 'selections' });
    assert.ok(r, JSON.stringify(a.messages().slice(-2)));
    assert.equal(r.comparison.logitDelta.length, r.comparison.model.labels.length);
  });
});
