// What a command line does with `--model`: a local folder is used as is; a hub id is downloaded (or
// reused) into <cacheDir>/hub with a progress bar on the given stream, and its snapshot folder returned.
import type { HubVariant, Verification, VerifiedFile } from './cacheLayout';
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
export async function resolveModelArg(
  model: string,
  o: ResolveModelOptions,
): Promise<{ dir: string; hub?: FetchHubResult }> {
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
    const how = hub.offline ? 'offline, using the cached copy' : hub.fromCache ? 'cached' : 'downloaded';
    bar?.done(
      `${how} (${describeVerification(hub.files)}): ${hub.commit.slice(0, 12)}, ${formatBytes(size)} in ${hub.dir}`,
    );
    return { dir: hub.dir, hub };
  } catch (err) {
    bar?.clear();
    throw err;
  }
}

const CHECK_NAMES: Record<Verification, string> = { sha256: 'sha256', 'git-sha1': 'git blob sha1', size: 'size only' };

/**
 * What was checked, per kind: "verified: sha256 onnx/model.onnx; git blob sha1 config.json, tokenizer.json".
 * A file the server gave no content hash for is named as checked by size only, never called verified.
 */
export function describeVerification(files: VerifiedFile[]): string {
  const parts: string[] = [];
  for (const kind of ['sha256', 'git-sha1', 'size'] as const) {
    const names = files.filter((f) => f.verification === kind).map((f) => f.path);
    if (names.length) parts.push(`${CHECK_NAMES[kind]} ${names.join(', ')}`);
  }
  const sizeOnly = files.some((f) => f.verification === 'size');
  return `${sizeOnly ? 'checked' : 'verified'}: ${parts.join('; ')}${sizeOnly ? ' (the server sent no content hash for the size-only files)' : ''}`;
}
