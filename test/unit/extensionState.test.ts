// Extension state that needs no VS Code: atomic export writes (atomicWrite.ts) and the owner of the result on show
// (session.ts). Both files import `vscode` for types only, so they run in plain Node.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { writeLocalFileAtomic } from '../../src/extension/atomicWrite';
import { Session, type ShownResult } from '../../src/extension/session';
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
      assert.equal(fs.readSync(reader, buf, 0, buf.length, 0), old.length, 'the old file was not truncated under its reader');
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
    await assert.rejects(writeLocalFileAtomic(target, Buffer.from('<svg/>')), (err: Error) => err.message.includes(target) && !err.message.includes('.tmp'));
    assert.deepEqual(fs.readdirSync(dir), ['chart.svg']);
    assert.equal(fs.readFileSync(path.join(target, 'keep.txt'), 'utf8'), 'keep');
    const missing = path.join(dir, 'no-such-folder', 'out.json');
    await assert.rejects(writeLocalFileAtomic(missing, Buffer.from('{}')), (err: Error) => (err as NodeJS.ErrnoException).code === 'ENOENT' && err.message.includes(missing));
  });
});

describe('Session (the result on show)', () => {
  const result = (requestId: number, origin: ShownResult['origin']): ShownResult => ({
    requestId,
    origin,
    text: `text ${requestId}`,
    what: `the selection in a.txt (request ${requestId})`,
    inspection: { aggregate: { label: 'POSITIVE' } } as unknown as Inspection,
    source: { uri: 'file:///a.txt', fileName: 'a.txt', baseOffset: 0, selection: true },
  });

  it('a live result replaces a command result as the current one, and is presented', () => {
    const presented: number[] = [];
    const s = new Session((r) => presented.push(r.requestId));
    assert.equal(s.current(), undefined);
    assert.equal(s.show(result(1, 'command')), true);
    assert.equal(s.show(result(2, 'live')), true);
    assert.equal(s.current()?.requestId, 2);
    assert.equal(s.current()?.text, 'text 2');
    assert.deepEqual(presented, [1, 2]);
    assert.equal(s.resultOf(2)?.origin, 'live');
    assert.equal(s.resultOf(1), undefined, 'a panel button under an older result acts on nothing');
  });

  it('a result that arrives after a newer one is not shown', () => {
    const presented: number[] = [];
    const s = new Session((r) => presented.push(r.requestId));
    s.show(result(5, 'live'));
    assert.equal(s.show(result(4, 'command')), false);
    assert.equal(s.current()?.requestId, 5);
    assert.deepEqual(presented, [5]);
  });
});
