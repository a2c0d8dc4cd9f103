// One HTTP exchange with everything a download needs around it: proxies (forward for http://, CONNECT
// tunnel for https://), a stall timeout that covers connecting, waiting and every gap between body chunks,
// and cancellation that tears the sockets down. Written on node's http/https/tls so the core needs no
// dependency; sockets are never pooled (agent: false), so nothing lingers after a download.
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { HubError } from './errors';
import { proxyFor, type ProxySettings } from './proxy';

export interface NetOptions extends ProxySettings {
  /** Give up when nothing arrives for this long (connect, headers, or between body chunks). */
  timeoutMs: number;
  /**
   * Epoch ms by which the whole fetch must be done: a host trickling a byte every few seconds never trips the
   * stall timeout, so this bounds the total time.
   */
  deadline?: { at: number; limitMs: number };
  signal?: AbortSignal;
  /** Extra trusted CA certificates (tests, corporate TLS inspection); node's defaults otherwise. */
  ca?: string | Buffer | Array<string | Buffer>;
}

/** A response whose body the caller reads; call kick() per chunk and close() when done or giving up. */
export interface Exchange {
  res: http.IncomingMessage;
  url: URL;
  kick(): void;
  close(): void;
}

type Destroyable = { destroy(err?: Error): void; on(event: 'error', l: (err: Error) => void): unknown };

export function send(
  url: URL,
  method: 'GET' | 'HEAD',
  headers: Record<string, string>,
  o: NetOptions,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(cancelled());
    const live: Destroyable[] = [];
    // Everything we may destroy with an error keeps an error listener: destroy(err) re-emits it.
    const track = (d: Destroyable): void => {
      live.push(d);
      d.on('error', onError);
    };
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let deadlineTimer: NodeJS.Timeout | undefined;
    const proxy = proxyFor(url, o);
    const via = proxy ? ` through the proxy ${proxy.host}` : '';

    const close = (): void => {
      if (timer) clearTimeout(timer);
      clearTimeout(deadlineTimer);
      timer = undefined;
      o.signal?.removeEventListener('abort', onAbort);
      for (const d of live) d.destroy();
    };
    const fail = (err: HubError): void => {
      if (timer) clearTimeout(timer);
      clearTimeout(deadlineTimer);
      timer = undefined;
      o.signal?.removeEventListener('abort', onAbort);
      // Destroying with the error makes a caller already reading the body see this error, not a bare "aborted".
      for (const d of live) d.destroy(err);
      if (!settled) {
        settled = true;
        reject(err);
      }
    };
    const kick = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(
        () =>
          fail(
            new HubError(
              'HUB_TIMEOUT',
              `${url.host}${via} sent nothing for ${Math.round(o.timeoutMs / 1000)} s (${method} ${url.pathname}).`,
              'Check the network or proxy, then try again: the download resumes where it stopped.',
            ),
          ),
        o.timeoutMs,
      );
    };
    const onAbort = (): void => fail(cancelled());
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return fail(
        new HubError(
          'HUB_PROTOCOL',
          `Refused to send a request to a ${url.protocol} URL (${method} ${url.href}); only http and https are used.`,
          'Check the endpoint (HF_ENDPOINT, or the hub endpoint setting).',
        ),
      );
    }
    if (o.deadline !== undefined) {
      const left = o.deadline.at - Date.now();
      const overall = new HubError(
        'HUB_TIMEOUT',
        `${url.host}${via} is too slow: the download did not finish within its overall limit of ${formatDuration(o.deadline.limitMs)}.`,
        'Try again later or from a faster network: the download resumes where it stopped.',
      );
      if (left <= 0) return fail(overall);
      deadlineTimer = setTimeout(() => fail(overall), left);
    }
    kick();

    const onError = (err: Error): void => {
      if (err instanceof HubError) return fail(err);
      const code = (err as NodeJS.ErrnoException).code ?? err.message;
      fail(
        new HubError(
          'HUB_NETWORK',
          `Cannot reach ${url.host}${via}: ${code}.`,
          'Check the network, the endpoint (HF_ENDPOINT) and the proxy settings (HTTPS_PROXY, NO_PROXY); a complete cached copy is used when offline.',
        ),
      );
    };
    const start = (mod: typeof http | typeof https, opts: https.RequestOptions): void => {
      // agent: false (no pooling) makes node build a throwaway Agent, which ignores createConnection: the
      // tunnelled request must have no agent at all or it would bypass the tunnel and connect directly.
      // With proxy: false the host routes requests itself, and VS Code's http.proxySupport "on" only does
      // that for requests without an explicit agent.
      const req = mod.request({
        ...opts,
        method,
        agent: opts.createConnection || o.proxy === false ? undefined : false,
      });
      track(req);
      req.once('response', (res) => {
        track(res);
        kick();
        settled = true;
        resolve({ res, url, kick, close });
      });
      req.end();
    };

    const target = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    };
    if (!proxy) {
      start(url.protocol === 'https:' ? https : http, {
        ...target,
        path: url.pathname + url.search,
        headers,
        ca: o.ca,
      });
    } else if (url.protocol === 'http:') {
      // Forward proxy: the request line carries the absolute URL.
      start(proxy.protocol === 'https:' ? https : http, {
        ...proxyAddress(proxy),
        path: url.href,
        headers: { ...headers, host: url.host, ...proxyAuth(proxy) },
        ca: o.ca,
      });
    } else {
      const connect = (proxy.protocol === 'https:' ? https : http).request({
        ...proxyAddress(proxy),
        method: 'CONNECT',
        path: `${url.hostname}:${target.port}`,
        headers: { host: `${url.hostname}:${target.port}`, ...proxyAuth(proxy) },
        agent: false,
        ca: o.ca,
      });
      track(connect);
      connect.once('connect', (res, socket) => {
        track(socket);
        if (res.statusCode !== 200) {
          return fail(
            new HubError(
              'HUB_PROXY',
              `The proxy ${proxy.host} refused a tunnel to ${url.host}: HTTP ${res.statusCode}.`,
              res.statusCode === 407
                ? 'Put the proxy credentials in the proxy URL (http://user:password@host:port).'
                : "Check the proxy settings (HTTPS_PROXY, NO_PROXY, or VS Code's http.proxy).",
            ),
          );
        }
        kick();
        start(https, {
          ...target,
          path: url.pathname + url.search,
          headers,
          ca: o.ca,
          createConnection: () =>
            tls.connect({
              socket,
              host: target.host,
              servername: net.isIP(target.host) ? undefined : target.host,
              ca: o.ca,
            }),
        });
      });
      connect.end();
    }
  });
}

function formatDuration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.max(1, Math.round(ms / 1000))} s`;
}

export function cancelled(): HubError {
  return new HubError('CANCELLED', 'The download was cancelled.', 'Start it again to resume where it stopped.');
}

function proxyAddress(proxy: URL): { host: string; port: number } {
  return {
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
  };
}

function proxyAuth(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(cred).toString('base64')}` };
}
