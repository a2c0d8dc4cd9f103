// Hostile and odd input, as a user or an attacker would give it to the CLI: every case ends in bounded time with
// exit 0, or with one clear line naming the problem and exit 1 (2 for a bad option). Device files, FIFOs and
// symlinks to them stand in for any file that is not what it claims to be; the 600 MB file is sparse.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { FIXTURES, ROOT, tempDir } from './helpers';

const CLI = path.join(ROOT, 'out', 'src', 'cli', 'main.js');
const MODEL = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
const TMP = tempDir('dbi-hostile-');
const CACHE = path.join(TMP, 'cache');
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

/** Generous bound: a hostile input must end in seconds, not hang or grow memory without limit. */
const LIMIT_MS = 60_000;

interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** The CLI as a child process, killed (and failed) if it outlives LIMIT_MS. */
function cli(...args: string[]): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, HOME: path.join(TMP, 'home'), NO_COLOR: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, ms: Date.now() - t0 });
    });
  });
}

/** One line on stderr matching `pattern`, nothing on stdout, the given exit code. */
function refused(r: Run, code: number, pattern: RegExp): void {
  assert.ok(r.ms < LIMIT_MS, `still running after ${LIMIT_MS} ms`);
  assert.equal(r.code, code, `exit code; stderr: ${r.err}`);
  assert.equal(r.err.trimEnd().split('\n').length, 1, `one line: ${r.err}`);
  assert.match(r.err, pattern);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.err, /\bat \S+ \(|\x1b/, 'no stack trace, no escape sequence');
  assert.equal(r.out, '');
}

/** A copy of the fixture model whose files `edit` may replace. */
function modelCopy(name: string, edit: (dir: string) => void): string {
  const dir = path.join(TMP, name);
  fs.cpSync(MODEL, dir, { recursive: true });
  edit(dir);
  return dir;
}

const editConfig = (dir: string, f: (c: Record<string, unknown>) => void): void => {
  const p = path.join(dir, 'config.json');
  const c = JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>;
  f(c);
  fs.writeFileSync(p, JSON.stringify(c));
};

function fifo(name: string): string {
  const p = path.join(TMP, name);
  // mkfifo has no node API; the coreutils binary is on every Linux machine these tests run on.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const r = require('node:child_process').spawnSync('mkfifo', [p]) as { status: number };
  assert.equal(r.status, 0, 'mkfifo');
  return p;
}

const run = (model: string, ...args: string[]) => cli('--model', model, '--cache-dir', CACHE, ...args);

describe('hostile input: files that are not what they claim (item 4)', () => {
  it('--file /dev/zero is refused at once as a device', async () => {
    refused(await run(MODEL, '--file', '/dev/zero'), 2, /\/dev\/zero is a character device, not a regular file/);
  });

  it('--file on a FIFO is refused instead of blocking', async () => {
    refused(
      await run(MODEL, '--file', fifo('text.fifo')),
      2,
      /text\.fifo is a named pipe \(FIFO\), not a regular file/,
    );
  });

  it('--file through a symlink to /dev/zero is refused', async () => {
    const link = path.join(TMP, 'zero-link.txt');
    fs.symlinkSync('/dev/zero', link);
    refused(await run(MODEL, '--file', link), 2, /zero-link\.txt is a character device/);
  });

  it('a 600 MB file is reported as too large, not as "not valid UTF-8"', async () => {
    const big = path.join(TMP, 'big.txt');
    const fd = fs.openSync(big, 'w');
    fs.ftruncateSync(fd, 600 * 1024 * 1024); // sparse: no disk writes
    fs.closeSync(fd);
    const r = await run(MODEL, '--file', big);
    refused(r, 1, /big\.txt is too large: 629\.1 MB, more than the/);
    assert.doesNotMatch(r.err, /not valid UTF-8/);
  });

  it('config.json symlinked to /dev/zero is refused by name', async () => {
    const m = modelCopy('cfg-zero', (d) => {
      fs.rmSync(path.join(d, 'config.json'));
      fs.symlinkSync('/dev/zero', path.join(d, 'config.json'));
    });
    refused(await run(m, 'some text'), 1, /config\.json is a character device, not a regular file/);
  });

  it('onnx/model.onnx symlinked to /dev/zero is refused before hashing', async () => {
    const m = modelCopy('onnx-zero', (d) => {
      fs.rmSync(path.join(d, 'onnx', 'model.onnx'));
      fs.symlinkSync('/dev/zero', path.join(d, 'onnx', 'model.onnx'));
    });
    refused(await run(m, 'some text'), 1, /model\.onnx is a character device, not a regular file/);
  });

  it('tokenizer.json that is a FIFO is refused instead of blocking', async () => {
    const m = modelCopy('tok-fifo', (d) => {
      fs.rmSync(path.join(d, 'tokenizer.json'));
      fs.renameSync(fifo('tok.fifo'), path.join(d, 'tokenizer.json'));
    });
    refused(await run(m, 'some text'), 1, /tokenizer\.json is a named pipe \(FIFO\)/);
  });

  it('num_labels 50000000 without id2label is refused before anything is allocated for it', async () => {
    const m = modelCopy('many-labels', (d) =>
      editConfig(d, (c) => {
        delete c['id2label'];
        delete c['label2id'];
        c['num_labels'] = 50_000_000;
      }),
    );
    const r = await run(m, 'some text');
    refused(r, 1, /num_labels 50000000, more than the 100,000 labels/);
    assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
  });

  it('--cache-dir that is a file, or under /proc, gets a clear error naming the option', async () => {
    const file = path.join(TMP, 'a-file');
    fs.writeFileSync(file, 'x');
    refused(
      await run(MODEL, 'text', '--cache-dir', file),
      2,
      /a-file as the cache folder \(--cache-dir\): it is a file, not a folder/,
    );
    refused(
      await run(MODEL, 'text', '--cache-dir', '/proc/self/dbi-cache'),
      2,
      /on \/proc, a virtual file system.*--cache-dir/,
    );
  });
});

