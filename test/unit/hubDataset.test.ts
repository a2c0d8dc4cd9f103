// Hub dataset files (`owner/name[@rev]:path`) against a loopback hub + file host: the id syntax and hostile
// paths, a verified download into datasets--owner--name, the cache reused online (HEAD only) and offline (no
// network at all), a corrupted transfer, a missing file, and the CLI end to end through HF_ENDPOINT.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BUNDLED, ROOT, isolateHome, tempDir } from './helpers';

const home = isolateHome();
import { fetchHubDatasetFile, HubError, parseDatasetRef } from '../../src/core/hub';
import type { DatasetReport } from '../../src/core/dataset/report';
import { COMMIT, FakeHub, gitBlobSha1, sha256 } from './hubFakes';

const CLI = path.join(ROOT, 'out', 'src', 'cli', 'main.js');
const REPO = 'acme/reviews';
const NO_ENV = {}; // no proxy or HF_* variables from the machine running the tests
const SST2_DEV = path.join(ROOT, '..', 'shared', 'data', 'sst2', 'dev.tsv');

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof HubError && e.code === code && message.test(e.oneLine()));
}

async function rejectsWith(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HubError, `not a HubError: ${String(err)}`);
  assert.equal(err.code, code, err.oneLine());
  assert.match(err.oneLine(), message);
}

