// fetchHubModel: a hub id in, a verified model folder out. Resolves the revision to a commit with one HEAD,
// reuses a complete snapshot of that commit, otherwise HEADs every file (sizes for overall progress),
// downloads what is missing, verifies, places each file atomically and marks the snapshot complete last.
// When the hub cannot be reached, a complete snapshot recorded for the revision is used instead.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ONNX_FILES } from '../model/variants';
import { cacheError, RepoCache, type CompleteMarker, type HubVariant, type VerifiedFile } from './cacheLayout';
import { downloadFile, verify } from './download';
import { HubError, isOfflineFailure } from './errors';
import { cancelled, type NetOptions } from './http';
import { checkEndpoint, headFile, type FileMeta, type HubTarget, type RepoType } from './hubClient';
import { formatRef, isCommitHash, parseModelRef } from './modelRef';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The whole fetch (every file, every resume) must finish within this; 4 GB at 1 MB/s takes ~70 min. */
export const DEFAULT_DEADLINE_MS = 2 * 60 * 60_000;
const METADATA_TIMEOUT_MS = 10_000;
export const DEFAULT_AUTH_HINT =
  'Set HF_TOKEN to a token with read access (CLI), or store one with the token command (VS Code).';

/** Progress of one fetch; totals are undefined until the hub has reported every size. */
export interface HubProgress {
  /** The file being downloaded (repo-relative, e.g. onnx/model.onnx). */
  file: string;
  received: number;
  total: number | undefined;
  overallReceived: number;
  overallTotal: number | undefined;
  /** True for files found already verified in the cache. */
  cached: boolean;
}

export interface FetchHubOptions {
  /** Base cache folder; hub files go to <cacheDir>/hub/models--owner--name/. */
  cacheDir: string;
  variant: HubVariant;
  /** Default: env HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  token?: string;
  signal?: AbortSignal;
  onProgress?: (p: HubProgress) => void;
  /**
   * Explicit proxy URL (e.g. VS Code's http.proxy); default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from env.
   * false: leave proxying to the host program (VS Code patches node's https when http.proxySupport is on).
   */
  proxy?: string | false;
  noProxy?: string;
  /** Stall timeout in ms (nothing received for this long); default env HF_HUB_DOWNLOAD_TIMEOUT (s), else 30 s. */
  timeoutMs?: number;
  /** Overall limit in ms for the whole fetch, however steadily bytes arrive; default 2 hours. */
  deadlineMs?: number;
  /** Automatic resumes after a dropped connection or stall, per file; default 3. */
  retries?: number;
  /** Skip the network and use the cache only (default: env HF_HUB_OFFLINE=1). */
  offline?: boolean;
  /** How the calling program takes a token, appended to 401/403 messages. */
  authHint?: string;
  /** Extra CA certificates for TLS. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Environment for HF_ENDPOINT, HF_HUB_OFFLINE and the proxy variables (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface FetchHubResult {
  /** The snapshot folder: a model folder in the Hugging Face layout, ready for Inspector.open. */
  dir: string;
  repo: string;
  revision: string;
  commit: string;
  /** Nothing was downloaded: every file came verified from the cache. */
  fromCache: boolean;
  /** The hub could not be reached (or offline mode): the cached snapshot of the revision was used. */
  offline: boolean;
  files: VerifiedFile[];
}

/** Hub refs as parseModelRef returns them, or the string itself. */
export type HubRefInput = string | { repo: string; revision: string };

/** Where and how one fetch talks to the hub (models and datasets alike): endpoint, token, timeouts, proxy, offline mode. */
export interface HubConnection {
  target: HubTarget;
  /** For downloads: the stall timeout and the whole fetch's deadline. */
  net: NetOptions;
  /** For metadata (HEAD): a shorter stall timeout. */
  headNet: NetOptions;
  offline: boolean;
}

