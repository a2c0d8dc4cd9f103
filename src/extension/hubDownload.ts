// Models by hub id: downloads (or reuses) a repository's files into the extension's global storage with a
// cancellable notification showing bytes, and keeps the Hugging Face token in SecretStorage. The token is
// never read from settings and never logged; only whether one was sent is.
import * as vscode from 'vscode';
import type { DatasetFileRef, DownloadSize, FetchDatasetResult, FetchHubResult, HubProgress } from '../core/hub';
import type { HubVariant } from '../core/hub/cacheLayout';
import type { Config, ModelVariant } from './config';
import type { Log } from './log';
import { withProgress } from './progress';

/** SecretStorage key of the Hugging Face token. */
export const TOKEN_KEY = 'distilbertInspector.hfToken';

const AUTH_HINT = 'Run "DistilBERT: Set Hugging Face Token" with a token that can read it.';

export class HubDownloads {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly storageDir: string,
    private readonly config: Config,
    private readonly log: Log,
  ) {}

  /** The verified snapshot folder of `hub` (a model folder in the Hugging Face layout). Rejects with the hub's HubError. */
  async fetch(hub: { repo: string; revision: string }, variant: HubVariant): Promise<FetchHubResult> {
    // Loaded on first use, like the rest of the core.
    const core = await import('../core/hub');
    const { endpoint, token, proxy } = await this.connection();
    const name = core.formatRef(hub);
    this.log.info(
      `Fetching ${name} (${variant}) from ${endpoint ?? core.DEFAULT_ENDPOINT} into ${this.storageDir}` +
        `${token ? ' with the stored Hugging Face token' : ''}${typeof proxy === 'string' ? ' through http.proxy' : ''}...`,
    );
    const started = performance.now();
    const result = await this.withProgress(`DistilBERT: downloading ${name} (${variant})`, (onProgress, signal) =>
      core.fetchHubModel(hub, {
        cacheDir: this.storageDir,
        variant,
        endpoint,
        token,
        signal,
        proxy,
        authHint: AUTH_HINT,
        onProgress,
      }),
    );
    const how = result.offline
      ? 'the cached copy (the hub could not be reached)'
      : result.fromCache
        ? 'the verified cache'
        : 'a verified download';
    this.log.info(
      `${name} (${variant}) is commit ${result.commit.slice(0, 12)} from ${how} in ${Math.round(performance.now() - started)} ms: ${result.dir}`,
    );
    return result;
  }

  /**
   * One file of a hub dataset repository (`owner/name[@rev]:path`), through the same client, cache (the
   * extension's global storage), token, endpoint and proxy as models. Rejects with the hub's HubError.
   */
  async fetchDataset(ref: DatasetFileRef, maxBytes: number): Promise<FetchDatasetResult> {
    const core = await import('../core/hub');
    const { endpoint, token, proxy } = await this.connection();
    const name = core.formatDatasetRef(ref);
    this.log.info(
      `Fetching the dataset file ${name} from ${endpoint ?? core.DEFAULT_ENDPOINT} into ${this.storageDir}${token ? ' with the stored Hugging Face token' : ''}...`,
    );
    const result = await this.withProgress(`DistilBERT: downloading ${name}`, (onProgress, signal) =>
      core.fetchHubDatasetFile(ref, {
        cacheDir: this.storageDir,
        endpoint,
        token,
        signal,
        proxy,
        authHint: AUTH_HINT,
        maxBytes,
        onProgress,
      }),
    );
    const how = result.offline
      ? 'the cached copy (the hub could not be reached)'
      : result.fromCache
        ? 'the verified cache'
        : `a verified download (${result.file.verification})`;
    this.log.info(`${name} is commit ${result.commit.slice(0, 12)} from ${how}: ${result.path}`);
    return result;
  }

  /** A cancellable notification showing a fetch's bytes (the extension's one progress helper). */
  private async withProgress<T>(
    title: string,
    fetch: (onProgress: (p: HubProgress) => void, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const { describeProgress } = await import('../core/hub/progress');
    const ac = new AbortController();
    return withProgress({ title, notification: true, cancel: () => ac.abort() }, (report) =>
      fetch((p) => {
        const d = describeProgress(p);
        report(d.message, d.percent, d.percent === undefined ? undefined : 100);
      }, ac.signal),
    );
  }

  /** What downloading `hub` would take (HEAD requests only), and whether a verified copy is cached already. */
  async downloadSize(hub: { repo: string; revision: string }, variant: ModelVariant): Promise<DownloadSize> {
    const core = await import('../core/hub');
    const { hubDtype } = await import('../core/model/variants');
    const { endpoint, token, proxy } = await this.connection();
    return core.hubDownloadSize(hub, {
      cacheDir: this.storageDir,
      variant: hubDtype(variant),
      endpoint,
      token,
      proxy,
      authHint: AUTH_HINT,
    });
  }

  /** Endpoint (setting, else HF_ENDPOINT), the stored token and the proxy to pass on, for every hub request. */
  private async connection(): Promise<{
    endpoint: string | undefined;
    token: string | undefined;
    proxy: string | false | undefined;
  }> {
    const endpoint = this.config.hubEndpoint();
    const token = (await this.secrets.get(TOKEN_KEY)) || undefined;
    const http = vscode.workspace.getConfiguration('http');
    // VS Code routes node's http/https through http.proxy itself unless proxySupport is off; then pass it on.
    const proxy = http.get<string>('proxySupport') === 'off' ? http.get<string>('proxy') || undefined : false;
    return { endpoint, token, proxy };
  }

  /** Stores a token (asked for in a password box unless given, which tests do). Returns whether one was stored. */
  async setToken(given?: string): Promise<boolean> {
    const token =
      typeof given === 'string'
        ? given
        : await vscode.window.showInputBox({
            title: 'Hugging Face token',
            prompt:
              "A token with read access, for private or gated models. Stored in VS Code's secret storage, never in settings.",
            password: true,
            ignoreFocusOut: true,
            validateInput: (v) => (/^\S+$/.test(v.trim()) ? undefined : 'Paste the token (no spaces).'),
          });
    if (!token?.trim()) return false;
    await this.secrets.store(TOKEN_KEY, token.trim());
    this.log.info('A Hugging Face token was stored in secret storage.');
    return true;
  }

  async clearToken(): Promise<void> {
    await this.secrets.delete(TOKEN_KEY);
    this.log.info('The Hugging Face token was removed from secret storage.');
  }

  async hasToken(): Promise<boolean> {
    return Boolean(await this.secrets.get(TOKEN_KEY));
  }
}
