// The JSON contract keeps `stages.relu` for the head activation's output, while the code calls it
// stages.activation; panel state saved by an earlier version (with `relu`) still restores.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PanelModel } from '../../src/extension/panel/panelModel';
import { inspectionToJson, upgradeSavedStages } from '../../src/core/present/inspectionJson';
import { isPersistedState, type PanelSource } from '../../src/shared/protocol';
import { makeInspection } from './webviewHarness/inspection';

const source: PanelSource = { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 0, selection: false };

test('JSON writes the activation under its contract name, relu, in the documented order, and nothing twice', () => {
  const ins = makeInspection({ head: 'bert' });
  const j = JSON.parse(JSON.stringify(inspectionToJson(ins)));
  const w = ins.windows[0]!;
  assert.deepEqual(Object.keys(j.windows[0].stages).slice(0, 4), ['cls', 'preClassifier', 'relu', 'layers']);
  assert.deepEqual(j.windows[0].stages.relu, w.stages.activation);
  assert.equal(j.windows[0].stages.activation, undefined);
  assert.equal(j.model.head.activation, 'tanh', 'model.head.activation names the function relu holds');
  // The inspection itself is not changed by writing it.
  assert.ok(Array.isArray(w.stages.activation));
  assert.equal((w.stages as unknown as Record<string, unknown>)['relu'], undefined);
});

test('panel state saved with stages.relu (an earlier version) restores with the same numbers', () => {
  const ins = makeInspection();
  const old = JSON.parse(
    JSON.stringify({
      version: 1,
      panel: { newest: 4, view: { kind: 'result', requestId: 4, inspection: ins, source } },
      selectedWindow: 0,
    }),
  );
  for (const w of old.panel.view.inspection.windows) {
    w.stages.relu = w.stages.activation;
    delete w.stages.activation;
  }
  assert.ok(!isPersistedState(old), 'the guard alone would drop it');
  const m = PanelModel.fromPersisted(old);
  assert.deepEqual(m.currentInspection()?.windows[0]!.stages.activation, ins.windows[0]!.stages.activation);
  // Current state and junk pass through untouched.
  const now = {
    version: 1,
    panel: { newest: 1, view: { kind: 'result', requestId: 1, inspection: ins, source } },
    selectedWindow: 0,
  };
  assert.equal(upgradeSavedStages(now), now);
  assert.deepEqual(now.panel.view.inspection.windows[0]!.stages.activation, ins.windows[0]!.stages.activation);
  for (const junk of [
    undefined,
    null,
    3,
    {},
    { panel: { view: { inspection: { windows: [null, 1, { stages: 2 }] } } } },
  ]) {
    assert.deepEqual(upgradeSavedStages(junk), junk);
  }
});
