// One file into a resumable part file, then verified. Part files live in blobs/ named by the content hash the
// hub reported, so a file that changed upstream gets a fresh part file; If-Range with the file host's own
// validator makes a host whose copy changed answer 200 (start over) instead of 206 (append).
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheError, type RepoCache, type Verification } from './cacheLayout';
import { HubError } from './errors';
import { send, type Exchange, type NetOptions } from './http';
import { httpError, redirectTarget, requestHeaders, resolveUrl, type FileMeta, type HubTarget } from './hubClient';

const MAX_REDIRECTS = 10;

export interface Downloaded {
  part: string;
  size: number;
  verification: Verification;
  hash?: string;
}

/** Download `meta` (at its commit) into its part file, retrying dropped connections from where they stopped. */
export async function downloadFile(
  t: HubTarget,
  meta: FileMeta,
  cache: RepoCache,
  net: NetOptions,
  retries: number,
  onBytes: (received: number) => void,
): Promise<Downloaded> {
  const part = cache.partPath(meta.etag);
  try {
    fs.mkdirSync(path.dirname(part), { recursive: true });
  } catch (err) {
    throw cacheError(part, err);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await fetchInto(t, meta, part, net, onBytes);
      break;
    } catch (err) {
      const pastDeadline = net.deadline !== undefined && Date.now() >= net.deadline.at;
      const retryable =
        err instanceof HubError && (err.code === 'HUB_NETWORK' || err.code === 'HUB_TIMEOUT') && !pastDeadline;
      if (!retryable || attempt >= retries) throw err;
      await delay(Math.min(4000, 250 * 2 ** attempt), net.signal);
    }
  }
  return verify(meta, part);
}

async function fetchInto(
  t: HubTarget,
  meta: FileMeta,
  part: string,
  net: NetOptions,
  onBytes: (n: number) => void,
): Promise<void> {
  let have = sizeOf(part);
  if (meta.size !== undefined && have > meta.size) {
    removePart(part);
    have = 0;
  }
  if (meta.size !== undefined && have === meta.size) return; // complete, only the check is left
  onBytes(have);
  const validator = have > 0 ? readValidator(part) : undefined;
  const extra: Record<string, string> = {};
  if (have > 0) {
    extra['range'] = `bytes=${have}-`;
    if (validator) extra['if-range'] = validator;
  }
  const ex = await follow(t, resolveUrl(t, meta.commit, meta.file), extra, net, meta);
  try {
    const { res } = ex;
    let append = false;
    if (res.statusCode === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
      if (!m || Number(m[1]) !== have) {
        // The host answered a different range than asked: start over rather than splice wrong bytes.
        removePart(part);
        throw new HubError(
          'HUB_NETWORK',
          `${ex.url.host} answered a range request for ${meta.file} with Content-Range "${res.headers['content-range'] ?? ''}"; the download will restart.`,
          'Try again.',
        );
      }
      append = true;
    } else if (res.statusCode === 416) {
      removePart(part);
      throw new HubError(
        'HUB_NETWORK',
        `${ex.url.host} rejected resuming ${meta.file} at byte ${have}; the download will restart.`,
        'Try again.',
      );
    } else if (res.statusCode !== 200) {
      throw httpError(t, meta.commit, meta.file, res);
    }
    if (!append) {
      // 200: the host sent the whole file (it ignored Range, or If-Range said its copy changed).
      have = 0;
      writeValidator(part, res.headers.etag, res.headers['last-modified']);
    }
    onBytes(have);
    let received = have;
    await new Promise<void>((resolve, reject) => {
      // Not stream.pipeline: on an error it destroys the file stream and drops bytes still buffered; here
      // everything received is flushed to the part file first, so a resume loses nothing.
      const out = fs.createWriteStream(part, { flags: append ? 'a' : 'w' });
      let failure: unknown;
      const stop = (err: unknown): void => {
        failure ??= err;
        out.end();
      };
      out.on('error', (err) => {
        failure ??= cacheError(part, err);
        res.destroy();
      });
      out.on('close', () => (failure ? reject(failure) : resolve()));
      res.on('data', (chunk: Buffer) => {
        ex.kick();
        // Never more than the hub declared: a host sending more is cut off there, not written to disk in full.
        if (meta.size !== undefined && received + chunk.length > meta.size) {
          out.write(chunk.subarray(0, meta.size - received));
          received = meta.size;
          res.destroy();
          return stop(
            new HubError(
              'HUB_VERIFY',
              `${ex.url.host} sent more than the ${meta.size} bytes the hub declared for ${meta.file}; the download was stopped there.`,
              'Try again; if it keeps failing, the mirror or proxy is serving a different file.',
            ),
          );
        }
        received += chunk.length;
        onBytes(received);
        if (!out.write(chunk)) {
          res.pause();
          out.once('drain', () => res.resume());
        }
      });
      res.on('error', stop);
      res.on('close', () => (res.complete ? out.end() : stop(new Error('connection closed'))));
    }).catch((err: unknown) => {
      if (err instanceof HubError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new HubError(
        'HUB_NETWORK',
        `The connection to ${ex.url.host} broke after ${received} bytes of ${meta.file} (${code}).`,
        'Try again: the download resumes where it stopped.',
      );
    });
  } finally {
    ex.close();
  }
}

/** GET through the hub's redirects; the token is dropped as soon as a hop leaves the endpoint's origin. */
async function follow(
  t: HubTarget,
  start: URL,
  extra: Record<string, string>,
  net: NetOptions,
  meta: FileMeta,
): Promise<Exchange> {
  let url = start;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const ex = await send(url, 'GET', requestHeaders(t, url, extra), net);
    const status = ex.res.statusCode ?? 0;
    const location = ex.res.headers.location;
    if (status >= 300 && status < 400 && location) {
      ex.close();
      url = redirectTarget(url, location, meta.file);
      continue;
    }
    return ex;
  }
  throw new HubError(
    'HUB_PROTOCOL',
    `${t.endpoint} redirected ${meta.file} more than ${MAX_REDIRECTS} times.`,
    'Check the endpoint (HF_ENDPOINT).',
  );
}

