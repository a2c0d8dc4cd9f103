// The on-disk cache, laid out like huggingface_hub's (so the folders are familiar and tools can read them):
//   <cacheDir>/hub/models--<owner>--<name>/
//     refs/<revision>                 the commit the revision pointed to when its snapshot completed
//     snapshots/<commit>/<file>       verified files only (placed by an atomic rename); this is the model folder
//     blobs/<etag>.incomplete         a part file being downloaded (resumable), + .json with its HTTP validator
//     verified/<commit>.<variant>.json  written last: the snapshot holds every file of that variant, verified
//     .lock                           pid of the process downloading into this repo folder
//   <cacheDir>/hub/datasets--<owner>--<name>/  the same for a dataset repository, except that each file is fetched
//     verified/<commit>.file-<hash of its path>.json  on its own: one marker per verified file
// huggingface_hub keeps files in blobs/ and symlinks them from snapshots/; we place real files (its
// no-symlink mode, as on Windows) so a snapshot folder is a plain model folder.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HubError } from './errors';
import type { RepoType } from './hubClient';
import type { OnnxDtype } from '../model/variants';

/** The dtype whose graph is downloaded (`auto` downloads fp32; see hubDtype). */
export type HubVariant = OnnxDtype;

/** How a file was checked before it was placed. */
export type Verification = 'sha256' | 'git-sha1' | 'size';

export interface VerifiedFile {
  path: string;
  size: number;
  verification: Verification;
  /** The hash checked (sha256 or git blob sha1), absent when only the size was known. */
  hash?: string;
}

export interface CompleteMarker {
  repo: string;
  commit: string;
  variant: HubVariant;
  files: VerifiedFile[];
  /** Optional files the repo does not have (e.g. tokenizer_config.json). */
  absent: string[];
  completedAt: string;
}

export class RepoCache {
  readonly root: string;

  constructor(
    cacheDir: string,
    readonly repo: string,
    type: RepoType = 'model',
  ) {
    this.root = path.join(cacheDir, 'hub', `${type}s--${repo.replace('/', '--')}`);
  }

  snapshotDir(commit: string): string {
    return path.join(this.root, 'snapshots', commit);
  }

  refPath(revision: string): string {
    return path.join(this.root, 'refs', ...revision.split('/'));
  }

  partPath(etag: string): string {
    return path.join(this.root, 'blobs', `${safeName(etag)}.incomplete`);
  }

  markerPath(commit: string, variant: HubVariant): string {
    return path.join(this.root, 'verified', `${commit}.${variant}.json`);
  }

  readRef(revision: string): string | undefined {
    try {
      const commit = fs.readFileSync(this.refPath(revision), 'utf8').trim();
      return /^[0-9a-f]{40}$/.test(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  writeRef(revision: string, commit: string): void {
    writeAtomic(this.refPath(revision), commit);
  }

  /** The marker of a complete snapshot, if its files are all still there with their verified sizes. */
  readComplete(commit: string, variant: HubVariant): CompleteMarker | undefined {
    let marker: CompleteMarker;
    try {
      marker = JSON.parse(fs.readFileSync(this.markerPath(commit, variant), 'utf8')) as CompleteMarker;
    } catch {
      return undefined;
    }
    const dir = this.snapshotDir(commit);
    for (const f of marker.files) {
      try {
        if (fs.statSync(path.join(dir, ...f.path.split('/'))).size !== f.size) return undefined;
      } catch {
        return undefined;
      }
    }
    return marker;
  }

  writeComplete(marker: CompleteMarker): void {
    writeAtomic(this.markerPath(marker.commit, marker.variant), JSON.stringify(marker, null, 2));
  }

  /** One file's marker (dataset files are fetched one at a time); the path is hashed so it makes a flat name. */
  fileMarkerPath(commit: string, file: string): string {
    return path.join(
      this.root,
      'verified',
      `${commit}.file-${createHash('sha256').update(file).digest('hex').slice(0, 24)}.json`,
    );
  }

  /** The verified record of one file of a snapshot, if that file is still there with its verified size. */
  readVerifiedFile(commit: string, file: string): VerifiedFile | undefined {
    try {
      const v = JSON.parse(fs.readFileSync(this.fileMarkerPath(commit, file), 'utf8')) as VerifiedFile;
      return v.path === file && fs.statSync(path.join(this.snapshotDir(commit), ...file.split('/'))).size === v.size
        ? v
        : undefined;
    } catch {
      return undefined;
    }
  }

  writeVerifiedFile(commit: string, v: VerifiedFile): void {
    writeAtomic(this.fileMarkerPath(commit, v.path), JSON.stringify(v, null, 2));
  }

  /** Move a verified part file into the snapshot; rename is atomic, so readers see all of it or nothing. */
  place(part: string, commit: string, file: string): string {
    const dest = path.join(this.snapshotDir(commit), ...file.split('/'));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.renameSync(part, dest);
    fs.rmSync(`${part}.json`, { force: true });
    return dest;
  }

  /**
   * One downloader per repo folder across processes (the extension and the CLI share nothing else): two
   * writers appending to one part file would corrupt it. A lock left by a dead process is taken over.
   */
  lock(): () => void {
    const file = path.join(this.root, '.lock');
    fs.mkdirSync(this.root, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return () => fs.rmSync(file, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw cacheError(this.root, err);
        const pid = Number(readOr(file, ''));
        if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
          throw new HubError(
            'HUB_BUSY',
            `${this.repo} is already being downloaded into ${this.root} (process ${pid}${pid === process.pid ? ', this one' : ''}).`,
            'Wait for that download to finish, then try again.',
          );
        }
        fs.rmSync(file, { force: true });
      }
    }
    throw new HubError(
      'HUB_BUSY',
      `Cannot take the download lock ${file}.`,
      'Delete the file if no download is running.',
    );
  }
}

export function cacheError(where: string, err: unknown): HubError {
  const e = err as NodeJS.ErrnoException;
  return new HubError(
    'HUB_CACHE',
    `Cannot write the model cache ${where}: ${e.code ?? e.message}.`,
    'Make the cache folder writable.',
    {
      cli: 'Choose a writable cache folder (--cache-dir or DISTILBERT_INSPECTOR_CACHE).',
      vscode:
        "Make the folder writable: it is the extension's global storage, on the machine that runs the extension host.",
    },
  );
}

function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** ETags are hashes on the hub but arbitrary strings on other servers: keep file names safe. */
function safeName(etag: string): string {
  return /^[A-Za-z0-9._-]{1,100}$/.test(etag) && !etag.startsWith('.')
    ? etag
    : Buffer.from(etag).toString('base64url').slice(0, 100);
}

/** "owner/name@commit12" for a snapshot folder of this cache (for display: the folder's own name is the commit). */
export function snapshotDisplayName(dir: string): string | undefined {
  const parts = path.resolve(dir).split(path.sep);
  const n = parts.length;
  const m = /^models--(.+?)--(.+)$/.exec(parts[n - 3] ?? '');
  if (!m || parts[n - 2] !== 'snapshots' || !/^[0-9a-f]{40}$/.test(parts[n - 1] ?? '')) return undefined;
  return `${m[1]}/${m[2]}@${parts[n - 1]!.slice(0, 12)}`;
}
