// Exports (JSON, Markdown, SVG charts) replace files a person may have open or may be reading with another
// tool. Writing in place truncates first, so a crash, a full disk or a reader at the wrong moment sees a
// half-written or empty file. Instead the bytes go to a temporary file in the same folder (same file system)
// that is then renamed over the target: readers see the old file or the new one, whole.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';

/** The part of vscode.workspace.fs used for targets that are not local files (remote and virtual file systems). */
export type ExportFs = Pick<vscode.FileSystem, 'writeFile' | 'rename' | 'delete'>;

/** A hidden name next to `base` that no other writer picks. */
function tempName(base: string): string {
  return `.${base}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`;
}

/**
 * Writes `content` to the local file `file` atomically: temporary file, flushed to disk, renamed over the
 * target (which keeps its permissions). On any failure the temporary file is removed and the target is untouched.
 */
export async function writeLocalFileAtomic(file: string, content: Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), tempName(path.basename(file)));
  let mode: number | undefined;
  try {
    mode = (await fs.promises.stat(file)).mode & 0o7777;
  } catch {
    mode = undefined; // a new file: the default permissions, as a plain write would give it
  }
  try {
    const handle = await fs.promises.open(tmp, 'wx', mode ?? 0o666);
    try {
      await handle.writeFile(content);
      if (mode !== undefined) await handle.chmod(mode); // the umask may have narrowed it
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    // Name the file the user chose, not the temporary one ("ENOTDIR: not a directory, open '<file>'").
    if (err instanceof Error) err.message = err.message.split(tmp).join(file);
    throw err;
  }
}

/**
 * Writes `content` to `uri` atomically. Local files go through Node's rename (atomic on one file system); other
 * schemes through the file system provider's rename, which is as atomic as that provider makes it.
 */
export async function writeFileAtomic(uri: vscode.Uri, content: Uint8Array, fsApi: ExportFs): Promise<void> {
  if (uri.scheme === 'file') return writeLocalFileAtomic(uri.fsPath, content);
  const tmp = uri.with({
    path: path.posix.join(path.posix.dirname(uri.path), tempName(path.posix.basename(uri.path))),
  });
  try {
    await fsApi.writeFile(tmp, content);
    await fsApi.rename(tmp, uri, { overwrite: true });
  } catch (err) {
    await Promise.resolve(fsApi.delete(tmp)).catch(() => undefined);
    throw err;
  }
}
