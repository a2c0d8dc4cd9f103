// How much a hub model would download, asked before downloading: one HEAD per file of the variant (the hub
// reports each size without sending the body), minus nothing when a verified copy of that commit is cached.
// Lets the extension say "this downloads 268 MB" before the user agrees to switch models.
import { RepoCache, type HubVariant } from './cacheLayout';
import type { NetOptions } from './http';
import { headFile, type HubTarget } from './hubClient';
import {
  DEFAULT_AUTH_HINT,
  DEFAULT_ENDPOINT,
  variantFiles,
  type FetchHubOptions,
  hubRefOf,
  type HubRefInput,
} from './fetchModel';

/** The files of a hub model's variant with the sizes the hub reports, and whether the cache already has them. */
export interface DownloadSize {
  repo: string;
  revision: string;
  commit: string;
  endpoint: string;
  files: Array<{ file: string; size: number | undefined }>;
  /** Sum of the sizes, or undefined when the hub did not report one of them. */
  totalBytes: number | undefined;
  /** A verified copy of this commit and variant is cached: switching downloads nothing. */
  cached: boolean;
}

/** Asks the hub (HEAD only) what fetchHubModel would download for `input`; rejects with HubError like it. */
export async function hubDownloadSize(
  input: HubRefInput,
  opts: Pick<
    FetchHubOptions,
    'cacheDir' | 'endpoint' | 'token' | 'signal' | 'proxy' | 'noProxy' | 'timeoutMs' | 'authHint' | 'ca' | 'env'
  > & { variant: HubVariant },
): Promise<DownloadSize> {
  const ref = hubRefOf(input);
  const env = opts.env ?? process.env;
  const endpoint = opts.endpoint || env['HF_ENDPOINT'] || DEFAULT_ENDPOINT;
  const target: HubTarget = {
    endpoint,
    repo: ref.repo,
    token: opts.token || undefined,
    authHint: opts.authHint ?? DEFAULT_AUTH_HINT,
  };
  const net: NetOptions = {
    proxy: opts.proxy,
    noProxy: opts.noProxy,
    env,
    timeoutMs: opts.timeoutMs ?? 10_000,
    signal: opts.signal,
    ca: opts.ca,
  };
  const specs = variantFiles(opts.variant);
  const first = await headFile(target, ref.revision, specs[0]!.file, net);
  const commit = first!.commit;
  const files: DownloadSize['files'] = [{ file: first!.file, size: first!.size }];
  // At the commit, not the branch, as the download itself does.
  for (const s of specs.slice(1)) {
    const m = await headFile(target, commit, s.file, net, s.optional);
    if (m) files.push({ file: m.file, size: m.size });
  }
  const totalBytes = files.every((f) => f.size !== undefined)
    ? files.reduce((a, f) => a + (f.size ?? 0), 0)
    : undefined;
  const cached = new RepoCache(opts.cacheDir, ref.repo).readComplete(commit, opts.variant) !== undefined;
  return { repo: ref.repo, revision: ref.revision, commit, endpoint, files, totalBytes, cached };
}
