// Proxies: HTTP_PROXY forwards http:// requests, HTTPS_PROXY tunnels https:// with CONNECT (TLS verified
// end to end through the tunnel), NO_PROXY and the explicit option, and a proxy that refuses the tunnel.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fetchHubModel, HubError } from '../../src/core/hub';
import { bypassed, proxyFor } from '../../src/core/hub/proxy';
import { tempDir } from './helpers';
import { COMMIT, FakeHub, FakeProxy, fixtureFiles } from './hubFakes';
import { TEST_CERT, TEST_KEY } from './hubTls';

const REPO = 'Xenova/tiny-distilbert-sst2';
const files = fixtureFiles();

describe('proxy selection', () => {
  const u = (s: string) => new URL(s);
  it('picks HTTPS_PROXY for https (falling back to HTTP_PROXY), HTTP_PROXY for http, the explicit one first', () => {
    const env = { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://p:2' };
    assert.equal(proxyFor(u('https://huggingface.co/x'), { env })?.host, 's:1');
    assert.equal(proxyFor(u('http://mirror/x'), { env })?.host, 'p:2');
    assert.equal(proxyFor(u('https://huggingface.co/x'), { env: { http_proxy: 'p:3' } })?.href, 'http://p:3/');
    assert.equal(proxyFor(u('https://huggingface.co/x'), { env, proxy: 'http://vscode:9' })?.host, 'vscode:9');
    assert.equal(proxyFor(u('https://huggingface.co/x'), { env: {} }), undefined);
  });
  it('NO_PROXY: *, hosts, domain suffixes, ports, IPv6', () => {
    const cases: Array<[string, string, boolean]> = [
      ['https://huggingface.co/', '*', true],
      ['https://huggingface.co/', 'huggingface.co', true],
      ['https://cdn-lfs.huggingface.co/', '.huggingface.co', true],
      ['https://cdn-lfs.huggingface.co/', '*.huggingface.co', true],
      ['https://nothuggingface.co/', 'huggingface.co', false],
      ['https://huggingface.co/', 'huggingface.co:443', true],
      ['https://huggingface.co/', 'huggingface.co:8443', false],
      ['http://127.0.0.1:8080/', 'localhost, 127.0.0.1', true],
      ['http://[::1]:8080/', '::1', true],
      ['http://[::1]:8080/', '[::1]:8080', true],
      ['https://huggingface.co/', '', false],
    ];
    for (const [url, np, want] of cases) assert.equal(bypassed(u(url), np), want, `${url} vs NO_PROXY="${np}"`);
    assert.equal(proxyFor(u('https://hf.co/'), { env: { HTTPS_PROXY: 'http://s:1', NO_PROXY: 'hf.co' } }), undefined);
    assert.equal(proxyFor(u('https://hf.co/'), { env: { HTTPS_PROXY: 'http://s:1' }, noProxy: 'hf.co' }), undefined);
  });
});

describe('hub download through a proxy', () => {
  let plain: FakeHub;
  let secure: FakeHub;
  let proxy: FakeProxy;
  const dirs: string[] = [];
  const cacheDir = () => {
    const d = tempDir('dbi-hub-proxy-');
    dirs.push(d);
    return d;
  };
  before(async () => {
    plain = await new FakeHub().start();
    secure = await new FakeHub({ key: TEST_KEY, cert: TEST_CERT }).start();
    for (const h of [plain, secure]) h.repos.set(REPO, { commit: COMMIT, files });
    proxy = await new FakeProxy().start();
  });
  after(async () => {
    await Promise.all([plain.stop(), secure.stop(), proxy.stop()]);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('HTTP_PROXY forwards http:// requests to the hub and the file host', async () => {
    proxy.seen.length = 0;
    const before = plain.requests.length;
    const r = await fetchHubModel(REPO, {
      cacheDir: cacheDir(),
      variant: 'fp32',
      endpoint: plain.hubUrl,
      env: { HTTP_PROXY: proxy.url },
    });
    assert.ok(fs.readFileSync(path.join(r.dir, 'onnx', 'model.onnx')).equals(files.get('onnx/model.onnx')!));
    assert.ok(
      proxy.seen.some((s) => s.method === 'HEAD' && s.target === `${plain.hubUrl}/${REPO}/resolve/main/config.json`),
      JSON.stringify(proxy.seen),
    );
    assert.ok(proxy.seen.some((s) => s.method === 'GET' && s.target.startsWith(`${plain.cdnUrl}/blobs/`)));
    const served = plain.requests.slice(before);
    assert.ok(
      served.length >= 5 && served.every((q) => proxy.upstreamPorts.has(q.remotePort!)),
      'every request reached the servers from the proxy',
    );
  });

  it('HTTPS_PROXY tunnels https:// with CONNECT, and the server certificate is still checked', async () => {
    proxy.seen.length = 0;
    const before = secure.requests.length;
    const env = { HTTPS_PROXY: proxy.url };
    const r = await fetchHubModel(REPO, {
      cacheDir: cacheDir(),
      variant: 'fp32',
      endpoint: secure.hubUrl,
      env,
      ca: TEST_CERT,
    });
    assert.ok(fs.readFileSync(path.join(r.dir, 'onnx', 'model.onnx')).equals(files.get('onnx/model.onnx')!));
    const connects = new Set(proxy.seen.map((s) => `${s.method} ${s.target}`));
    assert.ok(connects.has(`CONNECT ${new URL(secure.hubUrl).host}`), [...connects].join(', '));
    assert.ok(connects.has(`CONNECT ${new URL(secure.cdnUrl).host}`));
    assert.ok(
      proxy.seen.every((s) => s.method === 'CONNECT'),
      'nothing sent in the clear',
    );
    // The servers are on loopback and reachable directly too: prove the requests came out of the tunnels.
    const served = secure.requests.slice(before);
    assert.ok(served.length >= 5, `${served.length} requests`);
    for (const q of served)
      assert.ok(
        proxy.upstreamPorts.has(q.remotePort!),
        `${q.method} ${q.url} came from port ${q.remotePort}, not through the proxy`,
      );
    // Without the test CA the self-signed certificate is refused: TLS runs end to end through the tunnel.
    const err = await fetchHubModel(REPO, {
      cacheDir: cacheDir(),
      variant: 'fp32',
      endpoint: secure.hubUrl,
      env,
    }).catch((e: unknown) => e);
    assert.ok(err instanceof HubError && err.code === 'HUB_NETWORK', String(err));
    assert.match(err.message, /SELF_SIGNED|certificate/i);
  });

  it('NO_PROXY and an explicit proxy option are honoured', async () => {
    proxy.seen.length = 0;
    await fetchHubModel(REPO, {
      cacheDir: cacheDir(),
      variant: 'fp32',
      endpoint: plain.hubUrl,
      env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
    });
    assert.equal(proxy.seen.length, 0, 'NO_PROXY bypasses the proxy');
    await fetchHubModel(REPO, {
      cacheDir: cacheDir(),
      variant: 'fp32',
      endpoint: plain.hubUrl,
      env: {},
      proxy: proxy.url,
    });
    assert.ok(proxy.seen.length > 0, 'the explicit proxy (VS Code http.proxy) is used without any environment');
    proxy.seen.length = 0;
    await fetchHubModel(REPO, {
      cacheDir: cacheDir(),
      variant: 'fp32',
      endpoint: plain.hubUrl,
      env: { HTTP_PROXY: proxy.url },
      proxy: false,
    });
    assert.equal(proxy.seen.length, 0, 'proxy: false leaves proxying to the host program');
  });

  it('a proxy that refuses the tunnel gives HUB_PROXY naming the proxy', async () => {
    const refusing = http.createServer();
    refusing.on('connect', (_req, sock: import('node:net').Socket) =>
      sock.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'),
    );
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    try {
      const port = (refusing.address() as AddressInfo).port;
      const err = await fetchHubModel(REPO, {
        cacheDir: cacheDir(),
        variant: 'fp32',
        endpoint: secure.hubUrl,
        env: {},
        proxy: `http://127.0.0.1:${port}`,
        ca: TEST_CERT,
      }).catch((e: unknown) => e);
      assert.ok(err instanceof HubError && err.code === 'HUB_PROXY', String(err));
      assert.match(
        err.oneLine(),
        new RegExp(`proxy 127\\.0\\.0\\.1:${port} refused a tunnel .* HTTP 407.*user:password@host:port`),
      );
    } finally {
      refusing.closeAllConnections();
      await new Promise((r) => refusing.close(r));
    }
  });
});
