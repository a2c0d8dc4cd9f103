// The hub's URL scheme and headers: {endpoint}/{repo}/resolve/{revision}/{file}. A HEAD there answers, without
// the body, which commit the revision is (X-Repo-Commit), what the file's content hash is (X-Linked-Etag =
// sha256 for LFS files, ETag = git blob sha1 for small git files) and its size (X-Linked-Size for LFS files,
// which answer with a redirect to the file host; Content-Length otherwise). Error answers carry
// X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo), as huggingface_hub reads them.
import type * as http from 'node:http';
import { HubError } from './errors';
import { send, type NetOptions } from './http';
import { isCommitHash } from './modelRef';

/** Where and as whom to ask. */
export interface HubTarget {
  endpoint: string;
  repo: string;
  /** A dataset repository lives under {endpoint}/datasets/{repo}; a model under {endpoint}/{repo}. */
  type?: RepoType;
  token?: string;
  /** Appended to 401/403 messages: how to give a token in the calling program. */
  authHint: string;
}

/** The hub's repository kinds this project reads. */
export type RepoType = 'model' | 'dataset';

/** What the hub says about one file at one revision. */
export interface FileMeta {
  file: string;
  revision: string;
  commit: string;
  /** The content hash the hub reports, quotes and W/ stripped. */
  etag: string;
  size: number | undefined;
}

const USER_AGENT = `distilbert-inspector/0.1 node/${process.versions.node}`;
const MAX_REDIRECTS = 10;

/** Where the endpoint comes from, named when it is not a usable URL. */
export const ENDPOINT_SETTING =
  'the hub endpoint (VS Code: distilbertInspector.hub.endpoint; CLI and environment: HF_ENDPOINT)';

/** The endpoint as a URL: http(s) only (a file: or ftp: endpoint must never be sent a request as if it were HTTP). */
export function checkEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new HubError(
      'HUB_PROTOCOL',
      `"${endpoint}" is not a URL, so it cannot be ${ENDPOINT_SETTING}.`,
      'Set it to an http(s) URL such as https://huggingface.co, or clear it.',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new HubError(
      'HUB_PROTOCOL',
      `${ENDPOINT_SETTING} is "${endpoint}", a ${url.protocol} URL; only http and https are supported.`,
      'Set it to an http(s) URL such as https://huggingface.co, or clear it.',
    );
  }
  return url;
}

/**
 * The target of a redirect: http(s) only, and never from https down to http (a redirect must not strip TLS
 * from a download, or send a file: or ftp: request as HTTP).
 */
export function redirectTarget(from: URL, location: string, file: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new HubError(
      'HUB_PROTOCOL',
      `${from.host} redirected ${file} to "${location}", which is not a URL.`,
      'Check the endpoint (HF_ENDPOINT) and any proxy in between.',
    );
  }
  if (next.protocol !== 'https:' && next.protocol !== 'http:') {
    throw new HubError(
      'HUB_PROTOCOL',
      `${from.host} redirected ${file} to a ${next.protocol} URL; only http and https are followed.`,
      'Check the endpoint (HF_ENDPOINT) and any proxy in between.',
    );
  }
  if (from.protocol === 'https:' && next.protocol === 'http:') {
    throw new HubError(
      'HUB_PROTOCOL',
      `${from.host} redirected ${file} from https to plain http (${next.host}); the download was refused.`,
      'Use an endpoint whose file host serves https, or check the proxy in between.',
    );
  }
  return next;
}

export function resolveUrl(t: HubTarget, revision: string, file: string): URL {
  const base = t.endpoint.replace(/\/+$/, '');
  const prefix = t.type === 'dataset' ? 'datasets/' : '';
  return new URL(
    `${base}/${prefix}${t.repo}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`,
  );
}

/** Headers for a request to `url`: the token only ever goes to the endpoint's own origin. */
export function requestHeaders(t: HubTarget, url: URL, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...extra };
  if (t.token && url.origin === new URL(t.endpoint).origin) h['authorization'] = `Bearer ${t.token}`;
  return h;
}

/** HEAD a file; `undefined` when an optional file does not exist. */
export async function headFile(
  t: HubTarget,
  revision: string,
  file: string,
  net: NetOptions,
  optional = false,
): Promise<FileMeta | undefined> {
  let url = resolveUrl(t, revision, file);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const ex = await send(url, 'HEAD', requestHeaders(t, url), net);
    const { res } = ex;
    ex.close();
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location) {
      // An LFS file's answer is a redirect that carries its metadata (X-Linked-Etag / X-Linked-Size), wherever
      // it points: the file host, or the same origin on mirrors and self-hosted hubs. huggingface_hub reads
      // them there too. Only a redirect without them (a renamed repo) is followed, within the endpoint's origin.
      if (header(res.headers, 'x-linked-etag') !== undefined) return metaFrom(t, revision, file, res, false);
      const next = redirectTarget(url, location, file);
      if (next.origin === url.origin) {
        url = next;
        continue;
      }
      return metaFrom(t, revision, file, res, false);
    }
    if (status >= 200 && status < 300) return metaFrom(t, revision, file, res, true);
    const err = httpError(t, revision, file, res);
    if (optional && err.code === 'HUB_NOT_FOUND' && res.headers['x-error-code'] === 'EntryNotFound') return undefined;
    throw err;
  }
  throw new HubError(
    'HUB_PROTOCOL',
    `${t.endpoint} redirected ${file} more than ${MAX_REDIRECTS} times.`,
    'Check the endpoint (HF_ENDPOINT).',
  );
}

