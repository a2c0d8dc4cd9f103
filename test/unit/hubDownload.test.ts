// fetchHubModel against a loopback hub + file host: the happy path into the real Inspector, the cache
// layout, reuse online and offline, HF_ENDPOINT, and the answers that are not files (404, 401).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, isolateHome, tempDir } from './helpers';

isolateHome();
import { Inspector } from '../../src/core/inspector';
import { fetchHubModel, HubError, type HubProgress } from '../../src/core/hub';
import { COMMIT, FakeHub, fixtureFiles, gitBlobSha1, sha256 } from './hubFakes';

const REPO = 'Xenova/tiny-distilbert-sst2';
const files = fixtureFiles();
const NO_ENV = {}; // no proxy or HF_* variables from the machine running the tests

async function rejectsWith(p: Promise<unknown>, code: string, message: RegExp): Promise<HubError> {
  const err = await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HubError, `not a HubError: ${String(err)}`);
  assert.equal(err.code, code, err.oneLine());
  assert.match(err.oneLine(), message);
  return err;
}

describe('hub download', () => {
  let hub: FakeHub;
  const cacheDir = tempDir('dbi-hub-cache-');
  before(async () => {
    hub = await new FakeHub().start();
    hub.repos.set(REPO, { commit: COMMIT, files });
  });
  after(async () => {
    await hub.stop();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('downloads the Xenova layout into a snapshot, verified, and the real Inspector opens it', async () => {
    const progress: HubProgress[] = [];
    const r = await fetchHubModel(REPO, {
      cacheDir,
      variant: 'fp32',
      endpoint: hub.hubUrl,
      env: NO_ENV,
      onProgress: (p) => progress.push(p),
    });
    const repoDir = path.join(cacheDir, 'hub', 'models--Xenova--tiny-distilbert-sst2');
    assert.equal(r.dir, path.join(repoDir, 'snapshots', COMMIT));
    assert.equal(r.commit, COMMIT);
    assert.equal(r.fromCache, false);
    assert.equal(r.offline, false);
    assert.equal(fs.readFileSync(path.join(repoDir, 'refs', 'main'), 'utf8'), COMMIT);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
      assert.ok(fs.readFileSync(path.join(r.dir, f)).equals(files.get(f)!), `${f} is byte-identical`);
    }
    assert.deepEqual(fs.readdirSync(path.join(repoDir, 'blobs')), [], 'no part files left');
    assert.ok(fs.existsSync(path.join(repoDir, 'verified', `${COMMIT}.fp32.json`)));
    // What was checked how: sha256 for the LFS file, git's blob sha1 for the small ones.
    const how = Object.fromEntries(r.files.map((f) => [f.path, [f.verification, f.hash]]));
    assert.deepEqual(how['onnx/model.onnx'], ['sha256', sha256(files.get('onnx/model.onnx')!)]);
    assert.deepEqual(how['config.json'], ['git-sha1', gitBlobSha1(files.get('config.json')!)]);
    // The model bytes came from the CDN; the hub itself only redirected.
    assert.equal(hub.of('cdn').length, 1);
    // Progress: overall bytes never go back, and the last report is the whole download.
    const total = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].reduce(
      (a, f) => a + files.get(f)!.length,
      0,
    );
    for (let i = 1; i < progress.length; i++)
      assert.ok(progress[i]!.overallReceived >= progress[i - 1]!.overallReceived);
    assert.deepEqual(progress.at(-1), {
      file: 'onnx/model.onnx',
      received: files.get('onnx/model.onnx')!.length,
      total: files.get('onnx/model.onnx')!.length,
      overallReceived: total,
      overallTotal: total,
      cached: false,
    });

    const inspector = await Inspector.open({ modelDir: r.dir, cacheDir: tempDir('dbi-hub-taps-'), threads: 1 });
    try {
      const ins = await inspector.inspect('a gorgeous , witty , seductive movie .');
      assert.equal(ins.windows.length, 1);
      assert.ok(Number.isFinite(ins.windows[0]!.logits[0]));
    } finally {
      await inspector.dispose();
    }
  });

  it('the quantized variant downloads onnx/model_quantized.onnx only, runs in the Inspector, and fp32 later adds just its graph', async () => {
    const int8 = fixtureFiles(path.join(FIXTURES, 'tiny-distilbert-o17-int8'));
    hub.repos.set('Xenova/tiny-int8', { commit: '9'.repeat(40), files: int8 });
    const dir = tempDir('dbi-hub-int8-');
    try {
      const q = await fetchHubModel('Xenova/tiny-int8', {
        cacheDir: dir,
        variant: 'quantized',
        endpoint: hub.hubUrl,
        env: NO_ENV,
      });
      assert.ok(
        fs
          .readFileSync(path.join(q.dir, 'onnx', 'model_quantized.onnx'))
          .equals(int8.get('onnx/model_quantized.onnx')!),
      );
      assert.ok(!fs.existsSync(path.join(q.dir, 'onnx', 'model.onnx')));
      const inspector = await Inspector.open({
        modelDir: q.dir,
        cacheDir: tempDir('dbi-hub-taps-'),
        threads: 1,
        variant: 'quantized',
      });
      try {
        const ins = await inspector.inspect('it is not bad at all');
        assert.ok(Number.isFinite(ins.windows[0]!.logits[0]));
      } finally {
        await inspector.dispose();
      }
      const cdnBefore = hub.of('cdn').length;
      const seen: HubProgress[] = [];
      const f = await fetchHubModel('Xenova/tiny-int8', {
        cacheDir: dir,
        variant: 'fp32',
        endpoint: hub.hubUrl,
        env: NO_ENV,
        onProgress: (p) => seen.push(p),
      });
      assert.equal(f.dir, q.dir, 'one snapshot folder per commit');
      assert.equal(f.fromCache, false);
      assert.equal(hub.of('cdn').length - cdnBefore, 1, 'only the fp32 graph was downloaded');
      assert.deepEqual(
        [...new Set(seen.filter((p) => p.cached).map((p) => p.file))],
        ['config.json', 'tokenizer.json', 'tokenizer_config.json'],
      );
      assert.ok(
        fs.existsSync(
          path.join(dir, 'hub', 'models--Xenova--tiny-int8', 'verified', `${'9'.repeat(40)}.quantized.json`),
        ),
      );
      assert.ok(
        fs.existsSync(path.join(dir, 'hub', 'models--Xenova--tiny-int8', 'verified', `${'9'.repeat(40)}.fp32.json`)),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reuses the complete snapshot online with one HEAD and no download', async () => {
    const before = hub.requests.length;
    const r = await fetchHubModel(`${REPO}@main`, { cacheDir, variant: 'fp32', endpoint: hub.hubUrl, env: NO_ENV });
    assert.equal(r.fromCache, true);
    assert.equal(r.offline, false);
    assert.deepEqual(
      hub.requests.slice(before).map((q) => `${q.method} ${q.url}`),
      [`HEAD /${REPO}/resolve/main/config.json`],
    );
  });

  it('honours HF_ENDPOINT when no endpoint is given', async () => {
    const before = hub.requests.length;
    const r = await fetchHubModel(REPO, { cacheDir, variant: 'fp32', env: { HF_ENDPOINT: hub.hubUrl } });
    assert.equal(r.commit, COMMIT);
    assert.ok(hub.requests.length > before, 'the request went to the HF_ENDPOINT server');
  });

  it('fetches by commit and names missing repos, revisions and files (404)', async () => {
    const r = await fetchHubModel(`${REPO}@${COMMIT}`, {
      cacheDir,
      variant: 'fp32',
      endpoint: hub.hubUrl,
      env: NO_ENV,
    });
    assert.equal(r.dir, path.join(cacheDir, 'hub', 'models--Xenova--tiny-distilbert-sst2', 'snapshots', COMMIT));
    await rejectsWith(
      fetchHubModel('Xenova/no-such-model', { cacheDir, variant: 'fp32', endpoint: hub.hubUrl, env: NO_ENV }),
      'HUB_NOT_FOUND',
      /Repository Xenova\/no-such-model was not found/,
    );
    await rejectsWith(
      fetchHubModel(`${REPO}@v9`, { cacheDir, variant: 'fp32', endpoint: hub.hubUrl, env: NO_ENV }),
      'HUB_NOT_FOUND',
      /has no revision "v9"/,
    );
    if (!files.has('onnx/model_quantized.onnx')) {
      await rejectsWith(
        fetchHubModel(REPO, { cacheDir, variant: 'quantized', endpoint: hub.hubUrl, env: NO_ENV }),
        'HUB_NOT_FOUND',
        /has no file onnx\/model_quantized\.onnx.*fp32 variant/,
      );
    }
    assert.ok(!fs.existsSync(path.join(cacheDir, 'hub', 'models--Xenova--no-such-model', 'refs')));
  });

  it('a missing optional tokenizer_config.json is recorded as absent, a missing tokenizer.json fails', async () => {
    const slim = new Map(files);
    slim.delete('tokenizer_config.json');
    hub.repos.set('owner/slim', { commit: 'b'.repeat(40), files: slim });
    const r = await fetchHubModel('owner/slim', { cacheDir, variant: 'fp32', endpoint: hub.hubUrl, env: NO_ENV });
    assert.ok(!fs.existsSync(path.join(r.dir, 'tokenizer_config.json')));
    const broken = new Map(files);
    broken.delete('tokenizer.json');
    hub.repos.set('owner/broken', { commit: 'c'.repeat(40), files: broken });
    await rejectsWith(
      fetchHubModel('owner/broken', { cacheDir, variant: 'fp32', endpoint: hub.hubUrl, env: NO_ENV }),
      'HUB_NOT_FOUND',
      /owner\/broken@c+ has no file tokenizer\.json/,
    );
    assert.ok(!fs.existsSync(path.join(cacheDir, 'hub', 'models--owner--broken', 'verified')), 'never marked complete');
  });

  it('401 without a token says to set HF_TOKEN; with it the download works and the token never reaches the CDN', async () => {
    hub.repos.set('acme/private-model', { commit: 'd'.repeat(40), files, token: 'hf_secret' });
    const dir = tempDir('dbi-hub-private-');
    try {
      await rejectsWith(
        fetchHubModel('acme/private-model', {
          cacheDir: dir,
          variant: 'fp32',
          endpoint: hub.hubUrl,
          env: NO_ENV,
          authHint: 'Set HF_TOKEN.',
        }),
        'HUB_AUTH',
        /needs a token \(HTTP 401.*HF_TOKEN/,
      );
      await rejectsWith(
        fetchHubModel('acme/private-model', {
          cacheDir: dir,
          variant: 'fp32',
          endpoint: hub.hubUrl,
          env: NO_ENV,
          token: 'wrong',
        }),
        'HUB_AUTH',
        /refused the token/,
      );
      const cdnBefore = hub.of('cdn').length;
      const r = await fetchHubModel('acme/private-model', {
        cacheDir: dir,
        variant: 'fp32',
        endpoint: hub.hubUrl,
        env: NO_ENV,
        token: 'hf_secret',
      });
      assert.ok(fs.readFileSync(path.join(r.dir, 'onnx', 'model.onnx')).equals(files.get('onnx/model.onnx')!));
      const cdn = hub.of('cdn').slice(cdnBefore);
      assert.equal(cdn.length, 1);
      assert.equal(cdn[0]!.headers.authorization, undefined, 'no Authorization to another origin');
      assert.ok(
        hub.requests
          .filter((q) => q.server === 'hub' && q.url.startsWith('/acme/'))
          .some((q) => q.headers.authorization === 'Bearer hf_secret'),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("follows the hub's relative redirect for a renamed repo, keeping the token on the hub", async () => {
    hub.repos.set('acme/new-name', { commit: 'f'.repeat(40), files, token: 'hf_tok' });
    hub.renames.set('acme/old-name', 'acme/new-name');
    const dir = tempDir('dbi-hub-renamed-');
    try {
      const r = await fetchHubModel('acme/old-name', {
        cacheDir: dir,
        variant: 'fp32',
        endpoint: hub.hubUrl,
        env: NO_ENV,
        token: 'hf_tok',
      });
      assert.equal(r.commit, 'f'.repeat(40));
      assert.ok(fs.readFileSync(path.join(r.dir, 'onnx', 'model.onnx')).equals(files.get('onnx/model.onnx')!));
      assert.ok(
        hub.requests.some((q) => q.url.startsWith('/acme/new-name/') && q.headers.authorization === 'Bearer hf_tok'),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses the complete snapshot offline once the hub is gone, and says so when nothing is cached', async () => {
    await hub.stop();
    const r = await fetchHubModel(REPO, {
      cacheDir,
      variant: 'fp32',
      endpoint: hub.hubUrl,
      env: NO_ENV,
      timeoutMs: 5000,
    });
    assert.equal(r.fromCache, true);
    assert.equal(r.offline, true);
    assert.equal(r.commit, COMMIT);
    assert.ok(fs.existsSync(path.join(r.dir, 'onnx', 'model.onnx')));
    const viaEnv = await fetchHubModel(REPO, { cacheDir, variant: 'fp32', env: { HF_HUB_OFFLINE: '1' } });
    assert.equal(viaEnv.offline, true);
    await rejectsWith(
      fetchHubModel('Xenova/other', { cacheDir, variant: 'fp32', endpoint: hub.hubUrl, env: NO_ENV }),
      'HUB_NETWORK',
      /Cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED\. No complete copy of Xenova\/other \(fp32\) is cached/,
    );
    // A quantized request cannot be served by the fp32 snapshot.
    await rejectsWith(
      fetchHubModel(REPO, { cacheDir, variant: 'quantized', endpoint: hub.hubUrl, env: NO_ENV }),
      'HUB_NETWORK',
      /No complete copy of .* \(quantized\)/,
    );
    await hub.start(); // fresh ports for nothing else; after() stops it again
  });

  it('a hub that accepts connections but never answers falls back to the cache after the metadata timeout', async () => {
    const silent = net.createServer((sock) => sock.on('error', () => undefined).resume()); // reads, never writes
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
      const t0 = Date.now();
      const r = await fetchHubModel(REPO, { cacheDir, variant: 'fp32', endpoint, env: { HF_HUB_ETAG_TIMEOUT: '0.3' } });
      assert.equal(r.offline, true);
      assert.ok(Date.now() - t0 < 5000, `fell back after ${Date.now() - t0} ms`);
      await rejectsWith(
        fetchHubModel('Xenova/other', { cacheDir, variant: 'fp32', endpoint, env: { HF_HUB_ETAG_TIMEOUT: '0.3' } }),
        'HUB_TIMEOUT',
        /sent nothing for 0 s .*No complete copy/,
      );
    } finally {
      await new Promise((r) => silent.close(r));
    }
  });
});
