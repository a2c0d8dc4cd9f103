// `distilbert-inspector --model owner/name` as a user runs it, against the loopback hub (HF_ENDPOINT).
// The child runs asynchronously: a spawnSync would block this process and with it the fake hub.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, isolateHome, tempDir } from './helpers';
import { COMMIT, FakeHub, fixtureFiles } from './hubFakes';

const home = isolateHome();
const CLI = path.join(ROOT, 'out', 'src', 'cli', 'main.js');

describe('cli with a hub id', () => {
  let hub: FakeHub;
  const cache = tempDir('dbi-hub-cli-');
  const run = (env: Record<string, string>, ...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      // Only what the CLI needs: no proxy variables or tokens of the machine running the tests.
      const childEnv = { PATH: process.env['PATH'] ?? '', HOME: home, NO_COLOR: '1', HF_ENDPOINT: hub.hubUrl, ...env };
      execFile(
        process.execPath,
        [CLI, '--cache-dir', cache, ...args],
        { env: childEnv, encoding: 'utf8', timeout: 120_000 },
        (err, out, errOut) => {
          // A child killed by the timeout reports its signal: fail loudly rather than hang the suite.
          resolve({
            code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
            out,
            err: errOut + (err?.killed ? `\n[killed after 120 s: ${err.signal}]` : ''),
          });
        },
      );
    });

  before(async () => {
    hub = await new FakeHub().start();
    hub.repos.set('Xenova/tiny-distilbert-sst2', { commit: COMMIT, files: fixtureFiles() });
    hub.repos.set('acme/private', { commit: 'e'.repeat(40), files: fixtureFiles(), token: 'hf_cli_token' });
  });
  after(async () => {
    await hub.stop();
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('downloads, reports progress on stderr (plain lines off a TTY) and inspects; the second run reuses the cache', async () => {
    const r = await run(
      {},
      '--model',
      'Xenova/tiny-distilbert-sst2',
      '--json',
      'a gorgeous , witty , seductive movie .',
    );
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.ok(Array.isArray(j.windows) && j.windows.length === 1);
    assert.match(r.err, /^Xenova\/tiny-distilbert-sst2: onnx\/model\.onnx \[[#-]+\] +\d+%/m);
    // It says how each file was checked: sha256 for the LFS file, git's blob sha1 for the small ones.
    assert.match(
      r.err,
      new RegExp(
        `Xenova/tiny-distilbert-sst2: downloaded \\(verified: sha256 onnx/model.onnx; git blob sha1 config.json, tokenizer.json, tokenizer_config.json\\): ${COMMIT.slice(0, 12)}, [\\d.]+ kB in .*snapshots/${COMMIT}\\n$`,
      ),
    );
    assert.ok(!r.err.includes('\r'), 'no carriage returns when stderr is not a terminal');
    assert.ok(
      fs.existsSync(
        path.join(cache, 'hub', 'models--Xenova--tiny-distilbert-sst2', 'snapshots', COMMIT, 'onnx', 'model.onnx'),
      ),
    );

    const again = await run({}, '--model', `Xenova/tiny-distilbert-sst2@${COMMIT}`, 'it is fine');
    assert.equal(again.code, 0, again.err);
    assert.match(again.err, /^Xenova\/tiny-distilbert-sst2@a1b2c3d4e5f6\S*: cached \(verified: /m);
    assert.match(again.out, /pre_classifier/);
  });

  it('HF_TOKEN opens a private repo; without it the error is one line that names HF_TOKEN', async () => {
    const denied = await run({}, '--model', 'acme/private', 'text');
    assert.equal(denied.code, 1, `stdout: ${denied.out}\nstderr: ${denied.err}`);
    assert.match(denied.err, /^distilbert-inspector: acme\/private needs a token \(HTTP 401 .*HF_TOKEN.*\n$/);
    assert.equal(denied.err.split('\n').length, 2, `one line: ${denied.err}`);
    const ok = await run({ HF_TOKEN: 'hf_cli_token' }, '--model', 'acme/private', '--json', 'text');
    assert.equal(ok.code, 0, ok.err);
  });

  it('a missing repo, a malformed id and a bad --variant fail with one line', async () => {
    const missing = await run({}, '--model', 'Xenova/nothing-here', 'text');
    assert.equal(missing.code, 1, `stdout: ${missing.out}\nstderr: ${missing.err}`);
    assert.match(
      missing.err,
      /^distilbert-inspector: Repository Xenova\/nothing-here was not found on 127\.0\.0\.1:\d+\. Check the id/,
    );
    assert.equal(missing.err.trim().split('\n').length, 1, missing.err);
    const bad = await run({}, '--model', 'Xenova/bad--name', 'text');
    assert.notEqual(bad.code, 0, `stdout: ${bad.out}\nstderr: ${bad.err}`);
    assert.match(
      bad.err,
      /^distilbert-inspector: "Xenova\/bad--name" is not a valid hub id: the name "bad--name" may not contain "--"/,
    );
    const variant = await run({}, '--model', 'Xenova/tiny-distilbert-sst2', '--variant', 'int4', 'text');
    assert.equal(variant.code, 2, `stdout: ${variant.out}\nstderr: ${variant.err}`);
    assert.match(variant.err, /--variant is "int4", which is not an ONNX variant/);
  });

  it('quantize ID writes model_int8.onnx into the snapshot; --variant int8 then uses it although the hub has none', async () => {
    const before = await run({}, '--model', 'Xenova/tiny-distilbert-sst2', '--variant', 'int8', 'text');
    assert.equal(before.code, 1, before.err);
    assert.match(before.err, /has no file onnx\/model_int8\.onnx.*distilbert-inspector quantize/);
    const q = await run({}, 'quantize', 'Xenova/tiny-distilbert-sst2');
    assert.equal(q.code, 0, q.err);
    const snapshot = path.join(cache, 'hub', 'models--Xenova--tiny-distilbert-sst2', 'snapshots', COMMIT);
    assert.match(
      q.out,
      new RegExp(
        `^wrote ${path.join(snapshot, 'onnx', 'model_int8.onnx').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
        'm',
      ),
    );
    const r = await run(
      {},
      '--model',
      'Xenova/tiny-distilbert-sst2',
      '--variant',
      'int8',
      '--json',
      'a gorgeous , witty , seductive movie .',
    );
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.model.variant, 'int8');
    assert.equal(j.model.onnxFile, path.join(snapshot, 'onnx', 'model_int8.onnx'));
  });
});
