// The host/webview protocol: run-time guards, the stale-result rule (shared by both ends), the host's panel
// model (restore after reload, reveal mapping, export source) and the HTML shell's CSP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PanelModel } from '../../src/extension/panel/panelModel';
import { contentSecurityPolicy, makeNonce, renderShell } from '../../src/extension/panel/html';
import {
  emptyPanelState,
  isHostToWebview,
  isInspection,
  isPersistedState,
  isWebviewToHost,
  reduce,
  type HostToWebview,
  type PanelSource,
} from '../../src/shared/protocol';
import { makeInspection } from './webviewHarness/inspection';

const source: PanelSource = { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 100, selection: true };

test('webview -> host guard accepts the protocol and rejects everything else', () => {
  for (const ok of [
    { type: 'ready' },
    { type: 'exportJson' },
    { type: 'reveal', windowIndex: 0 },
    { type: 'reveal', start: 3, end: 9 },
    { type: 'reveal', start: 4, end: 4 },
  ]) {
    assert.ok(isWebviewToHost(ok), JSON.stringify(ok));
  }
  const bad: unknown[] = [
    null,
    undefined,
    'ready',
    42,
    [],
    [{ type: 'ready' }],
    {},
    { type: 'READY' },
    { type: 'ready', extra: 1 },
    { type: 'reveal' },
    { type: 'reveal', windowIndex: -1 },
    { type: 'reveal', windowIndex: 1.5 },
    { type: 'reveal', windowIndex: '1' },
    { type: 'reveal', windowIndex: 0, start: 0, end: 1 },
    { type: 'reveal', start: 5, end: 2 },
    { type: 'reveal', start: 0 },
    { type: 'reveal', start: Number.NaN, end: 3 },
    { type: 'reveal', start: 0, end: Infinity },
    { type: 'exportJson', path: '/etc/passwd' },
    { type: 'result' },
    { type: '__proto__' },
    { type: 'constructor' },
  ];
  for (const b of bad) assert.equal(isWebviewToHost(b), false, JSON.stringify(b));
});

test('host -> webview guard checks the inspection structure', () => {
  const ins = makeInspection();
  assert.ok(isInspection(ins));
  assert.ok(isInspection(JSON.parse(JSON.stringify(ins))), 'survives JSON (dropout undefined is dropped)');
  assert.ok(isHostToWebview({ type: 'result', requestId: 1, inspection: ins, source }));
  assert.ok(isHostToWebview({ type: 'running', requestId: 1, what: 'x' }));
  assert.ok(isHostToWebview({ type: 'error', requestId: 1, message: 'x' }));
  assert.ok(isHostToWebview({ type: 'restore', state: emptyPanelState }));
  const broken = (f: (i: any) => void): unknown => {
    const c = JSON.parse(JSON.stringify(ins));
    f(c);
    return { type: 'result', requestId: 1, inspection: c, source };
  };
  const bad: unknown[] = [
    { type: 'result', requestId: 1, inspection: ins },
    { type: 'result', requestId: '1', inspection: ins, source },
    { type: 'result', requestId: 1, inspection: ins, source: { ...source, baseOffset: -1 } },
    broken((c) => (c.windows = [])),
    broken((c) => c.windows[0].stages.activation.pop()),
    broken((c) => (c.windows[0].stages.cls[0] = 'x')),
    broken((c) => (c.windows[0].logits = [1])),
    broken((c) => (c.windows[0].tokens[0].text = 5)),
    broken((c) => delete c.aggregate),
    broken((c) => (c.model.labels = 'POSITIVE')),
    broken((c) => (c.windows[0].contributions.POSITIVE.units = null)),
    { type: 'running', requestId: 1 },
    { type: 'error', requestId: null, message: 'x' },
    { type: 'restore', state: { newest: 0, view: { kind: 'weird' } } },
    { type: 'restore', state: { newest: 0, view: { kind: 'running', requestId: 1 } } },
    { type: 'nope' },
  ];
  bad.forEach((b, i) => assert.equal(isHostToWebview(b), false, `case ${i}`));
});

