// Interrupted and bad downloads: a dropped connection resumes with Range (within a call and across calls),
// 200 vs 206, If-Range restarts a changed file, a wrong checksum places nothing, a stalled host times out,
// cancelling closes the sockets and keeps the part file, and two downloaders never share a repo folder.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { fetchHubModel, HubError } from '../../src/core/hub';
import { tempDir } from './helpers';
import { COMMIT, FakeHub, fixtureFiles, sha256 } from './hubFakes';

const REPO = 'Xenova/tiny-distilbert-sst2';
const files = fixtureFiles();
const MODEL = files.get('onnx/model.onnx')!;
const SHA = sha256(MODEL);

async function rejection(p: Promise<unknown>, code: string): Promise<HubError> {
  const err = await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HubError, String(err));
  assert.equal(err.code, code, err.oneLine());
  return err;
}

describe('hub download interrupted', () => {
  let hub: FakeHub;
  let cacheDir: string;
  let repoDir: string;
  const fetch = (extra: Partial<Parameters<typeof fetchHubModel>[1]> = {}) =>
    fetchHubModel(REPO, { cacheDir, variant: 'fp32', endpoint: hub.hubUrl, env: {}, timeoutMs: 5000, ...extra });
  const part = () => path.join(repoDir, 'blobs', `${SHA}.incomplete`);
  const placed = () => path.join(repoDir, 'snapshots', COMMIT, 'onnx', 'model.onnx');
  const assertNothingPlaced = () => {
    assert.ok(!fs.existsSync(placed()), 'no model file in the snapshot');
    assert.ok(!fs.existsSync(path.join(repoDir, 'verified')), 'no completion marker');
    assert.ok(!fs.existsSync(path.join(repoDir, 'refs')), 'no ref');
  };

  before(async () => {
    hub = await new FakeHub().start();
    hub.repos.set(REPO, { commit: COMMIT, files });
  });
  after(() => hub.stop());
  beforeEach(() => {
    cacheDir = tempDir('dbi-hub-resume-');
    repoDir = path.join(cacheDir, 'hub', 'models--Xenova--tiny-distilbert-sst2');
    hub.setMode({});
    hub.requests.length = 0;
  });
  afterEach(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  it('a connection dropped mid-file is resumed with Range + If-Range in the same call; the file is byte-identical', async () => {
    hub.setMode({ dropAfter: 100_000 });
    const r = await fetch();
    const gets = hub.of('cdn');
    assert.equal(gets.length, 2);
    assert.equal(gets[0]!.headers.range, undefined);
    const n = Number(/^bytes=(\d+)-$/.exec(gets[1]!.headers.range ?? '')?.[1]);
    assert.ok(n > 0 && n <= 100_000, `second request resumed at ${gets[1]!.headers.range}`);
    assert.match(String(gets[1]!.headers['if-range']), /^"[0-9a-f]{32}"$/, 'If-Range carries the CDN ETag');
    assert.ok(fs.readFileSync(path.join(r.dir, 'onnx', 'model.onnx')).equals(MODEL));
    assert.ok(!fs.existsSync(part()));
  });

  it('without retries the call fails, keeps the part file, and the next call resumes it', async () => {
    hub.setMode({ dropAfter: 120_000 });
    const err = await rejection(fetch({ retries: 0 }), 'HUB_NETWORK');
    assert.match(err.message, /connection to 127\.0\.0\.1:\d+ broke after \d+ bytes of onnx\/model\.onnx/);
    const kept = fs.statSync(part()).size;
    assert.ok(kept > 0 && kept <= 120_000, `part file has ${kept} bytes`);
    assertNothingPlaced();
    hub.setMode({});
    const r = await fetch();
    assert.equal(hub.of('cdn').at(-1)!.headers.range, `bytes=${kept}-`);
    assert.equal(r.fromCache, false);
    assert.ok(fs.readFileSync(placed()).equals(MODEL));
  });

  it('a host that ignores Range (200, not 206) restarts the file instead of appending', async () => {
    hub.setMode({ dropAfter: 90_000, ignoreRange: true });
    const r = await fetch();
    const gets = hub.of('cdn');
    assert.equal(gets.length, 2);
    assert.match(gets[1]!.headers.range ?? '', /^bytes=\d+-$/);
    assert.ok(fs.readFileSync(path.join(r.dir, 'onnx', 'model.onnx')).equals(MODEL));
  });

  it('a part file whose host copy changed (If-Range mismatch) is downloaded again from the start', async () => {
    fs.mkdirSync(path.dirname(part()), { recursive: true });
    fs.writeFileSync(part(), Buffer.alloc(50_000, 7));
    fs.writeFileSync(`${part()}.json`, JSON.stringify({ validator: '"an-older-copy"' }));
    const r = await fetch();
    const get = hub.of('cdn')[0]!;
    assert.equal(get.headers.range, 'bytes=50000-');
    assert.equal(get.headers['if-range'], '"an-older-copy"');
    assert.ok(fs.readFileSync(path.join(r.dir, 'onnx', 'model.onnx')).equals(MODEL));
  });

  it('a wrong sha256 is refused: the part file is deleted and nothing is placed or marked', async () => {
    hub.setMode({ corrupt: true });
    const err = await rejection(fetch(), 'HUB_VERIFY');
    assert.match(
      err.message,
      new RegExp(
        `onnx/model\\.onnx from ${COMMIT.slice(0, 8)} failed its sha256 check \\(expected ${SHA}, got [0-9a-f]{64}\\)`,
      ),
    );
    assert.ok(!fs.existsSync(part()), 'part file deleted');
    assertNothingPlaced();
    hub.setMode({});
    assert.ok(
      fs.readFileSync(path.join((await fetch()).dir, 'onnx', 'model.onnx')).equals(MODEL),
      'a clean retry works',
    );
  });

  it('a wrong git blob sha1 on a small file is refused too', async () => {
    const bad = new Map(files);
    const doctored = new FakeHub();
    await doctored.start();
    try {
      // The hub computes the ETag from this content, but the CDN-less small file is served altered below.
      doctored.repos.set(REPO, { commit: COMMIT, files: bad });
      const realHub = (doctored as unknown as { hub: (q: unknown, s: { end: (b?: Buffer) => void }) => void }).hub.bind(
        doctored,
      );
      (doctored as unknown as { hub: unknown }).hub = (
        q: { method?: string; url?: string },
        s: { end: (b?: Buffer) => unknown },
      ) => {
        if (q.method === 'GET' && q.url?.endsWith('/tokenizer.json')) {
          const end = s.end.bind(s);
          s.end = (b?: Buffer) => end(b && Buffer.from(b.toString().replace('[UNK]', '[UNX]')));
        }
        realHub(q, s as never);
      };
      const err = await rejection(
        fetchHubModel(REPO, { cacheDir, variant: 'fp32', endpoint: doctored.hubUrl, env: {} }),
        'HUB_VERIFY',
      );
      assert.match(err.message, /tokenizer\.json .* failed its git-sha1 check/);
      assert.ok(!fs.existsSync(path.join(repoDir, 'snapshots', COMMIT, 'tokenizer.json')));
      assert.ok(!fs.existsSync(path.join(repoDir, 'verified')));
    } finally {
      await doctored.stop();
    }
  });

  it('a stalled host times out (HUB_TIMEOUT) and the bytes so far stay for a resume', async () => {
    hub.setMode({ stallAfter: 40_000 });
    const t0 = Date.now();
    const err = await rejection(fetch({ timeoutMs: 400, retries: 0 }), 'HUB_TIMEOUT');
    assert.ok(Date.now() - t0 < 4000, `gave up after ${Date.now() - t0} ms`);
    assert.match(err.message, /sent nothing for 0 s|sent nothing for \d+ s/);
    assert.equal(fs.statSync(part()).size, 40_000);
    assertNothingPlaced();
    hub.setMode({});
    await fetch();
    assert.equal(hub.of('cdn').at(-1)!.headers.range, 'bytes=40000-');
  });

  it('cancelling mid-download rejects CANCELLED, closes the connection, keeps the part file', async () => {
    hub.setMode({ chunkDelayMs: 15 });
    const ac = new AbortController();
    const err = await rejection(
      fetch({
        signal: ac.signal,
        onProgress: (p) => p.file === 'onnx/model.onnx' && p.received > 30_000 && ac.abort(),
      }),
      'CANCELLED',
    );
    assert.match(err.oneLine(), /cancelled.*resume/);
    for (let i = 0; i < 50 && hub.cdnSockets.size; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(hub.cdnSockets.size, 0, 'the CDN connection was closed');
    const kept = fs.statSync(part()).size;
    assert.ok(kept > 30_000 && kept < MODEL.length, `part file keeps ${kept} bytes`);
    assertNothingPlaced();
    hub.setMode({});
    const r = await fetch();
    assert.equal(hub.of('cdn').at(-1)!.headers.range, `bytes=${kept}-`);
    assert.ok(fs.readFileSync(path.join(r.dir, 'onnx', 'model.onnx')).equals(MODEL));
    // Already aborted: nothing is requested at all.
    await rejection(fetch({ signal: AbortSignal.abort() }), 'CANCELLED');
  });

  it('one downloader per repo folder: a live lock holder is reported, a dead one is taken over', async () => {
    fs.mkdirSync(repoDir, { recursive: true });
    fs.writeFileSync(path.join(repoDir, '.lock'), String(process.ppid));
    const err = await rejection(fetch(), 'HUB_BUSY');
    assert.match(err.message, new RegExp(`already being downloaded .*process ${process.ppid}`));
    fs.writeFileSync(path.join(repoDir, '.lock'), '999999999');
    await fetch();
    assert.ok(!fs.existsSync(path.join(repoDir, '.lock')), 'the lock is released');
  });
});
