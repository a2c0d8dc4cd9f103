// Extension state that needs no VS Code: atomic export writes (atomicWrite.ts) and the owner of the result on show
// (session.ts). Both files import `vscode` for types only, so they run in plain Node.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { writeLocalFileAtomic } from '../../src/extension/atomicWrite';
import { Session, type ShownResult } from '../../src/extension/session';
import type { InspectorPanel, PanelRequest } from '../../src/extension/panel/inspectorPanel';
import type { Inspection } from '../../src/core/types';
import { tempDir } from './helpers';

describe('writeLocalFileAtomic', () => {
  it('creates a new file whole and leaves no temporary file', async () => {
    const dir = tempDir('dbi-atomic-');
    const file = path.join(dir, 'report.md');
    await writeLocalFileAtomic(file, Buffer.from('# report\n'));
    assert.equal(fs.readFileSync(file, 'utf8'), '# report\n');
    assert.deepEqual(fs.readdirSync(dir), ['report.md']);
  });

  it('replaces an existing file by a rename: a reader of the old file still reads it whole, permissions stay', async () => {
    const dir = tempDir('dbi-atomic-');
    const file = path.join(dir, 'result.json');
    const old = 'x'.repeat(100_000);
    fs.writeFileSync(file, old, { mode: 0o600 });
    fs.chmodSync(file, 0o640);
    const reader = fs.openSync(file, 'r'); // e.g. a viewer that has the earlier export open
    try {
      const ino = fs.statSync(file).ino;
      await writeLocalFileAtomic(file, Buffer.from('{"new":true}\n'));
      assert.equal(fs.readFileSync(file, 'utf8'), '{"new":true}\n');
      assert.notEqual(fs.statSync(file).ino, ino, 'a new file took the name');
      assert.equal(fs.statSync(file).mode & 0o777, 0o640);
      const buf = Buffer.alloc(old.length + 10);
      assert.equal(
        fs.readSync(reader, buf, 0, buf.length, 0),
        old.length,
        'the old file was not truncated under its reader',
      );
    } finally {
      fs.closeSync(reader);
    }
    assert.deepEqual(fs.readdirSync(dir), ['result.json']);
  });

  it('on failure leaves the target as it was, removes the temporary file and names the target', async () => {
    const dir = tempDir('dbi-atomic-');
    const target = path.join(dir, 'chart.svg');
    fs.mkdirSync(target); // a folder where the file should go: the rename fails after the bytes were written
    fs.writeFileSync(path.join(target, 'keep.txt'), 'keep');
    await assert.rejects(
      writeLocalFileAtomic(target, Buffer.from('<svg/>')),
      (err: Error) => err.message.includes(target) && !err.message.includes('.tmp'),
    );
    assert.deepEqual(fs.readdirSync(dir), ['chart.svg']);
    assert.equal(fs.readFileSync(path.join(target, 'keep.txt'), 'utf8'), 'keep');
    const missing = path.join(dir, 'no-such-folder', 'out.json');
    await assert.rejects(
      writeLocalFileAtomic(missing, Buffer.from('{}')),
      (err: Error) => (err as NodeJS.ErrnoException).code === 'ENOENT' && err.message.includes(missing),
    );
  });
});

