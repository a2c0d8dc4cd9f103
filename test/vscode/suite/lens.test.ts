// The head lens in VS Code: a classification carries the lens (embeddings + every block, the last entry being
// the result's own logits), and "Show Token Lens of Result" (the panel's button runs the same) re-runs the text
// with the head at every word piece, replacing the result in place under the same request id.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Inspection } from '../../../src/core/types';
import { api, classifySelection, selectFirstLine, setUserSetting, type TestingApi } from './helpers';

suite('head lens', () => {
  let a: TestingApi;

  suiteSetup(async () => {
    a = await api();
    await setUserSetting('model.path', undefined);
  });

  setup(() => selectFirstLine());

  test('a classification carries the lens; the token lens comes on request, in place', async () => {
    const r = await classifySelection();
    assert.ok(r);
    const w = r.inspection.windows[0]!;
    assert.equal(w.lens?.length, r.inspection.model.nLayers + 1);
    w.lens!.at(-1)!.logits.forEach((x, i) => assert.ok(Math.abs(x - w.logits[i]!) < 1e-4, `last lens logit ${i}`));
    assert.equal(w.tokenLens, undefined, 'no token lens unless asked');
    const shown = await vscode.commands.executeCommand<Inspection | undefined>('distilbertInspector.showTokenLens');
    assert.ok(shown, JSON.stringify(a.messages().slice(-3)));
    const tl = shown.windows[0]!.tokenLens;
    assert.equal(tl?.length, w.tokens.length);
    assert.equal(a.lastResult()?.requestId, r.requestId, 'the same result, not a new one');
    assert.equal(a.panelInspection()?.windows[0]?.tokenLens?.length, w.tokens.length, 'the panel shows it');
    shown.windows[0]!.logits.forEach((x, i) => assert.equal(x, w.logits[i], 'the same numbers'));
  });
});