describe('hostile input: labels and scores from the model (item 5)', () => {
  it('a label named __proto__ keeps its probability and contributions in --json and in the text output', async () => {
    const m = modelCopy('proto-label', (d) =>
      editConfig(d, (c) => {
        c['id2label'] = { 0: '__proto__', 1: 'constructor' };
        c['label2id'] = { __proto__: 0, constructor: 1 };
      }),
    );
    const j = await run(m, '--json', 'a fine and witty film');
    assert.equal(j.code, 0, j.err);
    const out = JSON.parse(j.out) as {
      windows: Array<Record<string, Record<string, unknown>>>;
      aggregate: { probabilities: Record<string, number> };
    };
    const w = out.windows[0]!;
    assert.deepEqual(Object.keys(w['probabilities']!), ['__proto__', 'constructor']);
    assert.equal(typeof w['probabilities']!['__proto__'], 'number');
    assert.deepEqual(Object.keys(w['contributions']!), ['__proto__', 'constructor']);
    assert.deepEqual(Object.keys(w['head']!['topUnits'] as object), ['__proto__', 'constructor']);
    const p = out.aggregate.probabilities;
    assert.ok(Math.abs(p['__proto__']! + p['constructor']! - 1) < 1e-9, 'softmax over both labels');
    const t = await run(m, 'a fine and witty film');
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /probabilities __proto__ \d+\.\d% \S+ {2}constructor \d+\.\d%/);
  });

  it('a regression head (scores outside [0, 1]) prints scores instead of crashing the bar renderer', async () => {
    const m = modelCopy('regression', (d) => editConfig(d, (c) => (c['problem_type'] = 'regression')));
    const r = await run(m, 'a fine and witty film');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /scores +NEGATIVE score -?\d+\.\d+ {2}POSITIVE score -?\d+\.\d+/);
  });

  it('labels with OSC / CSI escape sequences reach the terminal without them', async () => {
    const m = modelCopy('osc-labels', (d) =>
      editConfig(d, (c) => {
        c['id2label'] = { 0: '\x1b]52;c;aGVsbG8=\x07NEG', 1: 'POS\x1b]0;pwned\x1b\\\x9b2J' };
        c['label2id'] = {};
      }),
    );
    const r = await run(m, 'a fine and witty film');
    assert.equal(r.code, 0, r.err);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.out, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, 'no control character in the output');
    assert.match(r.out, /labels NEG, POS\)/);
    const j = await run(m, '--json', 'a fine and witty film');
    assert.deepEqual(
      Object.keys((JSON.parse(j.out) as { aggregate: { probabilities: object } }).aggregate.probabilities),
      ['\x1b]52;c;aGVsbG8=\x07NEG', 'POS\x1b]0;pwned\x1b\\\x9b2J'],
      'JSON keeps the labels exactly (escaped by JSON)',
    );
  });
});

