// Loopback stand-ins for the Hugging Face hub, its file host and a proxy, for the hub*.test.ts files.
// The fake hub answers the hub's URL scheme with the hub's headers: small git files come back 200 with
// ETag = git blob sha1; LFS files (*.onnx) come back 302 to the "CDN" with X-Linked-Etag = sha256,
// X-Linked-Size and X-Repo-Commit; errors carry X-Error-Code. Everything binds 127.0.0.1 on ephemeral ports.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { quantizeModelFile } from '../../src/core/quantize/quantizeGraph';
import { FIXTURES } from './helpers';

export const FIXTURE_DIR = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
export const COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

export interface Recorded {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The client's port: matches a proxy's upstream port when the request came through the proxy. */
  remotePort: number | undefined;
}

/** How the CDN misbehaves for the next requests of a test. */
export interface CdnMode {
  /** Cut the connection after this many body bytes, on the first `dropTimes` responses (default 1). */
  dropAfter?: number;
  dropTimes?: number;
  /** Flip one byte in the middle of the body (same length). */
  corrupt?: boolean;
  /** Send this many bytes, then nothing more (the connection stays open). */
  stallAfter?: number;
  /** Send the body in 8 kB chunks with this delay between them. */
  chunkDelayMs?: number;
  /** Answer 200 with the whole file even to a Range request. */
  ignoreRange?: boolean;
  /** Send this many junk bytes after the file (more than X-Linked-Size declared). */
  extraBytes?: number;
  /** Send one byte, then one more every this many ms (never stalls long enough for the stall timeout). */
  trickleMs?: number;
}

export interface FakeRepo {
  commit: string;
  files: Map<string, Buffer>;
  /** When set, requests need `Authorization: Bearer <token>`. */
  token?: string;
}

export function gitBlobSha1(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The fixture as the hub's Xenova repositories lay it out. */
export function fixtureFiles(dir = FIXTURE_DIR): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const f of [
    'config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    'onnx/model.onnx',
    'onnx/model_quantized.onnx',
  ]) {
    const p = path.join(dir, ...f.split('/'));
    if (fs.existsSync(p)) files.set(f, fs.readFileSync(p));
  }
  return files;
}

/**
 * Adds onnx/model_int8.onnx as transformers.js repositories carry it: the fixture's fp32 graph quantized by the
 * project's own quantizer (full-range int8 weights, per column), made in a temp folder at test time.
 */
