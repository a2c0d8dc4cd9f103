// Pure parts of the hub module: what --model means, the progress line, display names of snapshot folders.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  describeProgress,
  formatBytes,
  HubError,
  parseModelRef,
  renderLine,
  snapshotDisplayName,
  TerminalProgress,
  type HubProgress,
} from '../../src/core/hub';
import { tempDir } from './helpers';

describe('parseModelRef', () => {
  const cwd = tempDir('dbi-hub-ref-');
  fs.mkdirSync(path.join(cwd, 'owner', 'local-model'), { recursive: true });
  fs.mkdirSync(path.join(cwd, 'plain'));
  const opts = { cwd, home: '/home/u' };

  it('reads folders: absolute, relative, ~, and anything that exists (even if it looks like an id)', () => {
    const cases: Array<[string, string]> = [
      ['/models/x', '/models/x'],
      ['./m', path.join(cwd, 'm')],
      ['../m', path.resolve(cwd, '..', 'm')],
      ['~/models/x', '/home/u/models/x'],
      ['~', '/home/u'],
      ['owner/local-model', path.join(cwd, 'owner', 'local-model')],
      ['plain', path.join(cwd, 'plain')],
      ['missing-folder', path.join(cwd, 'missing-folder')], // one word: a folder (the folder check names it)
      ['a/b/c', path.join(cwd, 'a', 'b', 'c')],
      ['C:\\models\\x', path.resolve(cwd, 'C:\\models\\x')],
    ];
    for (const [input, dir] of cases) assert.deepEqual(parseModelRef(input, opts), { kind: 'local', dir }, input);
  });

  it('with existingFolderWins: false, an existing folder named like a hub id is still the hub id (untrusted workspaces)', () => {
    const strict = { ...opts, existingFolderWins: false };
    const r = parseModelRef('owner/local-model', strict);
    assert.equal(r.kind, 'hub');
    assert.equal(r.kind === 'hub' && r.repo, 'owner/local-model');
    // Explicit paths stay paths; a bare word is a (relative) folder either way.
    assert.deepEqual(parseModelRef('./owner/local-model', strict), {
      kind: 'local',
      dir: path.join(cwd, 'owner', 'local-model'),
    });
    assert.deepEqual(parseModelRef('plain', strict), { kind: 'local', dir: path.join(cwd, 'plain') });
  });

  it('reads hub ids with an optional revision', () => {
    const cases: Array<[string, string, string, boolean]> = [
      [
        'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
        'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
        'main',
        false,
      ],
      ['owner/name@v1.0', 'owner/name', 'v1.0', true],
      ['owner/name@refs/pr/3', 'owner/name', 'refs/pr/3', true],
      [
        'o_1/n.a-me@0123456789abcdef0123456789abcdef01234567',
        'o_1/n.a-me',
        '0123456789abcdef0123456789abcdef01234567',
        true,
      ],
      ['  owner/name  ', 'owner/name', 'main', false],
    ];
    for (const [input, repo, revision, explicitRevision] of cases) {
      const r = parseModelRef(input, opts);
      assert.equal(r.kind, 'hub', input);
      if (r.kind === 'hub')
        assert.deepEqual([r.repo, r.revision, r.explicitRevision], [repo, revision, explicitRevision], input);
    }
  });

  it('refuses malformed ids with a message that names the rule', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['owner/na me', /may only contain letters, digits/],
      ['owner/bad--name', /may not contain "--" or "\.\."/],
      ['owner/-name', /may not start or end/],
      ['owner/name.', /may not start or end/],
      ['/name', /./], // absolute path: not an error here, see below
      ['nobody/', /the name "" is empty/],
      ['owner/name@', /invalid revision "": it is empty/],
      ['owner/name@a b', /contains a space/],
      ['owner/name@../x', /not a valid git branch/],
      ['a/b/c@main', /exactly one "\/"/],
      [`owner/${'x'.repeat(97)}`, /longer than 96/],
    ];
    for (const [input, message] of cases) {
      if (input === '/name') {
        assert.equal(parseModelRef(input, opts).kind, 'local');
        continue;
      }
      assert.throws(
        () => parseModelRef(input, opts),
        (e: unknown) =>
          e instanceof HubError &&
          e.code === 'HUB_BAD_ID' &&
          message.test(e.message) &&
          /owner\/name@revision/.test(e.hint),
        input,
      );
    }
  });
});

