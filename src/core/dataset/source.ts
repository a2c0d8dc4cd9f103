// Where a dataset comes from: a local file, or a file of a hub dataset repository (`owner/name[@rev]:path`),
// fetched through the hub client, cache and verification models use. The format is checked before any download.
import { InspectorError } from '../errors';
import { fetchHubDatasetFile, formatDatasetRef, parseDatasetRef, type FetchDatasetResult } from '../hub';
import { formatBytes, TerminalProgress, type ProgressStream } from '../hub/progress';
import { describeVerification } from '../hub/resolveModel';
import { MAX_DATASET_BYTES } from './dataset';
import { formatOf } from './records';

/** How the CLI resolves a dataset argument. */
export interface ResolveDatasetOptions {
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
  /** Progress and the outcome line (the CLI passes process.stderr); nothing is written for a local file. */
  progress?: ProgressStream;
  signal?: AbortSignal;
}

/** The local file to read, and the fetch result when it came from the hub. */
export interface ResolvedDataset {
  file: string;
  hub?: FetchDatasetResult;
}

/** Throws when a hub file's name has no format dataset mode reads (before anything is downloaded). */
export function checkHubDatasetFormat(name: string, file: string): void {
  if (!formatOf(file)) {
    throw new InspectorError(
      'DATASET_INVALID',
      `${name}: unknown dataset format.`,
      'Name a .csv, .tsv, .jsonl or .parquet file of the repository.',
    );
  }
}

/** What the CLI does with its FILE argument: a local path as is, a hub dataset file downloaded (or reused). */
export async function resolveDatasetArg(input: string, o: ResolveDatasetOptions): Promise<ResolvedDataset> {
  const ref = parseDatasetRef(input);
  if (!ref) return { file: input };
  const name = formatDatasetRef(ref);
  checkHubDatasetFormat(name, ref.file);
  const env = o.env ?? process.env;
  const bar = o.progress ? new TerminalProgress(o.progress, name) : undefined;
  try {
    const hub = await fetchHubDatasetFile(ref, {
      cacheDir: o.cacheDir,
      env,
      // HUGGING_FACE_HUB_TOKEN is the older name huggingface_hub still reads.
      token: env['HF_TOKEN'] || env['HUGGING_FACE_HUB_TOKEN'] || undefined,
      signal: o.signal,
      authHint: 'Set HF_TOKEN to a token with read access.',
      maxBytes: MAX_DATASET_BYTES,
      onProgress: bar && ((p) => bar.update(p)),
    });
    const how = hub.offline ? 'offline, using the cached copy' : hub.fromCache ? 'cached' : 'downloaded';
    bar?.done(
      `${how} (${describeVerification([hub.file])}): ${hub.commit.slice(0, 12)}, ${formatBytes(hub.file.size)} in ${hub.path}`,
    );
    return { file: hub.path, hub };
  } catch (err) {
    bar?.clear();
    throw err;
  }
}
