// Live inspection in the panel: the protocol's new messages and their guards (and that reduce's stale-result
// rule is untouched by them), and the live bar's rendering: switch state, phase, latency, notes as text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';

installDom();
import { liveBar, liveOff } from '../../src/webview/live';
import {
  isHostToWebview,
  isLiveStatus,
  isWebviewToHost,
  reduce,
  type LiveStatus,
  type PanelState,
} from '../../src/shared/protocol';

const source = { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 0, selection: true };

test('webview -> host: setLive carries exactly a boolean', () => {
  assert.ok(isWebviewToHost({ type: 'setLive', on: true }));
  assert.ok(isWebviewToHost({ type: 'setLive', on: false }));
  for (const bad of [
    { type: 'setLive' },
    { type: 'setLive', on: 'true' },
    { type: 'setLive', on: 1 },
    { type: 'setLive', on: true, extra: 1 },
  ]) {
    assert.equal(isWebviewToHost(bad), false, JSON.stringify(bad));
  }
});

test('host -> webview: live status guard', () => {
  const ok: LiveStatus[] = [
    liveOff,
    { on: true, phase: 'running', runs: 0 },
    { on: true, phase: 'idle', runs: 3, lastLatencyMs: 12.5, what: 'line 3 of a.md' },
    { on: true, phase: 'waiting', runs: 1, note: 'Line 2 is blank.' },
  ];
  for (const live of ok) assert.ok(isHostToWebview({ type: 'live', live }), JSON.stringify(live));
  const bad: unknown[] = [
    { on: 'yes', phase: 'idle', runs: 0 },
    { on: true, phase: 'busy', runs: 0 },
    { on: true, phase: 'idle', runs: -1 },
    { on: true, phase: 'idle', runs: 1.5 },
    { on: true, phase: 'idle', runs: 1, lastLatencyMs: -3 },
    { on: true, phase: 'idle', runs: 1, lastLatencyMs: Number.NaN },
    { on: true, phase: 'idle', runs: 1, note: 3 },
    null,
  ];
  for (const live of bad) {
    assert.equal(isLiveStatus(live), false, JSON.stringify(live));
    assert.equal(isHostToWebview({ type: 'live', live }), false);
  }
});

test('a live message leaves the panel state and the stale-result rule alone', () => {
  const ins = makeInspection();
  const state: PanelState = { newest: 5, view: { kind: 'result', requestId: 5, inspection: ins, source } };
  assert.equal(reduce(state, { type: 'live', live: { on: true, phase: 'running', runs: 2 } }), state);
  // Live results are ordinary results: an older live run's result is still dropped as stale.
  assert.equal(reduce(state, { type: 'result', requestId: 4, inspection: ins, source }), undefined);
  assert.equal(reduce(state, { type: 'result', requestId: 6, inspection: ins, source })?.newest, 6);
});

test('the live bar: an off switch with the explanation; on, with phase, latency and run count; notes are text', () => {
  let asked: boolean | undefined;
  const off = liveBar(liveOff, (on) => (asked = on));
  const toggle = off.querySelector('[data-testid=live-toggle]') as HTMLButtonElement;
  assert.equal(toggle.getAttribute('aria-pressed'), 'false');
  assert.equal(off.querySelector('[data-testid=live-latency]'), null);
  assert.match(off.querySelector('[data-testid=live-phase]')!.textContent!, /switch on/);
  toggle.dispatchEvent(new (globalThis as unknown as { window: { Event: typeof Event } }).window.Event('click'));
  assert.equal(asked, true);

  const on = liveBar(
    { on: true, phase: 'idle', runs: 3, lastLatencyMs: 41.6, what: 'the paragraph at lines 3–6 of a.md' },
    (v) => (asked = v),
  );
  const t = on.querySelector('[data-testid=live-toggle]')!;
  assert.equal(t.getAttribute('aria-pressed'), 'true');
  assert.equal(on.querySelector('[data-testid=live-latency]')!.textContent, 'last run 42 ms · 3 runs');
  assert.match(on.querySelector('[data-testid=live-latency]')!.getAttribute('title')!, /41\.6 ms/);
  assert.equal(
    on.querySelector('[data-testid=live-phase]')!.textContent,
    'Showing the paragraph at lines 3–6 of a.md.',
  );
  t.dispatchEvent(new (globalThis as unknown as { window: { Event: typeof Event } }).window.Event('click'));
  assert.equal(asked, false);

  assert.equal(
    liveBar({ on: true, phase: 'running', runs: 0 }, () => undefined).querySelector('[data-testid=live-phase]')!
      .textContent,
    'Classifying…',
  );
  assert.equal(
    liveBar({ on: true, phase: 'waiting', runs: 1, lastLatencyMs: 5 }, () => undefined).querySelector(
      '[data-testid=live-phase]',
    )!.textContent,
    'Waiting for a pause in typing…',
  );
  const evil = '<img src=x onerror=alert(1)>';
  const noted = liveBar({ on: true, phase: 'idle', runs: 0, note: evil }, () => undefined);
  assert.equal(noted.querySelector('img'), null, 'a note is text, never markup');
  assert.equal(noted.querySelector('[data-testid=live-phase]')!.textContent, evil);
});