export async function withInt8Graph(files: Map<string, Buffer>): Promise<Map<string, Buffer>> {
  const fp32 = files.get('onnx/model.onnx');
  if (!fp32) throw new Error('the fixture has no onnx/model.onnx to quantize');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-hub-int8-'));
  try {
    fs.writeFileSync(path.join(dir, 'model.onnx'), fp32);
    await quantizeModelFile(path.join(dir, 'model.onnx'), path.join(dir, 'model_int8.onnx'), {
      perChannel: true,
      reduceRange: false,
    });
    return new Map(files).set('onnx/model_int8.onnx', fs.readFileSync(path.join(dir, 'model_int8.onnx')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export class FakeHub {
  readonly repos = new Map<string, FakeRepo>();
  /** Renamed repos: old id -> new id, answered with a relative 307 like the hub does. */
  readonly renames = new Map<string, string>();
  readonly requests: Recorded[] = [];
  cdnMode: CdnMode = {};
  /** Where the hub redirects an LFS file (default: the CDN); mirrors redirect within their own origin. */
  lfsLocation: ((sha: string) => string) | undefined;
  private drops = 0;
  /** Connections the CDN has open right now (a cancelled download must leave none). */
  readonly cdnSockets = new Set<net.Socket>();
  private hubServer!: http.Server;
  private cdnServer!: http.Server;
  hubUrl = '';
  cdnUrl = '';

  constructor(private readonly tls?: { key: string; cert: string }) {}

  async start(): Promise<this> {
    const make = (h: http.RequestListener): http.Server =>
      this.tls ? https.createServer(this.tls, h) : http.createServer(h);
    this.hubServer = make((req, res) => this.hub(req, res));
    this.cdnServer = make((req, res) => this.cdn(req, res));
    this.cdnServer.on(this.tls ? 'secureConnection' : 'connection', (sock: net.Socket) => {
      this.cdnSockets.add(sock);
      sock.once('close', () => this.cdnSockets.delete(sock));
    });
    const scheme = this.tls ? 'https' : 'http';
    this.hubUrl = `${scheme}://127.0.0.1:${await listen(this.hubServer)}`;
    this.cdnUrl = `${scheme}://127.0.0.1:${await listen(this.cdnServer)}`;
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([close(this.hubServer), close(this.cdnServer)]);
  }

  setMode(mode: CdnMode): void {
    this.cdnMode = mode;
    this.drops = 0;
  }

  of(server: 'hub' | 'cdn', method = 'GET'): Recorded[] {
    return this.requests.filter((r) => r.server === server && r.method === method);
  }

  private hub(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests.push({
      server: 'hub',
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      remotePort: req.socket.remotePort,
    });
    // A mirror serves the blobs itself (same origin as the resolve URLs).
    if ((req.url ?? '').startsWith('/blobs/')) return this.cdn(req, res);
    // Dataset repositories live under /datasets/; they are registered as "datasets/owner/name".
    const ds = /^\/datasets(\/.*)$/.exec(req.url ?? '');
    const m = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(ds ? ds[1]! : (req.url ?? ''));
    const kind = ds ? 'datasets/' : '';
    const fail = (status: number, code: string): void => {
      res.writeHead(status, { 'x-error-code': code, 'content-type': 'text/plain' }).end(`${code}\n`);
    };
    if (!m) return fail(404, 'NotFound');
    const renamed = this.renames.get(`${kind}${m[1]}/${m[2]}`);
    if (renamed) {
      res.writeHead(307, { location: `/${kind}${renamed}/resolve/${m[3]}/${m[4]}` });
      return void res.end();
    }
    const repo = this.repos.get(`${kind}${m[1]}/${m[2]}`);
    // The hub answers 401 for a private repo without a valid token, and also for one that does not exist.
    if (repo?.token && req.headers.authorization !== `Bearer ${repo.token}`) return fail(401, 'RepoNotFound');
    if (!repo) return fail(404, 'RepoNotFound');
    const rev = decodeURIComponent(m[3]!);
    if (rev !== 'main' && rev !== repo.commit) return fail(404, 'RevisionNotFound');
    const file = m[4]!.split('/').map(decodeURIComponent).join('/');
    const data = repo.files.get(file);
    if (!data) return fail(404, 'EntryNotFound');
    const common = { 'x-repo-commit': repo.commit, 'accept-ranges': 'bytes' };
    // Large files live in LFS: ONNX graphs, and Parquet files in dataset repositories.
    if (file.endsWith('.onnx') || file.endsWith('.parquet')) {
      const sha = sha256(data);
      const pointer = Buffer.from(
        `version https://git-lfs.github.com/spec/v1\noid sha256:${sha}\nsize ${data.length}\n`,
      );
      const body = `Found. Redirecting to ${this.cdnUrl}/blobs/${sha}`;
      res.writeHead(302, {
        ...common,
        location: this.lfsLocation?.(sha) ?? `${this.cdnUrl}/blobs/${sha}?X-Amz-Signature=fake`,
        'x-linked-etag': `"${sha}"`,
        'x-linked-size': String(data.length),
        etag: `"${gitBlobSha1(pointer)}"`,
        'content-length': String(Buffer.byteLength(body)),
      });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    res.writeHead(200, {
      ...common,
      etag: `"${gitBlobSha1(data)}"`,
      'content-length': String(data.length),
      'content-type': 'application/json',
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  }

  private cdn(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests.push({
      server: 'cdn',
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      remotePort: req.socket.remotePort,
    });
    const sha = /^\/blobs\/([0-9a-f]{64})/.exec(req.url ?? '')?.[1];
    const data = [...this.repos.values()].flatMap((r) => [...r.files.values()]).find((d) => sha256(d) === sha);
    if (!data) return void res.writeHead(404).end();
    const etag = `"${createHash('md5').update(data).digest('hex')}"`;
    const mode = this.cdnMode;
    let body = data;
    if (mode.corrupt) {
      body = Buffer.from(data);
      const i = body.length >> 1;
      body[i] = body[i]! ^ 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    let start = 0;
    if (range && !mode.ignoreRange && (ifRange === undefined || ifRange === etag)) {
      start = Number(range[1]);
      if (start >= data.length) return void res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
      res.writeHead(206, {
        etag,
        'accept-ranges': 'bytes',
        'content-length': String(data.length - start),
        'content-range': `bytes ${start}-${data.length - 1}/${data.length}`,
      });
    } else {
      // With extra bytes the body is chunked: a Content-Length would make the client stop at the declared size.
      res.writeHead(200, {
        etag,
        'accept-ranges': 'bytes',
        ...(mode.extraBytes ? {} : { 'content-length': String(data.length) }),
      });
    }
    if (req.method === 'HEAD') return void res.end();
    let rest = body.subarray(start);
    if (mode.extraBytes) {
      res.write(rest);
      return void res.end(Buffer.alloc(mode.extraBytes, 0x41));
    }
    if (mode.trickleMs) {
      const drip = (): void => {
        if (res.destroyed || !rest.length) return void res.end();
        res.write(rest.subarray(0, 1));
        rest = rest.subarray(1);
        setTimeout(drip, mode.trickleMs);
      };
      return drip();
    }
    if (mode.dropAfter !== undefined && this.drops < (mode.dropTimes ?? 1)) {
      this.drops++;
      res.write(rest.subarray(0, mode.dropAfter), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    if (mode.stallAfter !== undefined) return void res.write(rest.subarray(0, mode.stallAfter));
    if (!mode.chunkDelayMs) return void res.end(rest);
    const pump = (): void => {
      if (res.destroyed) return;
      if (!rest.length) return void res.end();
      res.write(rest.subarray(0, 8192));
      rest = rest.subarray(8192);
      setTimeout(pump, mode.chunkDelayMs);
    };
    pump();
  }
}

/** A forward proxy (absolute-URL requests) and CONNECT tunnel, for loopback targets only. */
export class FakeProxy {
  readonly seen: Array<{ method: string; target: string }> = [];
  /** Local ports of the proxy's upstream connections (see Recorded.remotePort). */
  readonly upstreamPorts = new Set<number>();
  private readonly sockets = new Set<net.Socket>();
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.seen.push({ method: req.method ?? '', target: req.url ?? '' });
      const target = new URL(req.url ?? '');
      if (target.hostname !== '127.0.0.1') return void res.writeHead(403).end();
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: req.method,
          headers: req.headers,
          agent: false,
        },
        (r) => {
          if (r.socket.localPort) this.upstreamPorts.add(r.socket.localPort);
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    this.server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      this.seen.push({ method: 'CONNECT', target: req.url ?? '' });
      const [host, port] = (req.url ?? '').split(':');
      if (host !== '127.0.0.1') return void client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      this.sockets.add(client);
      const up = net.connect(Number(port), host, () => {
        if (up.localPort) this.upstreamPorts.add(up.localPort);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(client);
        client.pipe(up);
      });
      this.sockets.add(up);
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    });
    this.url = `http://127.0.0.1:${await listen(this.server)}`;
    return this;
  }

  stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return close(this.server);
  }
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
