// Download failures carry a code the callers can branch on (auth -> ask for a token, network -> offline
// hint) and a hint that tells the user what to do, like InspectorError.
import { HintedError, type SurfaceHints } from '../errors';

export type HubErrorCode =
  | 'HUB_BAD_ID' // malformed owner/name@revision
  | 'HUB_NOT_FOUND' // repo, revision or file does not exist (404)
  | 'HUB_AUTH' // 401/403: private or gated repo, bad token
  | 'HUB_NETWORK' // endpoint or proxy unreachable, connection dropped, 5xx
  | 'HUB_TIMEOUT' // no bytes for timeoutMs
  | 'HUB_PROXY' // the proxy refused the tunnel
  | 'HUB_VERIFY' // size or checksum mismatch
  | 'HUB_PROTOCOL' // the server did not speak the hub's scheme (no X-Repo-Commit, bad Content-Range)
  | 'HUB_BUSY' // another process is downloading the same repo into the same cache
  | 'HUB_CACHE' // the cache folder cannot be written
  | 'CANCELLED';

/** Why a hub download failed; a missing `hint` is an empty one. */
export class HubError extends HintedError<HubErrorCode> {
  override readonly name = 'HubError';

  constructor(code: HubErrorCode, message: string, hint = '', hints?: SurfaceHints) {
    super(code, message, hint, hints);
  }
}

/** Failures that mean "could not talk to the hub", after which a complete cached snapshot may be used. */
export function isOfflineFailure(err: unknown): boolean {
  return (
    err instanceof HubError && (err.code === 'HUB_NETWORK' || err.code === 'HUB_TIMEOUT' || err.code === 'HUB_PROXY')
  );
}