/** A port nothing listens on (bound, then closed): a hub that cannot be reached. */
async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('hub dataset ids', () => {
  it('parses owner/name[@rev]:path and hf://datasets/owner/name[@rev]/path; paths on disk stay local', () => {
    assert.deepEqual(parseDatasetRef('stanfordnlp/sst2:data/validation-00000-of-00001.parquet'), {
      repo: 'stanfordnlp/sst2',
      revision: 'main',
      explicitRevision: false,
      file: 'data/validation-00000-of-00001.parquet',
    });
    assert.deepEqual(parseDatasetRef('stanfordnlp/sst2@refs/convert/parquet:default/train/0000.parquet'), {
      repo: 'stanfordnlp/sst2',
      revision: 'refs/convert/parquet',
      explicitRevision: true,
      file: 'default/train/0000.parquet',
    });
    assert.deepEqual(parseDatasetRef(`hf://datasets/acme/reviews@${COMMIT}/dev.tsv`), {
      repo: 'acme/reviews',
      revision: COMMIT,
      explicitRevision: true,
      file: 'dev.tsv',
    });
    const dir = tempDir('dbi-dsref-');
    fs.mkdirSync(path.join(dir, 'acme'));
    fs.writeFileSync(path.join(dir, 'acme', 'x:y.csv'), 'text\na\n');
    for (const local of ['/data/dev.tsv', './acme/x:y.csv', '../a/b:c.csv', '~/d.csv', 'dev.tsv', 'data/dev.tsv'])
      assert.equal(parseDatasetRef(local, dir), undefined, local);
    assert.equal(parseDatasetRef('acme/x:y.csv', dir), undefined, 'an existing local file wins over the hub syntax');
  });

  it('refuses hostile paths inside the repository and malformed ids, naming the problem', () => {
    for (const hostile of [
      'acme/reviews:../../../etc/passwd',
      'acme/reviews:data/../../x.csv',
      'acme/reviews:/etc/passwd',
      'hf://datasets/acme/reviews//etc/passwd',
      'acme/reviews:a//b.csv',
      'acme/reviews:./a.csv',
    ]) {
      rejects(() => parseDatasetRef(hostile), 'HUB_BAD_ID', /(absolute|empty, "\." or "\.\." segment)/);
    }
    rejects(() => parseDatasetRef('acme/reviews:data\\..\\x.csv'), 'HUB_BAD_ID', /backslash/);
    rejects(() => parseDatasetRef('acme/reviews:C:/x.csv'), 'HUB_BAD_ID', /colon/);
    rejects(() => parseDatasetRef('acme/reviews:'), 'HUB_BAD_ID', /is empty/);
    rejects(
      () => parseDatasetRef('ac--me/reviews:a.csv'),
      'HUB_BAD_ID',
      /owner "ac--me".*owner\/name\[@revision\]:path/,
    );
    rejects(() => parseDatasetRef('acme/reviews@a..b:a.csv'), 'HUB_BAD_ID', /invalid revision/);
    rejects(() => parseDatasetRef('hf://datasets/acme'), 'HUB_BAD_ID', /not a hub dataset file/);
  });

  describe('against a loopback hub', () => {
    let hub: FakeHub;
    const cacheDir = tempDir('dbi-hub-ds-cache-');
    let parquet: Buffer;
    const tsv = Buffer.from(`${fs.readFileSync(SST2_DEV, 'utf8').split('\n').slice(0, 41).join('\n')}\n`);
    before(async () => {
      const { parquetWriteBuffer } = (await import('hyparquet-writer')) as typeof import('hyparquet-writer');
      const rows = tsv
        .toString('utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t'));
      parquet = Buffer.from(
        parquetWriteBuffer({
          columnData: [
            { name: 'sentence', data: rows.map((r) => r[0]!) },
            { name: 'label', data: Int32Array.from(rows, (r) => Number(r[1])) },
          ],
        }),
      );
      hub = await new FakeHub().start();
      hub.repos.set(`datasets/${REPO}`, {
        commit: COMMIT,
        files: new Map([
          ['data/dev.parquet', parquet],
          ['dev.tsv', tsv],
        ]),
      });
    });
    after(async () => {
      await hub.stop();
      fs.rmSync(cacheDir, { recursive: true, force: true });
    });
    const fetch = (spec: string, extra: Record<string, unknown> = {}) =>
      fetchHubDatasetFile(parseDatasetRef(spec)!, { cacheDir, endpoint: hub.hubUrl, env: NO_ENV, ...extra });

    it('downloads a Parquet file from /datasets/owner/name/resolve/rev/path, verified by sha256, into datasets--owner--name', async () => {
      const r = await fetch(`${REPO}:data/dev.parquet`);
      const root = path.join(cacheDir, 'hub', 'datasets--acme--reviews');
      assert.equal(r.path, path.join(root, 'snapshots', COMMIT, 'data', 'dev.parquet'));
      assert.ok(fs.readFileSync(r.path).equals(parquet), 'byte-identical');
      assert.deepEqual([r.commit, r.fromCache, r.offline], [COMMIT, false, false]);
      assert.deepEqual([r.file.verification, r.file.hash], ['sha256', sha256(parquet)]);
      assert.equal(fs.readFileSync(path.join(root, 'refs', 'main'), 'utf8'), COMMIT);
      assert.deepEqual(fs.readdirSync(path.join(root, 'blobs')), [], 'no part files left');
      assert.ok(
        hub.of('hub', 'HEAD').some((q) => q.url === '/datasets/acme/reviews/resolve/main/data/dev.parquet'),
        'asked the dataset URL',
      );
      assert.equal(hub.of('cdn').length, 1, 'the bytes came from the file host the hub redirected to');
    });

    it('a small git file is verified by its git blob sha1', async () => {
      const r = await fetch(`${REPO}@${COMMIT}:dev.tsv`);
      assert.deepEqual([r.file.verification, r.file.hash], ['git-sha1', gitBlobSha1(tsv)]);
    });

    it('reuses the verified copy: online with one HEAD and no download, offline without any request', async () => {
      const gets = hub.of('cdn').length + hub.of('hub').length;
      const again = await fetch(`${REPO}:data/dev.parquet`);
      assert.deepEqual([again.fromCache, again.offline], [true, false]);
      assert.equal(hub.of('cdn').length + hub.of('hub').length, gets, 'no GET');
      const before = hub.requests.length;
      const off = await fetchHubDatasetFile(parseDatasetRef(`${REPO}:data/dev.parquet`)!, {
        cacheDir,
        endpoint: `http://127.0.0.1:${await deadPort()}`,
        env: NO_ENV,
      });
      assert.deepEqual(
        [off.fromCache, off.offline, off.path, off.file.verification],
        [true, true, again.path, 'sha256'],
      );
      const viaEnv = await fetchHubDatasetFile(parseDatasetRef(`${REPO}:data/dev.parquet`)!, {
        cacheDir,
        endpoint: hub.hubUrl,
        env: { HF_HUB_OFFLINE: '1' },
      });
      assert.equal(viaEnv.offline, true);
      assert.equal(hub.requests.length, before, 'nothing reached the hub');
      // A file that is not cached cannot be served offline: the message says so and names the cache.
      await rejectsWith(
        fetch(`${REPO}:other.parquet`, { env: { HF_HUB_OFFLINE: '1' } }),
        'HUB_NETWORK',
        /Offline mode is on.*No verified copy of acme\/reviews:other\.parquet is cached in .*datasets--acme--reviews/,
      );
    });

    it('a corrupted transfer fails its sha256 check and leaves nothing behind', async () => {
      const dir = tempDir('dbi-hub-ds-corrupt-');
      hub.setMode({ corrupt: true });
      try {
        await rejectsWith(
          fetchHubDatasetFile(parseDatasetRef(`${REPO}:data/dev.parquet`)!, {
            cacheDir: dir,
            endpoint: hub.hubUrl,
            env: NO_ENV,
            retries: 0,
          }),
          'HUB_VERIFY',
          /data\/dev\.parquet from a1b2c3d4 failed its sha256 check.*nothing was used/,
        );
      } finally {
        hub.setMode({});
      }
      const root = path.join(dir, 'hub', 'datasets--acme--reviews');
      assert.ok(!fs.existsSync(path.join(root, 'snapshots', COMMIT, 'data', 'dev.parquet')), 'not placed');
      assert.deepEqual(fs.readdirSync(path.join(root, 'blobs')), [], 'part file deleted');
      assert.ok(!fs.existsSync(path.join(root, 'verified')), 'no marker');
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('a missing file, revision or repository is named with the fix', async () => {
      await rejectsWith(
        fetch(`${REPO}:data/test.parquet`),
        'HUB_NOT_FOUND',
        /acme\/reviews@main has no file data\/test\.parquet\. Check the path after ":" against the dataset's "Files and versions" tab/,
      );
      await rejectsWith(fetch(`${REPO}@v9:data/dev.parquet`), 'HUB_NOT_FOUND', /acme\/reviews has no revision "v9"/);
      await rejectsWith(
        fetch('acme/nothing:data/dev.parquet'),
        'HUB_NOT_FOUND',
        /Dataset repository acme\/nothing was not found/,
      );
    });

    it('the CLI reads owner/name:path through HF_ENDPOINT with the same numbers as the local file, and refuses bad ids before any request', async () => {
      const cache = tempDir('dbi-hub-ds-cli-');
      const local = path.join(cache, 'dev.tsv');
      fs.writeFileSync(local, tsv);
      const run = (...args: string[]) =>
        new Promise<{ code: number; out: string; err: string }>((resolve) => {
          // Asynchronous: a spawnSync would block this process and with it the loopback hub.
          const env = { PATH: process.env['PATH'] ?? '', HOME: home, NO_COLOR: '1', HF_ENDPOINT: hub.hubUrl };
          execFile(
            process.execPath,
            [CLI, 'dataset', ...args, '--model', BUNDLED, '--cache-dir', cache, '--no-study'],
            { env, encoding: 'utf8', timeout: 120_000 },
            (err, out, errOut) => {
              resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out, err: errOut });
            },
          );
        });
      const viaHub = await run(`${REPO}:data/dev.parquet`, '--json');
      assert.equal(viaHub.code, 0, viaHub.err);
      assert.match(
        viaHub.err,
        new RegExp(
          `acme/reviews:data/dev.parquet: downloaded \\(verified: sha256 data/dev.parquet\\): ${COMMIT.slice(0, 12)}`,
        ),
      );
      const fromFile = await run(local, '--json');
      assert.equal(fromFile.code, 0, fromFile.err);
      const a = JSON.parse(viaHub.out) as DatasetReport,
        b = JSON.parse(fromFile.out) as DatasetReport;
      assert.equal(a.dataset.examples, 40);
      assert.equal(a.metrics!.accuracy, b.metrics!.accuracy);
      assert.deepEqual(
        a.examples.map((e) => [e.text, e.label, e.predicted]),
        b.examples.map((e) => [e.text, e.label, e.predicted]),
      );
      const before = hub.requests.length;
      const hostile = await run(`${REPO}:../../etc/passwd`);
      assert.equal(hostile.code, 1);
      assert.match(
        hostile.err,
        /names the file "\.\.\/\.\.\/etc\/passwd" inside the repository, which has an empty, "\." or "\.\." segment/,
      );
      const format = await run(`${REPO}:data/dev.xlsx`);
      assert.equal(format.code, 1);
      assert.match(
        format.err,
        /acme\/reviews:data\/dev\.xlsx: unknown dataset format\. Name a \.csv, \.tsv, \.jsonl or \.parquet file/,
      );
      assert.equal(hub.requests.length, before, 'no request for a refused id');
      fs.rmSync(cache, { recursive: true, force: true });
    });
  });
});