function metaFrom(t: HubTarget, revision: string, file: string, res: http.IncomingMessage, isBody: boolean): FileMeta {
  const h = res.headers;
  const commit = header(h, 'x-repo-commit') ?? (isCommitHash(revision) ? revision : undefined);
  if (!commit || !isCommitHash(commit)) {
    throw new HubError(
      'HUB_PROTOCOL',
      `${t.endpoint} did not say which commit ${t.repo}@${revision} is (no valid X-Repo-Commit header on ${file}).`,
      'The endpoint does not look like a Hugging Face hub: check the endpoint and any proxy in between.',
      {
        cli: 'The endpoint does not look like a Hugging Face hub: check HF_ENDPOINT and any proxy in between.',
        vscode:
          'The endpoint does not look like a Hugging Face hub: check distilbertInspector.hub.endpoint (else HF_ENDPOINT) and any proxy in between.',
      },
    );
  }
  const etag = normalizeEtag(header(h, 'x-linked-etag') ?? header(h, 'etag'));
  if (!etag) {
    throw new HubError(
      'HUB_PROTOCOL',
      `${t.endpoint} sent no ETag for ${t.repo}/${file}, so the download could not be verified.`,
      'Check the endpoint and any proxy in between.',
      {
        cli: 'Check HF_ENDPOINT and any proxy in between.',
        vscode: 'Check distilbertInspector.hub.endpoint (else HF_ENDPOINT) and any proxy in between.',
      },
    );
  }
  const sizeText = header(h, 'x-linked-size') ?? (isBody ? header(h, 'content-length') : undefined);
  const size = sizeText !== undefined && /^\d+$/.test(sizeText) ? Number(sizeText) : undefined;
  return { file, revision, commit, etag, size };
}

export function normalizeEtag(etag: string | undefined): string | undefined {
  if (!etag) return undefined;
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1') || undefined;
}

function header(h: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A failed answer as a message that names the repo, revision or file and what to do. */
export function httpError(t: HubTarget, revision: string, file: string, res: http.IncomingMessage): HubError {
  const status = res.statusCode ?? 0;
  const kind = header(res.headers, 'x-error-code');
  const host = new URL(t.endpoint).host;
  const at = `${t.repo}@${revision}`;
  if (status === 401 || (status === 403 && kind !== 'GatedRepo')) {
    return t.token
      ? new HubError(
          'HUB_AUTH',
          `${host} refused the token for ${t.repo} (HTTP ${status}).`,
          `Check that the token has read access to it. ${t.authHint}`,
        )
      : new HubError(
          'HUB_AUTH',
          `${t.repo} needs a token (HTTP ${status} from ${host}): it is private or gated, or does not exist.`,
          `Check the id; for a private model ${lowerFirst(t.authHint)}`,
        );
  }
  if (status === 403) {
    return new HubError(
      'HUB_AUTH',
      `Access to ${t.repo} is gated (HTTP 403 from ${host}).`,
      `Accept its conditions on the model page with your account, then use that account's token. ${t.authHint}`,
    );
  }
  if (status === 404) {
    if (kind === 'RepoNotFound')
      return new HubError(
        'HUB_NOT_FOUND',
        `${t.type === 'dataset' ? 'Dataset repository' : 'Repository'} ${t.repo} was not found on ${host}.`,
        'Check the id (owner/name, case included).',
      );
    if (kind === 'RevisionNotFound')
      return new HubError(
        'HUB_NOT_FOUND',
        `${t.repo} has no revision "${revision}" on ${host}.`,
        'Check the branch, tag or commit after "@".',
      );
    if (kind === 'EntryNotFound') return new HubError('HUB_NOT_FOUND', `${at} has no file ${file}.`, fileHint(t, file));
    return new HubError(
      'HUB_NOT_FOUND',
      `${host} found no ${file} in ${at} (HTTP 404): the repository, the revision or the file does not exist.`,
      `Check the id and revision. ${fileHint(t, file)}`,
    );
  }
  if (status >= 500 || status === 429) {
    return new HubError(
      'HUB_NETWORK',
      `${host} answered HTTP ${status} for ${t.repo}/${file}.`,
      'The hub may be busy or down: try again later; a complete cached copy is used meanwhile.',
    );
  }
  return new HubError(
    'HUB_PROTOCOL',
    `${host} answered HTTP ${status} for ${t.repo}/${file}.`,
    'Check the endpoint (HF_ENDPOINT) and any proxy in between.',
  );
}

function fileHint(t: HubTarget, file: string): string {
  if (t.type === 'dataset')
    return `Check the path after ":" against the dataset's "Files and versions" tab on the hub (e.g. ${t.repo}:data/train-00000-of-00001.parquet).`;
  if (/\/model_\w+\.onnx$/.test(file))
    return `This repository has no ${file}: choose the fp32 variant (then \`distilbert-inspector quantize\` makes an int8 graph beside it).`;
  if (file.endsWith('.onnx'))
    return 'The repository has no ONNX export in onnx/ (the Xenova/ repositories have one): export it with optimum, or choose the quantized variant if it has one.';
  return 'The model needs config.json and tokenizer.json beside onnx/: choose a repository in the Hugging Face layout.';
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