export function hubConnection(repo: string, type: RepoType, opts: Omit<FetchHubOptions, 'variant'>): HubConnection {
  const env = opts.env ?? process.env;
  const endpoint = opts.endpoint || env['HF_ENDPOINT'] || DEFAULT_ENDPOINT;
  checkEndpoint(endpoint);
  const target: HubTarget = {
    endpoint,
    repo,
    type,
    token: opts.token || undefined,
    authHint: opts.authHint ?? DEFAULT_AUTH_HINT,
  };
  const timeoutMs = opts.timeoutMs ?? seconds(env['HF_HUB_DOWNLOAD_TIMEOUT']) ?? DEFAULT_TIMEOUT_MS;
  const limitMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const deadline = { at: Date.now() + limitMs, limitMs };
  const net: NetOptions = {
    proxy: opts.proxy,
    noProxy: opts.noProxy,
    env,
    timeoutMs,
    deadline,
    signal: opts.signal,
    ca: opts.ca,
  };
  // Metadata answers fast or not at all: a hanging network should fall back to the cache in seconds, not
  // after a full download timeout (huggingface_hub's HF_HUB_ETAG_TIMEOUT, 10 s by default).
  const headNet: NetOptions = {
    ...net,
    timeoutMs: Math.min(timeoutMs, seconds(env['HF_HUB_ETAG_TIMEOUT']) ?? METADATA_TIMEOUT_MS),
  };
  const offline = opts.offline ?? /^(1|on|yes|true)$/i.test(env['HF_HUB_OFFLINE'] ?? '');
  return { target, net, headNet, offline };
}

/** The files of a variant; tokenizer_config.json is optional like in a local folder. */
export function variantFiles(variant: HubVariant): Array<{ file: string; optional: boolean }> {
  return [
    { file: 'config.json', optional: false },
    { file: 'tokenizer.json', optional: false },
    { file: 'tokenizer_config.json', optional: true },
    { file: `onnx/${ONNX_FILES[variant]}`, optional: false },
  ];
}

/** The hub repository and revision `input` names; a local folder is refused (it is opened as a folder). */
export function hubRefOf(input: HubRefInput): { repo: string; revision: string } {
  const ref = typeof input === 'string' ? parseModelRef(input) : { kind: 'hub' as const, ...input };
  if (ref.kind !== 'hub')
    throw new HubError(
      'HUB_BAD_ID',
      `"${input as string}" is a local folder, not a hub id.`,
      'Open it as a folder instead.',
    );
  return ref;
}

export async function fetchHubModel(input: HubRefInput, opts: FetchHubOptions): Promise<FetchHubResult> {
  const ref = hubRefOf(input);
  const { target, net, headNet, offline } = hubConnection(ref.repo, 'model', opts);
  const cache = new RepoCache(opts.cacheDir, ref.repo);
  const name = `${formatRef(ref)} (${opts.variant})`;
  const fromCache = (why: HubError): FetchHubResult => {
    const commit = isCommitHash(ref.revision) ? ref.revision : cache.readRef(ref.revision);
    const marker = commit ? cache.readComplete(commit, opts.variant) : undefined;
    if (!commit || !marker) {
      throw new HubError(why.code, `${why.message} No complete copy of ${name} is cached in ${cache.root}.`, why.hint);
    }
    return result(cache, ref.revision, marker, true, true);
  };

  if (offline)
    return fromCache(
      new HubError('HUB_NETWORK', 'Offline mode is on (HF_HUB_OFFLINE).', 'Turn it off to download the model.'),
    );

  let first: FileMeta;
  try {
    first = (await headFile(target, ref.revision, 'config.json', headNet))!;
  } catch (err) {
    if (isOfflineFailure(err)) return fromCache(err as HubError);
    throw err;
  }
  const commit = first.commit;
  const done = cache.readComplete(commit, opts.variant);
  if (done) {
    if (!isCommitHash(ref.revision)) cache.writeRef(ref.revision, commit);
    reportCached(done.files, opts.onProgress);
    return result(cache, ref.revision, done, true, false);
  }

  const unlock = cache.lock();
  try {
    const { marker, downloaded } = await download(target, commit, first, cache, net, headNet, opts);
    cache.writeComplete(marker);
    if (!isCommitHash(ref.revision)) cache.writeRef(ref.revision, commit);
    return result(cache, ref.revision, marker, !downloaded, false);
  } catch (err) {
    return fallBackOrThrow(err, cache.root, fromCache);
  } finally {
    unlock();
  }
}

