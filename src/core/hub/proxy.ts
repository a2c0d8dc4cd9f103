// Which proxy a request goes through: an explicit setting (VS Code's http.proxy) first, then the usual
// environment variables, with NO_PROXY exclusions, as curl, npm and huggingface_hub's requests do.

export interface ProxySettings {
  /**
   * Explicit proxy URL; overrides the environment ("" or undefined: use the environment). false: no proxy
   * handling here at all, for hosts that route node's http/https themselves (VS Code's http.proxySupport).
   */
  proxy?: string | false;
  /** Explicit exclusion list (comma separated); added to NO_PROXY. */
  noProxy?: string;
  env: NodeJS.ProcessEnv;
}

export function proxyFor(target: URL, s: ProxySettings): URL | undefined {
  if (s.proxy === false) return undefined;
  const env = (k: string): string | undefined => s.env[k] || s.env[k.toLowerCase()] || undefined;
  const raw =
    s.proxy ||
    (target.protocol === 'https:' ? (env('HTTPS_PROXY') ?? env('HTTP_PROXY')) : env('HTTP_PROXY')) ||
    env('ALL_PROXY');
  if (!raw) return undefined;
  if (bypassed(target, [s.noProxy, env('NO_PROXY')].filter(Boolean).join(','))) return undefined;
  try {
    // "proxy.corp:3128" without a scheme is common in the environment; curl reads it as http://.
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return undefined;
  }
}

/** NO_PROXY entries: "*", host names, ".domain" / "*.domain" suffixes, optional ":port", IP literals. */
export function bypassed(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (let entry of noProxy.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1]!;
      entryPort = bracketed[2];
    } else if (/^[^:]+:\d+$/.test(entry)) {
      // One colon is host:port; more are an IPv6 literal without a port.
      [entry, entryPort] = entry.split(':') as [string, string];
    }
    if (entryPort && entryPort !== port) continue;
    const suffix = entry.replace(/^\*?\./, '');
    if (host === suffix || host.endsWith(`.${suffix}`)) return true;
  }
  return false;
}