test('stale results are ignored: nothing older than the newest running id is accepted', () => {
  const ins = makeInspection();
  let st = emptyPanelState;
  const step = (m: HostToWebview) => {
    const next = reduce(st, m);
    if (next) st = next;
    return next !== undefined;
  };
  assert.ok(step({ type: 'running', requestId: 1, what: 'one' }));
  assert.ok(step({ type: 'running', requestId: 2, what: 'two' }));
  assert.equal(
    step({ type: 'result', requestId: 1, inspection: ins, source }),
    false,
    'result of request 1 after request 2 started',
  );
  assert.equal(st.view.kind, 'running');
  assert.equal(step({ type: 'error', requestId: 1, message: 'cancelled' }), false);
  assert.equal(step({ type: 'running', requestId: 1, what: 'late' }), false);
  assert.ok(step({ type: 'result', requestId: 2, inspection: ins, source }));
  assert.equal(st.view.kind, 'result');
  assert.ok(
    step({ type: 'error', requestId: 3, message: 'broken model' }),
    'a newer error without running is accepted',
  );
  assert.equal(st.newest, 3);
  assert.ok(step({ type: 'restore', state: emptyPanelState }));
  assert.deepEqual(st, emptyPanelState);
});

test('panel model: no current inspection while running; reveal maps to document offsets', () => {
  const ins = makeInspection({ windowTokens: 6 });
  const m = PanelModel.empty();
  assert.ok(m.running(5, 'selection'));
  assert.equal(m.currentInspection(), undefined);
  assert.equal(m.result(4, ins, source), undefined, 'stale result is not posted');
  assert.equal(m.currentInspection(), undefined);
  assert.ok(m.result(5, ins, source));
  assert.equal(m.currentInspection(), ins);
  const w = ins.windows[1]!;
  assert.deepEqual(m.windowRange({ windowIndex: 1 }), { uri: source.uri, start: 100 + w.start, end: 100 + w.end });
  assert.deepEqual(m.windowRange({ start: 2, end: 7 }), { uri: source.uri, start: 102, end: 107 });
  assert.equal(m.windowRange({ windowIndex: ins.windows.length }), undefined);
  assert.equal(m.windowRange({ start: 0, end: ins.coverage.textLength + 1 }), undefined);
  assert.ok(m.running(6, 'file'));
  assert.equal(m.windowRange({ windowIndex: 0 }), undefined, 'no reveal against a result that is no longer shown');
});

test('panel model restores from persisted webview state; a run interrupted by the reload is not left spinning', () => {
  const ins = makeInspection();
  const persisted = {
    version: 1,
    panel: { newest: 9, view: { kind: 'result', requestId: 9, inspection: ins, source } },
    selectedWindow: 0,
  };
  assert.ok(isPersistedState(persisted));
  const m = PanelModel.fromPersisted(JSON.parse(JSON.stringify(persisted)));
  assert.equal(m.currentInspection()?.aggregate.label, ins.aggregate.label);
  assert.ok(m.running(1, 'after reload'), 'request ids restart with the new extension host');
  const r = PanelModel.fromPersisted({
    version: 1,
    panel: { newest: 3, view: { kind: 'running', requestId: 3, what: 'file a.txt' } },
    selectedWindow: 0,
  });
  assert.equal(r.snapshot.view.kind, 'empty');
  assert.match((r.snapshot.view as { note?: string }).note ?? '', /reloaded while this ran: file a\.txt/);
  for (const junk of [
    undefined,
    null,
    {},
    { version: 2 },
    { version: 1, panel: { newest: 0, view: { kind: 'result' } }, selectedWindow: 0 },
  ]) {
    assert.deepEqual(PanelModel.fromPersisted(junk).snapshot, emptyPanelState);
  }
});

test('the HTML shell: strict CSP, nonce-only scripts, no inline style or data', () => {
  const nonce = makeNonce();
  assert.notEqual(nonce, makeNonce());
  assert.match(nonce, /^[A-Za-z0-9+/]{24}$/);
  const csp = contentSecurityPolicy('https://x.vscode-cdn.net', nonce);
  assert.match(csp, /^default-src 'none'; /);
  assert.ok(csp.includes(`script-src 'nonce-${nonce}'`));
  for (const d of ['style-src', 'img-src', 'font-src']) assert.ok(csp.includes(`${d} https://x.vscode-cdn.net`), d);
  assert.ok(!/unsafe-(inline|eval)/.test(csp));
  const html = renderShell({
    cspSource: 'https://x.vscode-cdn.net',
    nonce,
    scriptUri: 'https://x/dist/webview.js?a=1&b="2"',
    styleUri: 'https://x/media/inspector.css',
  });
  assert.equal((html.match(/<script /g) ?? []).length, 1);
  assert.ok(
    html.includes(`<script nonce="${nonce}" src="https://x/dist/webview.js?a=1&amp;b=&quot;2&quot;"></script>`),
  );
  assert.ok(!/style=|<style/.test(html));
});
