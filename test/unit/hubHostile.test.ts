// The hub client against endpoints that are odd (a mirror redirecting within its own origin) or hostile (more
// bytes than declared, a one-byte trickle, file: redirects, https -> http downgrades, endpoints that are not
// URLs), all real loopback servers.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isolateHome, tempDir } from './helpers';

isolateHome();
import { fetchHubModel, HubError } from '../../src/core/hub';
import { describeVerification } from '../../src/core/hub/resolveModel';
import { COMMIT, FakeHub, fixtureFiles, sha256 } from './hubFakes';
import { TEST_CERT, TEST_KEY } from './hubTls';

const REPO = 'Xenova/tiny-distilbert-sst2';
const files = fixtureFiles();
const NO_ENV = {};

async function rejection(p: Promise<unknown>): Promise<HubError> {
  const err = await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HubError, `not a HubError: ${String(err)}`);
  return err;
}

describe('hub client against odd and hostile endpoints', () => {
  let hub: FakeHub;
  let tlsHub: FakeHub;
  const roots: string[] = [];
  const cache = (): string => {
    const d = tempDir('dbi-hub-hostile-');
    roots.push(d);
    return d;
  };
  before(async () => {
    hub = await new FakeHub().start();
    hub.repos.set(REPO, { commit: COMMIT, files });
    tlsHub = await new FakeHub({ key: TEST_KEY, cert: TEST_CERT }).start();
    tlsHub.repos.set(REPO, { commit: COMMIT, files });
  });
  after(async () => {
    await Promise.all([hub.stop(), tlsHub.stop()]);
    for (const d of roots) fs.rmSync(d, { recursive: true, force: true });
  });

  it('takes X-Linked-Etag / X-Linked-Size from a mirror redirecting LFS files within its own origin (absolute URL)', async () => {
    hub.lfsLocation = (sha) => `${hub.hubUrl}/blobs/${sha}`;
    try {
      const r = await fetchHubModel(REPO, { cacheDir: cache(), variant: 'fp32', endpoint: hub.hubUrl, env: NO_ENV });
      const onnx = r.files.find((f) => f.path === 'onnx/model.onnx')!;
      assert.equal(onnx.verification, 'sha256');
      assert.equal(onnx.hash, sha256(files.get('onnx/model.onnx')!));
      assert.ok(fs.readFileSync(path.join(r.dir, 'onnx', 'model.onnx')).equals(files.get('onnx/model.onnx')!));
    } finally {
      hub.lfsLocation = undefined;
    }
  });

  it('stops writing at the declared size when the host sends more', async () => {
    const dir = cache();
    hub.setMode({ extraBytes: 5_000_000 });
    try {
      const err = await rejection(
        fetchHubModel(REPO, { cacheDir: dir, variant: 'fp32', endpoint: hub.hubUrl, env: NO_ENV, retries: 0 }),
      );
      assert.equal(err.code, 'HUB_VERIFY', err.oneLine());
      assert.match(err.message, /sent more than the \d+ bytes the hub declared for onnx\/model\.onnx/);
      const declared = files.get('onnx/model.onnx')!.length;
      const blobs = path.join(dir, 'hub', 'models--Xenova--tiny-distilbert-sst2', 'blobs');
      for (const f of fs.readdirSync(blobs))
        assert.ok(fs.statSync(path.join(blobs, f)).size <= declared, `${f} holds more than declared`);
    } finally {
      hub.setMode({});
    }
  });

  it(
    'gives up on a host trickling a byte at a time at the overall deadline, with a clear message',
    { timeout: 30_000 },
    async () => {
      hub.setMode({ trickleMs: 20 });
      const t0 = Date.now();
      try {
        const err = await rejection(
          fetchHubModel(REPO, {
            cacheDir: cache(),
            variant: 'fp32',
            endpoint: hub.hubUrl,
            env: NO_ENV,
            timeoutMs: 5000,
            deadlineMs: 1500,
          }),
        );
        assert.equal(err.code, 'HUB_TIMEOUT', err.oneLine());
        assert.match(err.message, /too slow: the download did not finish within its overall limit of 2 s/);
        assert.ok(Date.now() - t0 < 10_000, 'bounded by the deadline, not by the trickle');
      } finally {
        hub.setMode({});
      }
    },
  );

  it('refuses a redirect to a file: URL', async () => {
    hub.lfsLocation = () => 'file:///etc/passwd';
    try {
      const err = await rejection(
        fetchHubModel(REPO, { cacheDir: cache(), variant: 'fp32', endpoint: hub.hubUrl, env: NO_ENV }),
      );
      assert.equal(err.code, 'HUB_PROTOCOL');
      assert.match(err.message, /redirected onnx\/model\.onnx to a file: URL; only http and https are followed/);
    } finally {
      hub.lfsLocation = undefined;
    }
  });

  it('refuses a redirect from https down to plain http', async () => {
    tlsHub.lfsLocation = (sha) => `${hub.cdnUrl}/blobs/${sha}`;
    const before = hub.of('cdn').length;
    const err = await rejection(
      fetchHubModel(REPO, { cacheDir: cache(), variant: 'fp32', endpoint: tlsHub.hubUrl, env: NO_ENV, ca: TEST_CERT }),
    );
    assert.equal(err.code, 'HUB_PROTOCOL');
    assert.match(err.message, /from https to plain http/);
    assert.equal(hub.of('cdn').length, before, 'nothing was requested over http');
  });

  it('refuses an ftp: endpoint and names the setting for one that is not a URL', async () => {
    const ftp = await rejection(
      fetchHubModel(REPO, { cacheDir: cache(), variant: 'fp32', env: { HF_ENDPOINT: 'ftp://127.0.0.1:1' } }),
    );
    assert.equal(ftp.code, 'HUB_PROTOCOL');
    assert.match(ftp.message, /"ftp:\/\/127\.0\.0\.1:1", a ftp: URL; only http and https/);
    const bad = await rejection(
      fetchHubModel(REPO, { cacheDir: cache(), variant: 'fp32', endpoint: 'not a url', env: NO_ENV }),
    );
    assert.equal(bad.code, 'HUB_PROTOCOL');
    assert.match(bad.message, /"not a url" is not a URL.*distilbertInspector\.hub\.endpoint.*HF_ENDPOINT/);
  });

  it('says what was verified: sha256, git blob sha1, or size only (never "verified" for size only)', () => {
    const f = (p: string, verification: 'sha256' | 'git-sha1' | 'size') => ({ path: p, size: 1, verification });
    assert.equal(
      describeVerification([f('onnx/model.onnx', 'sha256'), f('config.json', 'git-sha1')]),
      'verified: sha256 onnx/model.onnx; git blob sha1 config.json',
    );
    assert.equal(
      describeVerification([f('onnx/model.onnx', 'sha256'), f('config.json', 'size')]),
      'checked: sha256 onnx/model.onnx; size only config.json (the server sent no content hash for the size-only files)',
    );
  });
});
