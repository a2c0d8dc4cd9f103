// `--model` and the model setting take either a local folder or a hub id `owner/name[@revision]`.
// Anything that looks like a path or exists on disk is a folder, so a local folder named like a hub id
// still wins; only a string that cannot be a path is treated as a hub id. Where the folders around are not the
// user's (an untrusted workspace), `existingFolderWins: false` keeps a hub id a hub id.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HubError } from './errors';

/** A parsed `--model` value. */
export type ModelRef =
  | { kind: 'local'; dir: string }
  | {
      kind: 'hub';
      repo: string;
      owner: string;
      name: string;
      revision: string;
      /** true when the user wrote @revision */ explicitRevision: boolean;
    };

export const DEFAULT_REVISION = 'main';

export interface ParseRefOptions {
  /** Base for relative folders (default process.cwd()). */
  cwd?: string;
  /** For `~` (default os.homedir()). */
  home?: string;
  /** False: `owner/name` is a hub id even when `cwd` holds a folder of that name (default true). */
  existingFolderWins?: boolean;
}

const ID_HINT =
  'A hub id looks like owner/name or owner/name@revision (e.g. Xenova/distilbert-base-uncased-finetuned-sst-2-english); a local folder needs an existing path.';

export function parseModelRef(input: string, opts: ParseRefOptions = {}): ModelRef {
  const s = input.trim();
  if (!s) throw new HubError('HUB_BAD_ID', 'The model is empty.', ID_HINT);
  const cwd = opts.cwd ?? process.cwd();
  if (s === '~' || s.startsWith('~/') || s.startsWith('~\\')) {
    return { kind: 'local', dir: path.join(opts.home ?? os.homedir(), s.slice(1)) };
  }
  if (path.isAbsolute(s) || path.win32.isAbsolute(s) || /^\.\.?([\\/]|$)/.test(s) || s.includes('\\')) {
    return { kind: 'local', dir: path.resolve(cwd, s) };
  }
  if (opts.existingFolderWins !== false && fs.existsSync(path.resolve(cwd, s)))
    return { kind: 'local', dir: path.resolve(cwd, s) };

  const at = s.indexOf('@');
  const id = at < 0 ? s : s.slice(0, at);
  // One slash (or an @) means the user meant a hub id: validate it strictly rather than report a missing
  // folder. Other non-existent strings go on as folders, and the folder check names them.
  if (at < 0 && id.split('/').length !== 2) return { kind: 'local', dir: path.resolve(cwd, s) };
  const parts = id.split('/');
  if (parts.length !== 2) {
    throw new HubError(
      'HUB_BAD_ID',
      `"${s}" is not a hub id: it needs exactly one "/" between owner and name.`,
      ID_HINT,
    );
  }
  const [owner, name] = parts as [string, string];
  checkName(s, owner, 'owner');
  checkName(s, name, 'name');
  const revision = at < 0 ? DEFAULT_REVISION : s.slice(at + 1);
  if (at >= 0) checkRevision(s, revision);
  return { kind: 'hub', repo: `${owner}/${name}`, owner, name, revision, explicitRevision: at >= 0 };
}

/** The hub's rules (huggingface_hub validate_repo_id): [A-Za-z0-9_.-], no "--" or "..", no leading/trailing "-" or ".", at most 96 characters. */
function checkName(input: string, part: string, what: string): void {
  const bad = (why: string): never => {
    throw new HubError('HUB_BAD_ID', `"${input}" is not a valid hub id: the ${what} "${part}" ${why}.`, ID_HINT);
  };
  if (!part) bad('is empty');
  if (!/^[A-Za-z0-9_.-]+$/.test(part)) bad('may only contain letters, digits, "-", "_" and "."');
  if (part.includes('--') || part.includes('..')) bad('may not contain "--" or ".."');
  if (/^[-.]|[-.]$/.test(part)) bad('may not start or end with "-" or "."');
  if (part.length > 96) bad('is longer than 96 characters');
}

/** Branch, tag, commit or refs/pr/N: git's ref-name rules, which also keep the revision safe as a cache path. */
function checkRevision(input: string, rev: string): void {
  const bad = (why: string): never => {
    throw new HubError(
      'HUB_BAD_ID',
      `"${input}" has an invalid revision "${rev}": ${why}.`,
      `${ID_HINT} The revision is a branch, tag or commit.`,
    );
  };
  if (!rev) bad('it is empty after "@"');
  // eslint-disable-next-line no-control-regex
  if (/[\s~^:?*[\\@]|[\x00-\x1f\x7f]/.test(rev)) bad('it contains a space or one of ~ ^ : ? * [ \\ @');
  if (
    rev.includes('..') ||
    rev.includes('//') ||
    /^[/.]|[/.]$/.test(rev) ||
    rev.endsWith('.lock') ||
    rev.split('/').some((c) => c.startsWith('.'))
  ) {
    bad('it is not a valid git branch, tag or commit name');
  }
  if (rev.length > 255) bad('it is longer than 255 characters');
}

/** True for a full 40-hex commit id, which needs no ref lookup offline. */
export function isCommitHash(rev: string): boolean {
  return /^[0-9a-f]{40}$/.test(rev);
}

/** How a ref is written back in messages. */
export function formatRef(ref: { repo: string; revision: string }): string {
  return ref.revision === DEFAULT_REVISION ? ref.repo : `${ref.repo}@${ref.revision}`;
}
