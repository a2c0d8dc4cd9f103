// Windows line endings: a CRLF document counts "\r\n" as two UTF-16 code units in VS Code's offsets, and the
// core reads the same text, so decorations and the occlusion tint must land on the same words as in the LF
// version of the document, each shifted by the number of "\r" before it. Checked against the LF run, not
// against the offsets the extension itself computed.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { OcclusionOutcome } from '../../../src/extension/occlusionCommand';
import { api, classifyFile, classifySelection, closeAll, openEditor, setUserSetting, type TestingApi } from './helpers';

const LINES = [
  'Review',
  "A café 😀 didn't work...",
  'really great movie!',
  'the end, truly a mess of a plot',
  'but fine acting',
];
const WORDS = ['A', 'café', '😀', "didn't", 'work', '...', 'really', 'great', 'movie', '!'];

async function openWith(eol: '\n' | '\r\n'): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ content: LINES.join(eol) + eol });
  assert.equal(doc.eol, eol === '\r\n' ? vscode.EndOfLine.CRLF : vscode.EndOfLine.LF);
  return openEditor(doc);
}

/** LF offset -> CRLF offset of the same character: one more per line break before it. */
const shift = (lfText: string, offset: number): number => offset + (lfText.slice(0, offset).match(/\n/g)?.length ?? 0);

suite('CRLF documents', () => {
  let a: TestingApi;
  suiteSetup(async () => {
    a = await api();
  });
  suiteTeardown(async () => {
    await setUserSetting('windowTokens', undefined);
    await setUserSetting('windowOverlap', undefined);
    await closeAll();
  });
  setup(closeAll);

  test('occlusion tints a two-line CRLF selection on exactly its words, and the decoration covers the selection', async () => {
    const editor = await openWith('\r\n');
    const doc = editor.document;
    editor.selection = new vscode.Selection(doc.lineAt(1).range.start, doc.lineAt(2).range.end);
    const r = await classifySelection();
    assert.ok(r, 'a classification');
    const [range] = a.decoratedRanges(doc.uri);
    assert.equal(doc.getText(range), `${LINES[1]}\r\n${LINES[2]}`);
    const out = await vscode.commands.executeCommand<OcclusionOutcome | undefined>('distilbertInspector.occlude');
    assert.ok(out, JSON.stringify(a.messages().slice(-3)));
    const tints = a.occlusionTints(doc.uri);
    assert.deepEqual(
      tints.map((t) => doc.getText(t.range)),
      WORDS,
    );
    assert.deepEqual(
      tints.map((t) => t.range.start.line),
      [1, 1, 1, 1, 1, 1, 2, 2, 2, 2],
    );
  });

  test('Classify File: the windows of the CRLF document are the LF windows, on the same characters', async () => {
    await setUserSetting('windowTokens', 12);
    await setUserSetting('windowOverlap', 2);
    const lfEditor = await openWith('\n');
    const lf = await classifyFile(lfEditor.document.uri);
    assert.ok(lf, 'LF result');
    const lfText = lfEditor.document.getText();
    const crEditor = await openWith('\r\n');
    const cr = await classifyFile(crEditor.document.uri);
    assert.ok(cr, 'CRLF result');
    const doc = crEditor.document;
    const crText = doc.getText();
    const lfw = lf.inspection.windows;
    const crw = cr.inspection.windows;
    assert.ok(crw.length >= 2, `${crw.length} windows`);
    assert.deepEqual(
      crw.map((w) => [w.start, w.end]),
      lfw.map((w) => [shift(lfText, w.start), shift(lfText, w.end)]),
    );
    crw.forEach((w, i) =>
      assert.deepEqual(
        w.tokens.map((t) => crText.slice(t.start, t.end)),
        lfw[i]!.tokens.map((t) => lfText.slice(t.start, t.end)),
      ),
    );
    crw.forEach((w, i) => assert.ok(Math.abs(w.logits[0]! - lfw[i]!.logits[0]!) < 1e-5, 'same text, same logits'));
    // Each decoration covers its window's characters, with "\r\n" inside it, never half of one.
    const ranges = a.decoratedRanges(doc.uri);
    assert.deepEqual(
      ranges.map((x) => doc.getText(x)),
      crw.map((w) => crText.slice(w.start, w.end)),
    );
    assert.ok(
      ranges.some((x) => x.start.line !== x.end.line),
      'some window spans a line break',
    );
  });
});
