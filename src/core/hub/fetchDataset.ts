// fetchHubDatasetFile: one file of a hub dataset repository into the same cache, through the same client and
// verification as a model: one HEAD resolves the revision to a commit and reports the file's hash and size, a
// verified copy of that commit is reused, otherwise the file is downloaded (resumable), checked against the
// hub's sha256 / git blob sha1, placed atomically, and recorded last. Offline, the revision's cached copy serves.
import * as path from 'node:path';
import { InspectorError } from '../errors';
import { RepoCache, type VerifiedFile } from './cacheLayout';
import type { DatasetFileRef } from './datasetRef';
import { downloadFile } from './download';
import { HubError, isOfflineFailure } from './errors';
import { fallBackOrThrow, hubConnection, progressReporter, type FetchHubOptions } from './fetchModel';
import { headFile, type FileMeta } from './hubClient';
import { formatBytes } from './progress';
import { formatRef, isCommitHash } from './modelRef';

/** How to fetch a dataset file: a model fetch's options, without the variant, plus a size limit. */
export interface FetchDatasetOptions extends Omit<FetchHubOptions, 'variant'> {
  /** Files larger than this (as the hub reports them) are refused before downloading. */
  maxBytes?: number;
}

/** The verified local copy of a hub dataset file. */
export interface FetchDatasetResult {
  /** The file on disk: <cacheDir>/hub/datasets--owner--name/snapshots/<commit>/<path>. */
  path: string;
  repo: string;
  revision: string;
  commit: string;
  file: VerifiedFile;
  fromCache: boolean;
  offline: boolean;
}

/** "owner/name@rev:path" for messages. */
export function formatDatasetRef(ref: DatasetFileRef): string {
  return `${formatRef(ref)}:${ref.file}`;
}

export async function fetchHubDatasetFile(ref: DatasetFileRef, opts: FetchDatasetOptions): Promise<FetchDatasetResult> {
  const { target, net, headNet, offline } = hubConnection(ref.repo, 'dataset', opts);
  const cache = new RepoCache(opts.cacheDir, ref.repo, 'dataset');
  const name = formatDatasetRef(ref);
  const result = (commit: string, file: VerifiedFile, fromCache: boolean, isOffline: boolean): FetchDatasetResult => ({
    path: path.join(cache.snapshotDir(commit), ...ref.file.split('/')),
    repo: ref.repo,
    revision: ref.revision,
    commit,
    file,
    fromCache,
    offline: isOffline,
  });
  const fromCache = (why: HubError): FetchDatasetResult => {
    const commit = isCommitHash(ref.revision) ? ref.revision : cache.readRef(ref.revision);
    const v = commit ? cache.readVerifiedFile(commit, ref.file) : undefined;
    if (!commit || !v)
      throw new HubError(why.code, `${why.message} No verified copy of ${name} is cached in ${cache.root}.`, why.hint);
    return result(commit, v, true, true);
  };
  if (offline)
    return fromCache(
      new HubError('HUB_NETWORK', 'Offline mode is on (HF_HUB_OFFLINE).', 'Turn it off to download the dataset.'),
    );

  let meta: FileMeta;
  try {
    meta = (await headFile(target, ref.revision, ref.file, headNet))!;
  } catch (err) {
    if (isOfflineFailure(err)) return fromCache(err as HubError);
    throw err;
  }
  const cached = cache.readVerifiedFile(meta.commit, ref.file);
  if (cached) {
    if (!isCommitHash(ref.revision)) cache.writeRef(ref.revision, meta.commit);
    return result(meta.commit, cached, true, false);
  }
  if (opts.maxBytes !== undefined && meta.size !== undefined && meta.size > opts.maxBytes) {
    throw new InspectorError(
      'TEXT_TOO_LARGE',
      `${name} is ${formatBytes(meta.size)}, more than the ${formatBytes(opts.maxBytes)} dataset mode reads; nothing was downloaded.`,
      'Choose a smaller file of the repository (most datasets are split into several Parquet files).',
    );
  }

  const unlock = cache.lock();
  try {
    const report = progressReporter(opts.onProgress, meta.size);
    const d = await downloadFile(target, meta, cache, net, opts.retries ?? 3, (received) =>
      report(ref.file, received, meta.size, false, false),
    );
    cache.place(d.part, meta.commit, ref.file);
    const v: VerifiedFile = { path: ref.file, size: d.size, verification: d.verification, hash: d.hash };
    cache.writeVerifiedFile(meta.commit, v);
    report(ref.file, d.size, meta.size, false, true);
    if (!isCommitHash(ref.revision)) cache.writeRef(ref.revision, meta.commit);
    return result(meta.commit, v, false, false);
  } catch (err) {
    return fallBackOrThrow(err, cache.root, fromCache);
  } finally {
    unlock();
  }
}