describe('progress rendering', () => {
  const p = (overallReceived: number, overallTotal: number | undefined, file = 'onnx/model.onnx'): HubProgress => ({
    file,
    received: overallReceived,
    total: overallTotal,
    overallReceived,
    overallTotal,
    cached: false,
  });

  it('formats bytes', () => {
    assert.deepEqual([0, 1023, 1024, 1536, 10 * 1024 ** 2, 268 * 1024 ** 2, 3 * 1024 ** 3].map(formatBytes), [
      '0 B',
      '1023 B',
      '1.0 kB',
      '1.5 kB',
      '10.0 MB',
      '268 MB',
      '3.0 GB',
    ]);
  });

  it('draws a bar with percent, amounts and rate within the terminal width', () => {
    const line = renderLine(p(50 * 1024 ** 2, 100 * 1024 ** 2), 2.5 * 1024 ** 2, 80);
    assert.match(line, /^onnx\/model\.onnx \[#+-+\]  50%  50\.0 MB \/ 100 MB  2\.5 MB\/s$/);
    const bar = /\[(#+)(-+)\]/.exec(line)!;
    assert.ok(Math.abs(bar[1]!.length - bar[2]!.length) <= 1, 'half full');
    assert.ok(renderLine(p(1, 2), 1, 40).length < 40);
    assert.match(renderLine(p(5000, undefined), undefined, 80), /\[-+\] 4\.9 kB$/);
  });

  it('describes progress for a notification', () => {
    assert.deepEqual(describeProgress(p(25 * 1024, 100 * 1024)), {
      message: 'onnx/model.onnx: 25.0 kB of 100 kB',
      percent: 25,
    });
    assert.deepEqual(describeProgress(p(2048, undefined)), { message: 'onnx/model.onnx: 2.0 kB', percent: undefined });
  });

  it('redraws one line on a TTY, writes plain lines per file and per 10% otherwise', () => {
    let t = 0;
    const tty = {
      isTTY: true,
      columns: 100,
      text: '',
      write(s: string) {
        this.text += s;
      },
    };
    const bar = new TerminalProgress(tty, 'o/n', () => t);
    for (let i = 0; i <= 100; i++) {
      t += 50;
      bar.update(p(i * 1000, 100_000));
    }
    bar.done('downloaded');
    assert.ok(!tty.text.includes('\n') || tty.text.endsWith('o/n: downloaded\n'));
    const draws = tty.text.split('\r').filter((s) => s.startsWith('onnx/'));
    assert.ok(draws.length > 10 && draws.length < 101, `throttled to ${draws.length} draws`);
    assert.match(draws.at(-1)!, /100%/);
    assert.match(draws[3]!, /kB\/s/, 'a rate once there are two samples');

    const plain = {
      isTTY: false,
      text: '',
      write(s: string) {
        this.text += s;
      },
    };
    const lines = new TerminalProgress(plain, 'o/n', () => t);
    lines.update(p(10, 100_000, 'config.json'));
    for (let i = 0; i <= 100; i++) lines.update(p(i * 1000, 100_000));
    lines.done('downloaded');
    const out = plain.text.trimEnd().split('\n');
    assert.ok(!plain.text.includes('\r'));
    assert.equal(out.length, 1 + 1 + 10 + 1, out.join('\n')); // config.json, model start (0%), 10..100%, done
    assert.match(out[0]!, /^o\/n: config\.json /);
    assert.equal(out.at(-1), 'o/n: downloaded');
  });
});

describe('snapshotDisplayName', () => {
  it('names a snapshot folder by its repo and commit, and nothing else', () => {
    const c = '0123456789abcdef0123456789abcdef01234567';
    assert.equal(
      snapshotDisplayName(path.join('/c', 'hub', 'models--Xenova--distilbert-sst2', 'snapshots', c)),
      'Xenova/distilbert-sst2@0123456789ab',
    );
    assert.equal(snapshotDisplayName('/models/distilbert-sst2-small'), undefined);
    assert.equal(snapshotDisplayName(path.join('/c', 'models--a--b', 'snapshots', 'main')), undefined);
  });
});