describe('Session (the result on show, the panel, the routing of its requests)', () => {
  const result = (requestId: number, origin: ShownResult['origin']): ShownResult => ({
    requestId,
    origin,
    text: `text ${requestId}`,
    what: `the selection in a.txt (request ${requestId})`,
    inspection: { aggregate: { label: 'POSITIVE' } } as unknown as Inspection,
    source: { uri: 'file:///a.txt', fileName: 'a.txt', baseOffset: 0, selection: true },
  });

  /** A stand-in for InspectorPanel: records what it is shown and lets a test click its buttons. */
  function fakePanel() {
    const requestListeners: ((r: PanelRequest) => void)[] = [];
    const disposeListeners: (() => void)[] = [];
    const panel = {
      shown: [] as number[],
      disposed: false,
      onDidRequest: (l: (r: PanelRequest) => void) => (
        requestListeners.push(l),
        { dispose: () => requestListeners.splice(requestListeners.indexOf(l), 1) }
      ),
      onDidDispose: (l: () => void) => (
        disposeListeners.push(l),
        { dispose: () => disposeListeners.splice(disposeListeners.indexOf(l), 1) }
      ),
      showResult: (requestId: number) => void panel.shown.push(requestId),
      currentInspection: () => undefined,
      reveal: () => undefined,
      dispose: () => {
        panel.disposed = true;
        for (const l of Array.from(disposeListeners)) l(); // a snapshot: a listener may unsubscribe itself
      },
      click: (r: PanelRequest) => requestListeners.forEach((l) => l(r)),
      listeners: () => requestListeners.length + disposeListeners.length,
    };
    return panel;
  }
  const session = () => {
    const panels: ReturnType<typeof fakePanel>[] = [];
    const s = new Session({
      createPanel: () => (panels.push(fakePanel()), panels.at(-1) as unknown as InspectorPanel),
      canCompare: () => false,
    });
    return { s, panels };
  };

  it('a live result replaces a command result as the current one, and the open panel shows each', () => {
    const { s, panels } = session();
    assert.equal(s.result(), undefined);
    s.openPanel();
    assert.equal(s.show(result(1, 'command')), true);
    assert.equal(s.show(result(2, 'live')), true);
    assert.equal(s.result()?.requestId, 2);
    assert.equal(s.result()?.text, 'text 2');
    assert.deepEqual(panels[0]!.shown, [1, 2]);
    assert.equal(s.resultOf(2)?.origin, 'live');
    assert.equal(s.resultOf(1), undefined, 'a panel button under an older result acts on nothing');
  });

  it('a result that arrives after a newer one is not shown', () => {
    const { s, panels } = session();
    s.openPanel();
    s.show(result(5, 'live'));
    assert.equal(s.show(result(4, 'command')), false);
    assert.equal(s.result()?.requestId, 5);
    assert.deepEqual(panels[0]!.shown, [5]);
  });

  it('routes a panel button to its handler with the result on show, and drops one under an older result', () => {
    const { s, panels } = session();
    const occluded: [number, string, number][] = [];
    const live: boolean[] = [];
    s.handle('occlude', (r, shown) => occluded.push([r.requestId, r.unit, shown.requestId]));
    s.handle('setLive', (r) => live.push(r.on));
    const panel = s.openPanel();
    assert.equal(s.openPanel(), panel, 'one panel: opening again brings the same one forward');
    s.show(result(3, 'command'));
    panels[0]!.click({ type: 'occlude', requestId: 3, unit: 'piece' });
    panels[0]!.click({ type: 'occlude', requestId: 2, unit: 'word' });
    panels[0]!.click({ type: 'tokenLens', requestId: 3 }); // no handler: nothing happens
    panels[0]!.click({ type: 'setLive', on: true });
    assert.deepEqual(occluded, [[3, 'piece', 3]]);
    assert.deepEqual(live, [true]);
    assert.throws(() => s.handle('occlude', () => undefined), /already have a handler/);
  });

  it('a closed panel is forgotten (listeners told, subscriptions dropped); a restored one replaces an open one', () => {
    const { s, panels } = session();
    let closed = 0;
    const opened: unknown[] = [];
    s.onDidClosePanel(() => closed++);
    s.onDidOpenPanel((p) => opened.push(p));
    const first = s.openPanel();
    panels[0]!.dispose();
    assert.equal(s.panel(), undefined);
    assert.equal(closed, 1);
    assert.equal(panels[0]!.listeners(), 0);
    const second = s.openPanel();
    assert.notEqual(second, first);
    const restored = fakePanel();
    s.adopt(restored as unknown as InspectorPanel);
    assert.equal(panels[1]!.disposed, true, 'the panel open before the restore is closed');
    assert.equal(s.panel(), restored as unknown as InspectorPanel);
    assert.equal(closed, 2);
    assert.equal(opened.length, 3);
  });
});
