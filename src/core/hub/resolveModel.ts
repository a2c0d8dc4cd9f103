// What a command line does with `--model`: a local folder is used as is; a hub id is downloaded (or
// reused) into <cacheDir>/hub with a progress bar on the given stream, and its snapshot folder returned.
import type { HubVariant } from './cacheLayout';
import { fetchHubModel, type FetchHubResult } from './fetchModel';
import { formatRef, parseModelRef } from './modelRef';
import { formatBytes, TerminalProgress, type ProgressStream } from './progress';

export interface ResolveModelOptions {
  cacheDir: string;
  variant: HubVariant;
  env?: NodeJS.ProcessEnv;
  /** Progress and the outcome line go here (the CLI passes process.stderr); nothing is written for a local folder. */
  progress?: ProgressStream;
  signal?: AbortSignal;
}

/** The folder to open, and the fetch result when it came from the hub. */
export async function resolveModelArg(model: string, o: ResolveModelOptions): Promise<{ dir: string; hub?: FetchHubResult }> {
  const ref = parseModelRef(model);
  if (ref.kind === 'local') return { dir: ref.dir };
  const env = o.env ?? process.env;
  const name = formatRef(ref);
  const bar = o.progress ? new TerminalProgress(o.progress, name) : undefined;
  try {
    const hub = await fetchHubModel(ref, {
      cacheDir: o.cacheDir,
      variant: o.variant,
      // HUGGING_FACE_HUB_TOKEN is the older name huggingface_hub still reads.
      token: env['HF_TOKEN'] || env['HUGGING_FACE_HUB_TOKEN'] || undefined,
      env,
      signal: o.signal,
      authHint: 'Set HF_TOKEN to a token with read access.',
      onProgress: bar && ((p) => !p.cached && bar.update(p)),
    });
    const size = hub.files.reduce((a, f) => a + f.size, 0);
    const how = hub.offline ? 'offline, using the cached copy' : hub.fromCache ? 'cached' : 'downloaded and verified';
    bar?.done(`${how}: ${hub.commit.slice(0, 12)}, ${formatBytes(size)} in ${hub.dir}`);
    return { dir: hub.dir, hub };
  } catch (err) {
    bar?.clear();
    throw err;
  }
}
