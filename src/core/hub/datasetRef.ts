// A file of a hub dataset repository, as a user writes it: `owner/name[@revision]:path/in/repo.parquet`, or the
// `hf://datasets/owner/name[@revision]/path` form that pandas and the hub's "Use this dataset" snippets print.
// Anything that is a path (absolute, ./, ../, ~) or exists on disk stays a local file. The path inside the
// repository becomes a path in the cache, so `..`, absolute paths, backslashes and empty segments are refused.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HubError } from './errors';
import { parseModelRef } from './modelRef';

/** A file in a dataset repository at a revision. */
export interface DatasetFileRef {
  repo: string;
  revision: string;
  explicitRevision: boolean;
  /** The file's path inside the repository, `/`-separated. */
  file: string;
}

export const DATASET_ID_HINT =
  'A hub dataset file is owner/name[@revision]:path/in/repo (e.g. stanfordnlp/sst2:data/validation-00000-of-00001.parquet) or hf://datasets/owner/name[@revision]/path.';

const HF_URL = /^hf:\/\/datasets\/([^/@]+)\/([^/@]+)(?:@([^/]+))?\/(.*)$/s;
const SHORT = /^([^/@:\\\s]+)\/([^/@:\\\s]+)(?:@([^:]*))?:(.*)$/s;

/** The hub file `input` names, or undefined when it is a local path. Throws HubError HUB_BAD_ID for a malformed id. */
export function parseDatasetRef(input: string, cwd = process.cwd()): DatasetFileRef | undefined {
  const s = input.trim();
  const m = HF_URL.exec(s) ?? (looksLocal(s, cwd) ? null : SHORT.exec(s));
  if (!m) {
    if (s.startsWith('hf://')) throw new HubError('HUB_BAD_ID', `"${s}" is not a hub dataset file.`, DATASET_ID_HINT);
    return undefined;
  }
  const [, owner, name, revision, file] = m as unknown as [string, string, string, string | undefined, string];
  let ref;
  try {
    // The repository id and revision follow the same rules as a model's.
    ref = parseModelRef(`${owner}/${name}${revision === undefined ? '' : `@${revision}`}`, {
      existingFolderWins: false,
    });
  } catch (err) {
    if (err instanceof HubError) throw new HubError('HUB_BAD_ID', err.message, DATASET_ID_HINT);
    throw err;
  }
  if (ref.kind !== 'hub') throw new HubError('HUB_BAD_ID', `"${s}" is not a hub dataset file.`, DATASET_ID_HINT);
  return {
    repo: ref.repo,
    revision: ref.revision,
    explicitRevision: ref.explicitRevision,
    file: checkRepoPath(s, file),
  };
}

function looksLocal(s: string, cwd: string): boolean {
  if (s === '~' || s.startsWith('~/') || path.isAbsolute(s) || path.win32.isAbsolute(s) || /^\.\.?([\\/]|$)/.test(s))
    return true;
  return fs.existsSync(path.resolve(cwd, s));
}

/**
 * A repository path that stays inside the snapshot folder on every platform: relative, `/`-separated, no `.`
 * or `..` segment, no empty segment, no backslash, colon (a Windows drive or stream) or control character.
 */
export function checkRepoPath(input: string, file: string): string {
  const bad = (why: string): never => {
    throw new HubError(
      'HUB_BAD_ID',
      `"${input}" names the file "${file}" inside the repository, which ${why}.`,
      DATASET_ID_HINT,
    );
  };
  if (file === '') bad('is empty');
  if (file.length > 1000) bad('is longer than 1000 characters');
  if (file.startsWith('/')) bad('is absolute (the path inside the repository starts after ":" without "/")');
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\\:\x00-\x1f\x7f]/.test(file)) bad('contains a backslash, a colon or a control character');
  if (file.split('/').some((seg) => seg === '' || seg === '.' || seg === '..'))
    bad('has an empty, "." or ".." segment');
  return file;
}