/**
 * Size, then the content hash the hub reported: sha256 for LFS files (64 hex), git's blob sha1 for small
 * files kept in git (40 hex); any other ETag (a non-hub server) leaves only the size to check. A mismatch
 * deletes the part file: resuming onto wrong bytes could never succeed.
 */
export async function verify(meta: FileMeta, part: string): Promise<Downloaded> {
  const size = sizeOf(part);
  if (meta.size !== undefined && size !== meta.size) {
    removePart(part);
    throw new HubError(
      'HUB_VERIFY',
      `${meta.file} from ${meta.commit.slice(0, 8)} is ${size} bytes but the hub said ${meta.size}; it was deleted.`,
      'Try again; if it keeps failing, the mirror or proxy is serving a different file.',
    );
  }
  const kind: Verification = /^[0-9a-f]{64}$/.test(meta.etag)
    ? 'sha256'
    : /^[0-9a-f]{40}$/.test(meta.etag)
      ? 'git-sha1'
      : 'size';
  if (kind === 'size') return { part, size, verification: kind };
  const hash = kind === 'sha256' ? createHash('sha256') : createHash('sha1').update(`blob ${size}\0`);
  await hashFile(part, hash);
  const got = hash.digest('hex');
  if (got !== meta.etag) {
    removePart(part);
    throw new HubError(
      'HUB_VERIFY',
      `${meta.file} from ${meta.commit.slice(0, 8)} failed its ${kind} check (expected ${meta.etag}, got ${got}); the download was deleted and nothing was used.`,
      'Try again; if it keeps failing, the mirror or proxy is serving a corrupted or different file.',
    );
  }
  return { part, size, verification: kind, hash: got };
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function removePart(part: string): void {
  fs.rmSync(part, { force: true });
  fs.rmSync(`${part}.json`, { force: true });
}

/** A strong ETag or Last-Modified of the file host's copy, for If-Range on resume. */
function writeValidator(part: string, etag: string | undefined, lastModified: string | undefined): void {
  const v = etag && !etag.startsWith('W/') ? etag : lastModified;
  if (v) fs.writeFileSync(`${part}.json`, JSON.stringify({ validator: v }));
  else fs.rmSync(`${part}.json`, { force: true });
}

function readValidator(part: string): string | undefined {
  try {
    const v = (JSON.parse(fs.readFileSync(`${part}.json`, 'utf8')) as { validator?: unknown }).validator;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