describe('hostile input: options (item 6)', () => {
  const usageCases: Array<[string[], RegExp]> = [
    [['--threads', '999'], /--threads needs a whole number from 1 to 64, got "999"/],
    [['--threads', '-3'], /--threads needs a whole number from 1 to 64, got "-3"/],
    [['--threads', '0'], /--threads needs a whole number from 1 to 64/],
    [['--top', '-1'], /--top needs a whole number of at least 1/],
    [['--top', '1e3'], /--top needs a whole number .*got "1e3"/],
    [['--top', '0x20'], /--top needs a whole number .*got "0x20"/],
    [['--top', ''], /--top needs a whole number .*got ""/],
    [['--top', '999'], /--top needs a whole number from 1 to 32 \(the units of this model's head\), got 999/],
    [['--window', '99'], /--window needs a whole number from 1 to 1 \(the text was read in 1 window\), got 99/],
    [['--window', '0'], /--window needs a whole number of at least 1/],
    [['--overlap', '1e3'], /--overlap needs a whole number/],
  ];
  for (const [args, pattern] of usageCases) {
    it(`${args.join(' ') || '(empty)'} is a usage error naming the valid range`, async () => {
      refused(await run(MODEL, ...args, 'a fine film'), 2, pattern);
    });
  }

  it('--top 10 lists 10 units per label (top-K is an option of the core)', async () => {
    const r = await run(MODEL, '--top', '10', 'a fine and witty film');
    assert.equal(r.code, 0, r.err);
    const toward = r.out.split('\n').filter((l) => l.trim().startsWith('toward:'));
    assert.ok(toward.length === 2);
    for (const l of toward) assert.equal((l.match(/#\d+/g) ?? []).length, 10, l);
  });
});

describe('hostile input: broken models and odd text (our own cases)', () => {
  const onnxBytes = fs.readFileSync(path.join(MODEL, 'onnx', 'model.onnx'));
  const broken: Array<[string, Buffer]> = [
    ['truncated', onnxBytes.subarray(0, onnxBytes.length >> 1)],
    ['zero-length', Buffer.alloc(0)],
    ['random-bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24))],
  ];
  for (const [name, bytes] of broken) {
    it(`a ${name} model.onnx gets one line naming the file`, async () => {
      const m = modelCopy(`onnx-${name}`, (d) => fs.writeFileSync(path.join(d, 'onnx', 'model.onnx'), bytes));
      refused(await run(m, 'some text'), 1, /model\.onnx/);
    });
  }

  it('deeply nested JSON in config.json and tokenizer.json gets a clear error, not a stack overflow', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const cfg = modelCopy('deep-config', (d) => {
      const c = fs.readFileSync(path.join(d, 'config.json'), 'utf8');
      fs.writeFileSync(path.join(d, 'config.json'), c.replace(/\}\s*$/, `, "deep": ${deep}, "id2label": ${deep}}`));
    });
    refused(await run(cfg, 'some text'), 1, /config\.json "id2label" must be an object/);
    const tok = modelCopy('deep-tokenizer', (d) =>
      fs.writeFileSync(path.join(d, 'tokenizer.json'), `{"model": ${deep}}`),
    );
    refused(await run(tok, 'some text'), 1, /tokenizer\.json/);
  });

  it('emoji, right-to-left text and a zero-width joiner sequence are classified', async () => {
    const r = await run(MODEL, '--json', 'great 😀 film — עברית جيد 👩‍👩‍👧 فيلم');
    assert.equal(r.code, 0, r.err);
    const w = (JSON.parse(r.out) as { windows: Array<{ tokens: Array<{ start: number; end: number }> }> }).windows[0]!;
    assert.ok(w.tokens.length > 2);
  });

  it('a huge single word (1 MB, no spaces) ends in bounded time', async () => {
    const file = path.join(TMP, 'word.txt');
    fs.writeFileSync(file, 'a'.repeat(1_000_000));
    const r = await run(MODEL, '--file', file, '--json');
    assert.ok(r.ms < LIMIT_MS);
    assert.equal(r.code, 0, r.err);
    assert.ok((JSON.parse(r.out) as { windows: unknown[] }).windows.length >= 1);
  });

  it('lone surrogates in a --file are refused as not UTF-8', async () => {
    const file = path.join(TMP, 'surrogate.txt');
    fs.writeFileSync(file, Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x62])); // "a", U+D800 encoded as UTF-8, "b"
    refused(await run(MODEL, '--file', file), 1, /surrogate\.txt is not valid UTF-8/);
  });

  it('an id past the embedding (out-of-range Gather) gives our one line, no ONNX Runtime log line', async () => {
    const m = modelCopy('gather', (d) => {
      const p = path.join(d, 'tokenizer.json');
      const t = JSON.parse(fs.readFileSync(p, 'utf8')) as { model: { vocab: Record<string, number> } };
      const n = Object.keys(t.model.vocab).length;
      t.model.vocab['zzzqqq'] = n;
      fs.writeFileSync(p, JSON.stringify(t));
      editConfig(d, (c) => (c['vocab_size'] = n + 1));
    });
    refused(await run(m, 'zzzqqq'), 1, /^distilbert-inspector: ONNX Runtime failed: .*Gather/);
  });
});
