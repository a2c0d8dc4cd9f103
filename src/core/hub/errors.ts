// Download failures carry a code the callers can branch on (auth -> ask for a token, network -> offline
// hint) and a hint that tells the user what to do, like InspectorError.
import { hintFor, type Surface, type SurfaceHints } from '../errors';

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

export class HubError extends Error {
  constructor(
    readonly code: HubErrorCode,
    message: string,
    readonly hint: string = '',
    /** The fix worded for each surface, when `hint` would have to name a CLI option or a setting. */
    readonly hints?: SurfaceHints,
  ) {
    super(message);
    this.name = 'HubError';
  }

  /** One line for a CLI or a notification: the problem, then the fix for that surface. */
  oneLine(surface: Surface = 'cli'): string {
    const hint = hintFor(this, surface);
    return hint ? `${this.message} ${hint}` : this.message;
  }
}

/** Failures that mean "could not talk to the hub", after which a complete cached snapshot may be used. */
export function isOfflineFailure(err: unknown): boolean {
  return err instanceof HubError && (err.code === 'HUB_NETWORK' || err.code === 'HUB_TIMEOUT' || err.code === 'HUB_PROXY');
}