async function download(
  t: HubTarget,
  commit: string,
  first: FileMeta,
  cache: RepoCache,
  net: NetOptions,
  headNet: NetOptions,
  opts: FetchHubOptions,
): Promise<{ marker: CompleteMarker; downloaded: boolean }> {
  const specs = variantFiles(opts.variant);
  // Everything after the first HEAD asks for the commit, not the branch, so a push during the download
  // cannot mix files of two commits.
  const metas: Array<FileMeta | undefined> = [];
  for (const s of specs)
    metas.push(s.file === first.file ? first : await headFile(t, commit, s.file, headNet, s.optional));
  const known = metas.filter((m): m is FileMeta => m !== undefined);
  const overallTotal = known.every((m) => m.size !== undefined) ? known.reduce((a, m) => a + m.size!, 0) : undefined;
  const report = progressReporter(opts.onProgress, overallTotal);

  const files: VerifiedFile[] = [];
  const absent: string[] = [];
  let downloaded = false;
  for (const [i, spec] of specs.entries()) {
    const m = metas[i];
    if (!m) {
      absent.push(spec.file);
      continue;
    }
    if (opts.signal?.aborted) throw cancelled();
    const dest = path.join(cache.snapshotDir(commit), ...m.file.split('/'));
    let v: VerifiedFile | undefined;
    if (fs.existsSync(dest)) {
      // Placed by an earlier run (e.g. the other variant) and verified then; check again, it is cheap
      // next to a download, and a file edited by hand is replaced instead of loaded.
      try {
        const d = await verify(m, dest);
        v = { path: m.file, size: d.size, verification: d.verification, hash: d.hash };
        report(m.file, d.size, m.size, true, true);
      } catch (err) {
        if (!(err instanceof HubError) || err.code !== 'HUB_VERIFY') throw err;
      }
    }
    if (!v) {
      const d = await downloadFile(t, m, cache, net, opts.retries ?? 3, (received) =>
        report(m.file, received, m.size, false, false),
      );
      cache.place(d.part, commit, m.file);
      report(m.file, d.size, m.size, false, true);
      v = { path: m.file, size: d.size, verification: d.verification, hash: d.hash };
      downloaded = true;
    }
    files.push(v);
    report.finish(v.size);
  }
  return {
    marker: { repo: t.repo, commit, variant: opts.variant, files, absent, completedAt: new Date().toISOString() },
    downloaded,
  };
}

/**
 * A fetch that failed half-way: when the hub went away, an older verified copy of the revision still serves
 * (huggingface_hub does the same); a file-system error names the cache; anything else is rethrown as it is.
 */
export function fallBackOrThrow<T>(err: unknown, cacheRoot: string, fromCache: (why: HubError) => T): T {
  if (isOfflineFailure(err)) {
    try {
      return fromCache(err as HubError);
    } catch {
      // fall through to the original error, which says what broke
    }
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (!(err instanceof HubError) && code && /^E(ACCES|PERM|NOSPC|ROFS|NOTDIR|EXIST|BUSY)$/.test(code))
    throw cacheError(cacheRoot, err);
  throw err;
}

/** Progress with the bytes of finished files carried forward, at most ten reports a second per file. */
export function progressReporter(onProgress: FetchHubOptions['onProgress'], overallTotal: number | undefined) {
  let finished = 0;
  let last = 0;
  const report = (file: string, received: number, total: number | undefined, cached: boolean, force: boolean): void => {
    if (!onProgress) return;
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    onProgress({ file, received, total, overallReceived: finished + received, overallTotal, cached });
  };
  report.finish = (size: number): void => {
    finished += size;
    last = 0;
  };
  return report;
}

function reportCached(files: VerifiedFile[], onProgress: FetchHubOptions['onProgress']): void {
  const total = files.reduce((a, f) => a + f.size, 0);
  let sum = 0;
  for (const f of files) {
    sum += f.size;
    onProgress?.({
      file: f.path,
      received: f.size,
      total: f.size,
      overallReceived: sum,
      overallTotal: total,
      cached: true,
    });
  }
}

function result(
  cache: RepoCache,
  revision: string,
  marker: CompleteMarker,
  fromCache: boolean,
  offline: boolean,
): FetchHubResult {
  return {
    dir: cache.snapshotDir(marker.commit),
    repo: marker.repo,
    revision,
    commit: marker.commit,
    fromCache,
    offline,
    files: marker.files,
  };
}

function seconds(v: string | undefined): number | undefined {
  const n = Number(v);
  return v && Number.isFinite(n) && n > 0 ? n * 1000 : undefined;
}
