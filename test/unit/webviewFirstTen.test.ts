// The panel's side of the first-ten-minutes fixes, in plain Node: a cancelled run hands back the previous
// result with a neutral notice (host PanelModel and the shared reducer), progress reaches the run on show,
// the live region's sentence, and the demo-model note under results of that model only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';

const document = installDom();
import { renderApp, type ViewCallbacks } from '../../src/webview/view';
import { readPalette } from '../../src/webview/theme';
import { announcement } from '../../src/webview/announce';
import { PanelModel } from '../../src/extension/panel/panelModel';
import {
  isHostToWebview,
  isViewState,
  reduce,
  type ModelNote,
  type PanelSource,
  type PersistedState,
} from '../../src/shared/protocol';

const source: PanelSource = { uri: 'file:///w/a.md', fileName: 'a.md', baseOffset: 0, selection: true };

test('a cancelled run hands back the previous result with the notice; a newer run is never overwritten', () => {
  const ins = makeInspection();
  const m = PanelModel.empty();
  m.result(1, ins, source);
  m.running(2, 'long.txt');
  assert.ok(m.progress(2, 3, 9), 'progress applies to the run on show');
  assert.equal(m.progress(1, 3, 9), undefined, 'progress of another request is dropped');
  const msg = m.cancelled(2, 'Cancelled at window 4 of 9; showing the previous result.');
  assert.ok(msg && isHostToWebview(msg), 'a valid restore message');
  assert.equal(m.currentInspection(), ins, 'the previous result is current again');
  assert.equal(m.currentRequestId(), 1, 'with its own request id, so its buttons still work');
  assert.ok(isViewState(m.snapshot.view));
  assert.equal(
    m.snapshot.view.kind === 'result' ? m.snapshot.view.notice : undefined,
    'Cancelled at window 4 of 9; showing the previous result.',
  );
  // A newer run started before the cancel arrived: the cancel of the older one changes nothing.
  m.running(3, 'b.md');
  assert.equal(m.cancelled(2, 'late'), undefined);
  assert.equal(m.snapshot.view.kind, 'running');
});

test('a cancel with nothing shown before leaves the empty panel with the notice, not an error', () => {
  const m = PanelModel.empty();
  m.running(1, 'long.txt');
  m.cancelled(1, 'Cancelled before its first window finished.');
  assert.deepEqual(m.snapshot.view, { kind: 'empty', note: 'Cancelled before its first window finished.' });
});

test('a reloaded model clears an error, and only an error', () => {
  const m = PanelModel.empty();
  m.error(1, 'Could not load the DistilBERT model.');
  assert.ok(m.modelReady('Model ready: x.'));
  assert.deepEqual(m.snapshot.view, { kind: 'empty', note: 'Model ready: x.' });
  m.result(2, makeInspection(), source);
  assert.equal(m.modelReady('Model ready: y.'), undefined, 'a result stays');
});

test('the live region speaks progress and the verdict', () => {
  const ins = makeInspection();
  let st: PersistedState = { version: 1, panel: { newest: 0, view: { kind: 'empty' } }, selectedWindow: 0 };
  st = { ...st, panel: reduce(st.panel, { type: 'running', requestId: 1, what: 'long.txt' })! };
  st = { ...st, panel: reduce(st.panel, { type: 'progress', requestId: 1, done: 2, total: 5 })! };
  assert.equal(announcement(st), 'Classifying long.txt: window 2 of 5 done.');
  st = { ...st, panel: reduce(st.panel, { type: 'result', requestId: 1, inspection: ins, source })! };
  const label = ins.aggregate.label;
  assert.equal(announcement(st), `Result: ${label} ${((ins.aggregate.probabilities[label] ?? 0) * 100).toFixed(1)}%.`);
});

test('the model note shows under results of its model only, with the card link and the switch', () => {
  const ins = makeInspection();
  const clicks: string[] = [];
  const cb: ViewCallbacks = {
    selectWindow: () => {},
    reveal: () => {},
    exportJson: () => {},
    compareVariants: () => {},
    openModelCard: () => clicks.push('card'),
    switchModel: () => clicks.push('switch'),
  };
  const st: PersistedState = {
    version: 1,
    panel: {
      newest: 1,
      view: {
        kind: 'result',
        requestId: 1,
        inspection: ins,
        source,
        notice: 'Cancelled at window 2 of 3; showing the previous result.',
      },
    },
    selectedWindow: 0,
  };
  const note: ModelNote = {
    modelPath: ins.model.path,
    text: 'Demo model, 82% on SST-2',
    switchTo: 'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
  };
  const root = renderApp(st, readPalette(), cb, note);
  document.getElementById('app')!.replaceChildren(root);
  assert.match(root.querySelector('[data-testid=model-note]')?.textContent ?? '', /^Demo model, 82% on SST-2/);
  assert.equal(
    root.querySelector('[data-testid=notice]')?.textContent,
    'Cancelled at window 2 of 3; showing the previous result.',
  );
  (root.querySelector('[data-testid=model-card]') as HTMLElement).click();
  (root.querySelector('[data-testid=switch-model]') as HTMLElement).click();
  assert.deepEqual(clicks, ['card', 'switch']);
  const other = renderApp(st, readPalette(), cb, { ...note, modelPath: '/elsewhere' });
  assert.equal(other.querySelector('[data-testid=model-note]'), null, "no note under another model's result");
});
