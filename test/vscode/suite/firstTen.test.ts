// The first ten minutes in a real (remote) VS Code: code-server is a remote window, so the model settings live in
// the Remote settings and every message and button must say and open that place; a cancel keeps the previous
// result; a settings change that fixes a broken model clears the error; load failures read as load failures in
// VS Code's words; the inline label follows the selection; the status bar speaks plain words; the demo model says
// how good it is, and the full-size model's download size is asked from the (loopback) hub before switching.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { detectCpu } from '../../../src/core/quantize/cpu';
import { FakeHub, fixtureFiles, withInt8Graph } from '../../unit/hubFakes';
import {
  api,
  bundledModel,
  classifyFile,
  classifySelection,
  closeAll,
  labelsOf,
  messagesSince,
  multilabelModel,
  nextModelLoad,
  openEditor,
  selectFirstLine,
  setUserSetting,
  workspaceUri,
  type TestingApi,
} from './helpers';

const FULL_SIZE = 'Xenova/distilbert-base-uncased-finetuned-sst-2-english';
const CLI_OPTION = /(^|\s|\()--[a-z]/;

async function waitFor<T>(what: string, probe: () => T | undefined | false, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts Classify File on a file of many long.txt's (hundreds of windows) and calls `stop` from the progress
 * event of its second window (synchronously: a timer could fire only after the run has finished).
 */
function longRun(a: TestingApi, stop: (done: number, total: number) => void): Thenable<unknown> {
  const long = fs.readFileSync(workspaceUri('long.txt').fsPath, 'utf8');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-longer-')), 'longer.txt');
  fs.writeFileSync(file, Array(18).fill(long).join('\n\n'));
  const sub = a.models.onDidRun((p) => {
    if (p.phase !== 'progress' || p.done === undefined || p.total === undefined || p.done < 2) return;
    sub.dispose();
    stop(p.done, p.total);
  });
  return classifyFile(vscode.Uri.file(file));
}

suite('first ten minutes', () => {
  let a: TestingApi;

  suiteSetup(async () => {
    a = await api();
  });

  teardown(async () => {
    for (const key of ['model.path', 'model.variant', 'hub.endpoint']) await setUserSetting(key, undefined);
  });

  test('code-server is a remote window: model settings are read from, saved to and opened in the Remote settings', async () => {
    const remote = vscode.env.remoteName;
    assert.ok(remote, 'code-server runs the extension host as a remote');
    await selectFirstLine();
    const from = a.messages().length;
    assert.equal(
      await vscode.commands.executeCommand('distilbertInspector.chooseModelFolder', vscode.Uri.file(multilabelModel)),
      multilabelModel,
    );
    const saved = messagesSince(a, from).find((m) => m.level === 'info' && m.text.includes(multilabelModel));
    assert.ok(saved, JSON.stringify(messagesSince(a, from)));
    assert.match(
      saved.text,
      new RegExp(`saved in Remote settings \\(${remote.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)\\.$`),
    );
    assert.deepEqual(saved.actions, ['Open Remote Settings']);
    // Truthful: the value is in the machine's settings file, not the browser's user settings.
    const userData = path.resolve(a.globalStoragePath, '..', '..', '..');
    const machine = path.join(userData, 'Machine', 'settings.json');
    assert.ok(
      fs.existsSync(machine) && fs.readFileSync(machine, 'utf8').includes(JSON.stringify(multilabelModel).slice(1, -1)),
      `${machine} does not hold the folder`,
    );
    const user = path.join(userData, 'User', 'settings.json');
    assert.ok(
      !fs.existsSync(user) || !fs.readFileSync(user, 'utf8').includes('distilbertInspector.model.path'),
      `${user} holds model.path`,
    );

    // A broken model's error toast names the same place on its button (not the User tab, where the setting is hidden).
    const missing = path.join(os.tmpdir(), `dbi-missing-${Date.now()}`);
    await setUserSetting('model.path', missing);
    const f2 = a.messages().length;
    assert.equal(await classifySelection(), undefined);
    const err = messagesSince(a, f2).find((m) => m.level === 'error');
    assert.ok(err, JSON.stringify(messagesSince(a, f2)));
    assert.deepEqual(err.actions, ['Open Remote Settings', 'Show Log']);
  });

  test("a load failure is reported as a load error in VS Code's words, with its full stop", async () => {
    await selectFirstLine();
    const missing = path.join(os.tmpdir(), `dbi-missing-${Date.now()}`);
    await setUserSetting('model.path', missing);
    let from = a.messages().length;
    assert.equal(await classifySelection(), undefined);
    let err = messagesSince(a, from).find((m) => m.level === 'error')?.text ?? '';
    assert.match(
      err,
      /^Could not load the DistilBERT model from ".*" \(setting distilbertInspector\.model\.path\): Model folder .* does not exist\. Set distilbertInspector\.model\.path to /,
      err,
    );
    assert.doesNotMatch(err, CLI_OPTION, 'no CLI option inside VS Code');
    assert.match(err, /\.$/);
    // A truncated ONNX file fails inside ONNX Runtime while loading: still a load error, not "inference failed".
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-truncated-'));
    fs.cpSync(multilabelModel, dir, { recursive: true });
    const onnx = path.join(dir, 'onnx', 'model.onnx');
    fs.writeFileSync(onnx, fs.readFileSync(onnx).subarray(0, 4096));
    await setUserSetting('model.path', dir);
    from = a.messages().length;
    assert.equal(await classifySelection(), undefined);
    err = messagesSince(a, from).find((m) => m.level === 'error')?.text ?? '';
    assert.match(err, /^Could not load the DistilBERT model from /, err);
    assert.doesNotMatch(err, /inference failed/i);
    assert.doesNotMatch(err, CLI_OPTION);
  });

  test('fixing a broken model.path reloads the model and clears the error in the status bar and the panel', async () => {
    await selectFirstLine();
    await setUserSetting('model.path', path.join(os.tmpdir(), `dbi-missing-${Date.now()}`));
    assert.equal(await classifySelection(), undefined);
    assert.match(a.statusText(), /\$\(error\)/);
    assert.match(a.panelNotice() ?? '', /^$/, 'the panel shows the error, with no notice');
    const loaded = nextModelLoad(a);
    await setUserSetting('model.path', multilabelModel); // the fix; no classification, no window reload
    assert.deepEqual((await loaded).labels, labelsOf(multilabelModel));
    await waitFor('the status bar to say the model is ready', () => a.statusText().includes('$(check)'));
    assert.match(a.statusAccessibleName(), /model ready/);
    await waitFor('the panel to drop the error', () => (a.panelNotice() ?? '').startsWith('Model ready: '));
  });

  test('cancelling Classify File keeps the previous result under a neutral notice', async () => {
    await selectFirstLine();
    const first = await classifySelection();
    assert.ok(first);
    const from = a.messages().length;
    // What the progress notification's Cancel does.
    let at = '';
    assert.equal(
      await longRun(a, (done, total) => {
        at = `${done + 1} of ${total}`;
        a.models.cancelRunning();
      }),
      undefined,
    );
    const notice = a.panelNotice() ?? '';
    assert.equal(notice, `Cancelled at window ${at}; showing the previous result.`);
    assert.equal(a.panelInspection(), first.inspection, 'the previous result is what the panel presents');
    assert.ok(a.statusText().includes(first.inspection.aggregate.label), a.statusText());
    assert.deepEqual(
      messagesSince(a, from).filter((m) => m.level !== 'info'),
      [],
      'no warning or error for a cancel',
    );
  });

  test('a model change that stops a run says why and offers to run it again on the new model', async () => {
    await selectFirstLine();
    assert.ok(await classifySelection());
    const from = a.messages().length;
    assert.equal(await longRun(a, () => void setUserSetting('model.path', multilabelModel)), undefined);
    assert.match(
      a.panelNotice() ?? '',
      /^Stopped at window \d+ of \d+ because the model settings changed; showing the previous result\.$/,
    );
    const offer = await waitFor('the offer to run again', () =>
      messagesSince(a, from).find((m) => m.actions.includes('Run Again')),
    );
    assert.match(offer.text, /Run it again on the new model\?$/);
    assert.deepEqual(
      messagesSince(a, from).filter((m) => m.level === 'error'),
      [],
    );
  });

  test('after Classify Selection the inline label sits right after the selected text', async () => {
    await closeAll();
    const editor = await openEditor('review.md');
    const line = 2; // "The first hour is slow and the dialogue often feels forced."
    const end = editor.document.lineAt(line).text.indexOf(' and');
    assert.ok(end > 0);
    editor.selection = new vscode.Selection(line, 0, line, end);
    const r = await classifySelection();
    assert.ok(r);
    const notes = a.decorationNotes(editor.document.uri);
    assert.equal(notes.length, 1);
    assert.deepEqual([notes[0]!.line, notes[0]!.character], [line, end], 'not at the end of the line');
  });

  test("the status bar item's accessible name is plain words, without Markdown", async () => {
    await selectFirstLine();
    const r = await classifySelection();
    assert.ok(r);
    const name = a.statusAccessibleName();
    assert.ok(name.includes(r.inspection.aggregate.label), name);
    assert.doesNotMatch(name, /\*\*|&nbsp;|\$\(|\\n/);
  });

  test("the demo model says its card's accuracy, and the full-size switch says the hub's download size first", async () => {
    await selectFirstLine();
    assert.ok(await classifySelection());
    // Independent of the card's headline: its own confusion matrix.
    const card = fs.readFileSync(path.join(bundledModel, 'README.md'), 'utf8');
    const [tn, fp, fn, tp] = /\[\[(\d+), (\d+)\], \[(\d+), (\d+)\]\]/.exec(card)!.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const pct = Math.round((100 * (tn + tp)) / (tn + fp + fn + tp));
    assert.equal(a.modelNotes.current()?.text, `Demo model, ${pct}% on SST-2`);
    assert.equal(a.modelNotes.current()?.switchTo, FULL_SIZE);

    const hub = await new FakeHub().start();
    try {
      const files = fixtureFiles(multilabelModel);
      hub.repos.set(FULL_SIZE, { commit: `${Date.now().toString(16)}`.padEnd(40, 'a').slice(0, 40), files });
      await setUserSetting('hub.endpoint', hub.hubUrl);
      const from = a.messages().length;
      const out = await vscode.commands.executeCommand<{ totalBytes: number; savedIn: string; variant: string }>(
        'distilbertInspector.useFullSizeModel',
        true,
      );
      const expected = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].reduce(
        (s, f) => s + (files.get(f)?.length ?? 0),
        0,
      );
      assert.equal(out?.totalBytes, expected);
      assert.equal(out.variant, 'fp32', 'a hub repository without model_int8.onnx gets the fp32 graph on any CPU');
      assert.match(out.savedIn, /^Remote settings/);
      const asked = messagesSince(a, from).find((m) => m.text.startsWith(`Use the full-size model ${FULL_SIZE}`));
      assert.ok(
        asked && /It downloads \d+(\.\d+)? (kB|MB|B) \(config\.json, tokenizer\.json/.test(asked.text),
        asked?.text,
      );
      if (detectCpu().fastInt8)
        assert.match(asked.text, /The hub has no onnx\/model_int8\.onnx for it, so it uses the fp32 graph/);
      assert.equal(vscode.workspace.getConfiguration('distilbertInspector').get('model.path'), FULL_SIZE);
      assert.equal(
        vscode.workspace.getConfiguration('distilbertInspector').inspect('model.variant')?.globalValue,
        undefined,
        'no variant saved',
      );
      const m = await waitFor(
        'the hub model to load',
        () => a.models.currentModel()?.path.includes('models--Xenova--distilbert') && a.models.currentModel(),
        120_000,
      );
      assert.deepEqual(m.labels, labelsOf(multilabelModel), 'the switched-to model is the one the hub served');
      assert.equal(a.modelNotes.current(), undefined, 'no demo note under the full-size model');
    } finally {
      await hub.stop();
    }
  });

  test("the full-size switch takes the hub's int8 graph when the variant is left open and the CPU runs int8 well", async () => {
    const hub = await new FakeHub().start();
    try {
      const files = await withInt8Graph(fixtureFiles(multilabelModel));
      hub.repos.set(FULL_SIZE, { commit: `${Date.now().toString(16)}`.padEnd(40, 'b').slice(0, 40), files });
      await setUserSetting('hub.endpoint', hub.hubUrl);
      const sum = (onnx: string) =>
        ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnx].reduce((s, f) => s + files.get(f)!.length, 0);
      const fast = { fastInt8: true, reason: 'test CPU with VNNI' };
      const slow = { fastInt8: false, reason: 'test CPU without VNNI' };

      // Declined questions save nothing: what each CPU and setting would get.
      let from = a.messages().length;
      let out = await a.modelNotes.switchToFullSize(false, slow);
      assert.deepEqual([out?.variant, out?.totalBytes, out?.savedIn], ['fp32', sum('onnx/model.onnx'), undefined]);
      await setUserSetting('model.variant', 'fp32'); // explicitly fp32: kept on a fast CPU
      out = await a.modelNotes.switchToFullSize(false, fast);
      assert.equal(out?.variant, 'fp32');
      await setUserSetting('model.variant', 'auto');
      out = await a.modelNotes.switchToFullSize(false, fast);
      assert.equal(out?.variant, 'int8', 'auto alone would download only fp32');
      await setUserSetting('model.variant', undefined);
      // The command decides by this machine's CPU.
      out = await vscode.commands.executeCommand<typeof out>('distilbertInspector.useFullSizeModel', false);
      assert.equal(out?.variant, detectCpu().fastInt8 ? 'int8' : 'fp32', detectCpu().reason);
      assert.deepEqual(
        messagesSince(a, from).filter((m) => m.level === 'error'),
        [],
      );
      assert.equal(vscode.workspace.getConfiguration('distilbertInspector').get('model.path'), '');

      // Accepted on a fast CPU with the default variant: int8 size and reason stated, variant saved beside model.path.
      from = a.messages().length;
      out = await a.modelNotes.switchToFullSize(true, fast);
      assert.ok(out);
      assert.deepEqual([out.variant, out.totalBytes, out.fallback], ['int8', sum('onnx/model_int8.onnx'), undefined]);
      // Smaller, though not by 4x: the tiny fixture's float embeddings stay as they are.
      assert.ok(
        files.get('onnx/model_int8.onnx')!.length < files.get('onnx/model.onnx')!.length,
        'the int8 graph is the smaller download',
      );
      assert.match(out.savedIn ?? '', /^Remote settings/);
      assert.equal(out.variantSavedIn, out.savedIn);
      const asked = messagesSince(a, from).find((m) =>
        m.text.startsWith(`Use the full-size model ${FULL_SIZE} (int8)?`),
      );
      assert.ok(asked, JSON.stringify(messagesSince(a, from)));
      assert.ok(asked.text.includes('onnx/model_int8.onnx)'), asked.text);
      assert.match(
        asked.text,
        /It is the int8 graph \(the fp32 one is [\d.]+ (kB|MB|B)\), because this CPU runs int8 fast \(test CPU with VNNI\); distilbertInspector\.model\.variant will be set to int8 too\./,
      );
      const settings = vscode.workspace.getConfiguration('distilbertInspector');
      assert.equal(settings.inspect('model.variant')?.globalValue, 'int8');
      assert.equal(settings.inspect('model.path')?.globalValue, FULL_SIZE);
      const m = await waitFor(
        'the int8 hub model to load',
        () => {
          const cur = a.models.currentModel();
          return cur?.path.includes('models--Xenova--distilbert') && cur.variant === 'int8' && cur;
        },
        120_000,
      );
      assert.equal(path.basename(m.onnxFile), 'model_int8.onnx');
      await selectFirstLine();
      const r = await classifySelection();
      assert.ok(r);
      assert.equal(r.inspection.model.variant, 'int8', 'the int8 graph computed the result');
      assert.ok(r.inspection.model.path.includes('models--Xenova--distilbert'), r.inspection.model.path);

      // A hub without the int8 graph: fp32, with a note saying so.
      hub.repos.set(FULL_SIZE, {
        commit: `${Date.now().toString(16)}`.padEnd(40, 'c').slice(0, 40),
        files: fixtureFiles(multilabelModel),
      });
      await setUserSetting('model.variant', undefined);
      from = a.messages().length;
      out = await a.modelNotes.switchToFullSize(false, fast);
      assert.equal(out?.variant, 'fp32');
      assert.match(
        out?.fallback ?? '',
        /^The hub has no onnx\/model_int8\.onnx for it, so it uses the fp32 graph \(this CPU would run int8 well: test CPU with VNNI\)\.$/,
      );
      assert.ok(messagesSince(a, from).some((m) => m.text.includes(out!.fallback!)));
    } finally {
      await hub.stop();
    }
  });
});
