// "DistilBERT: Explain Result by Occlusion" in VS Code: the command explains the current result's text, the
// panel shows it under that result only, and the editor tints exactly the words' character ranges, with the
// numbers of a direct Inspector.occlude run of the core on the same model and text.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OcclusionOutcome } from '../../../src/extension/occlusionCommand';
import { Inspector } from '../../../src/core/inspector';
import {
  api,
  bundledModel,
  classifySelection,
  closeAll,
  messagesSince,
  openEditor,
  setUserSetting,
  type TestingApi,
} from './helpers';

const occlude = (unit?: 'word' | 'piece'): Thenable<OcclusionOutcome | undefined> =>
  vscode.commands.executeCommand<OcclusionOutcome | undefined>('distilbertInspector.occlude', unit);

const LINE = "A café 😀 didn't work... really great movie!";
const WORDS = ['A', 'café', '😀', "didn't", 'work', '...', 'really', 'great', 'movie', '!'];

suite('occlusion', () => {
  let a: TestingApi;
  let core: Inspector;

  suiteSetup(async () => {
    a = await api();
    core = await Inspector.open({
      modelDir: bundledModel,
      cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-occl-ext-')),
      threads: 1,
    });
  });
  suiteTeardown(async () => {
    await core?.dispose();
    await setUserSetting('occlusion.editorTint', undefined);
    await closeAll();
  });
  setup(closeAll);

  /** An untitled document whose second line is LINE, with that line selected and classified. */
  async function classifyLine(): Promise<{ editor: vscode.TextEditor; base: number }> {
    const doc = await vscode.workspace.openTextDocument({ content: `Review\n${LINE}\nthe end\n` });
    const editor = await openEditor(doc);
    const line = doc.lineAt(1);
    editor.selection = new vscode.Selection(line.range.start, line.range.end);
    const r = await classifySelection();
    assert.ok(r, 'a classification');
    return { editor, base: doc.offsetAt(line.range.start) };
  }

  test('tints exactly the words of the selection, with the numbers of the core', async () => {
    const { editor, base } = await classifyLine();
    const out = await occlude();
    assert.ok(out, JSON.stringify(a.messages().slice(-3)));
    assert.equal(out.requestId, a.lastResult()?.requestId);
    assert.equal(out.source.baseOffset, base);
    const doc = editor.document;
    // The tints the editor shows: one per word, over the word's exact characters.
    const tints = a.occlusionTints(doc.uri);
    assert.deepEqual(
      tints.map((t) => doc.getText(t.range)),
      WORDS,
    );
    tints.forEach((t, i) => {
      const item = out.result.items[i]!;
      assert.equal(doc.offsetAt(t.range.start), base + item.start);
      assert.equal(doc.offsetAt(t.range.end), base + item.end);
    });
    // The same numbers as the core on the same text and model (same batching: equal to float32 rounding).
    const ref = await core.occlude(LINE);
    assert.deepEqual(
      out.result.items.map((i) => i.text),
      ref.items.map((i) => i.text),
    );
    assert.equal(out.result.forwardPasses, ref.forwardPasses);
    out.result.items.forEach((it, i) => {
      it.deltaLogits.forEach((d, k) =>
        assert.ok(
          Math.abs(d - ref.items[i]!.deltaLogits[k]!) < 1e-5,
          `${it.text} Δ${k}: ${d} vs ${ref.items[i]!.deltaLogits[k]}`,
        ),
      );
    });
    const k = out.result.labels.indexOf(out.result.label);
    tints.forEach((t, i) =>
      assert.ok(
        Math.abs(t.support + ref.items[i]!.deltaLogits[k]!) < 1e-5,
        'tint support = −Δ logit of the predicted label',
      ),
    );
    assert.ok(
      tints.some((t) => t.level.startsWith('toward')) && tints.some((t) => t.level.startsWith('against')),
      tints.map((t) => t.level).join(' '),
    );
    assert.ok(out.latencyMs > 0 && out.result.inferenceMs > 0);
    // Editing the document clears the tints (their offsets would be stale).
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'x'));
    assert.deepEqual(a.occlusionTints(doc.uri), []);
  });

  test('word pieces on request; the setting and the toggle command turn the tint off and on', async () => {
    const { editor } = await classifyLine();
    const out = await occlude('piece');
    assert.ok(out);
    assert.equal(out.result.unit, 'piece');
    const ref = await core.occlude(LINE, { unit: 'piece' });
    assert.equal(out.result.items.length, ref.items.length);
    assert.ok(out.result.items.length > WORDS.length, 'more pieces than words');
    assert.equal(a.occlusionTints(editor.document.uri).length, ref.items.length);
    await setUserSetting('occlusion.editorTint', false);
    assert.deepEqual(a.occlusionTints(editor.document.uri), []);
    const on = await vscode.commands.executeCommand<boolean>('distilbertInspector.toggleOcclusionTint');
    assert.equal(on, true);
    assert.equal(a.occlusionTints(editor.document.uri).length, ref.items.length);
  });

  test('an occlusion stays with its result: a newer classification shows none', async () => {
    await classifyLine();
    const out = await occlude();
    assert.ok(out);
    assert.deepEqual(a.panelOcclusion(), { requestId: out.requestId, kind: 'done' });
    const second = await classifySelection();
    assert.ok(second && second.requestId > out.requestId);
    assert.equal(a.lastResult()?.requestId, second.requestId);
    // The panel shows the newer result, without the older occlusion under it.
    assert.equal(a.panelInspection(), second.inspection);
    assert.deepEqual(a.panelOcclusion(), { requestId: second.requestId, kind: undefined });
    const from = a.messages().length;
    const again = await occlude();
    assert.ok(again && again.requestId === second.requestId);
    assert.deepEqual(a.panelOcclusion(), { requestId: second.requestId, kind: 'done' });
    assert.deepEqual(messagesSince(a, from), []);
  });

  test('explaining while a classification runs leaves that classification alone', async () => {
    await classifyLine();
    const classifying = classifySelection(); // not awaited: the occlusion starts while it is in flight
    const explaining = occlude();
    const [r, o] = await Promise.all([classifying, explaining]);
    assert.ok(r, 'the classification still finishes');
    assert.equal(a.lastResult()?.requestId, r.requestId);
    // The occlusion belonged to the result before: it never shows under the new one, nor tints for it.
    if (o) assert.ok(o.requestId < r.requestId);
    assert.deepEqual(a.panelOcclusion(), { requestId: r.requestId, kind: undefined });
  });

  test('a new classification cancels a running occlusion', async () => {
    const long = Array.from({ length: 30 }, () => 'the plot is thin but the acting is superb').join(', ');
    const doc = await vscode.workspace.openTextDocument({ content: long });
    const editor = await openEditor(doc);
    editor.selection = new vscode.Selection(doc.positionAt(0), doc.positionAt(long.length));
    assert.ok(await classifySelection());
    const explaining = occlude();
    const deadline = Date.now() + 30_000;
    while (a.panelOcclusion()?.kind !== 'running' && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 5));
    assert.equal(a.panelOcclusion()?.kind, 'running');
    const r = await classifySelection();
    assert.ok(r);
    assert.equal(await explaining, undefined, 'the occlusion was cancelled');
    assert.deepEqual(a.panelOcclusion(), { requestId: r.requestId, kind: undefined });
    assert.deepEqual(a.occlusionTints(doc.uri), []);
  });
});
