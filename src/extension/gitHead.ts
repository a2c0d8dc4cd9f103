// A file's last committed text (git HEAD), for "Compare Two Texts". VS Code's built-in git extension is asked
// first (it already knows the repository and uses the git the user configured); when it is missing, disabled or
// has not opened the repository, `git` itself runs via execFile (no shell) in the repository found by
// `git rev-parse --show-toplevel`. Never in an untrusted workspace: a repository's own .git/config can make
// git run programs (core.fsmonitor, diff drivers...), which is exactly what Restricted Mode is there to stop.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Why there is no HEAD text; `message` names the problem and the fix. */
export class GitHeadError extends Error {
  constructor(
    readonly reason:
      'untrusted' | 'not-file' | 'no-git' | 'not-repo' | 'no-commits' | 'not-in-head' | 'too-big' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'GitHeadError';
  }
}

export interface HeadText {
  text: string;
  /** Which route read it. */
  via: 'git extension' | 'git executable';
}

/** The small part of the git extension's API (extensions/git/src/api/git.d.ts, version 1) used here. */
interface GitRepositoryLike {
  readonly rootUri: vscode.Uri;
  show(ref: string, path: string): Promise<string>;
}
interface GitApiLike {
  readonly state: 'uninitialized' | 'initialized';
  readonly onDidChangeState: vscode.Event<'uninitialized' | 'initialized'>;
  getRepository(uri: vscode.Uri): GitRepositoryLike | null;
}

/** Large enough for the biggest text the extension classifies (EDITOR_MAX_TEXT_CHARS UTF-16 units, up to 3 bytes each in UTF-8). */
const MAX_BUFFER = 8 * 1024 * 1024;

export async function readHeadText(
  uri: vscode.Uri,
  opts: { preferExecutable?: boolean; log?: (line: string) => void } = {},
): Promise<HeadText> {
  const name = path.basename(uri.fsPath || uri.path);
  if (!vscode.workspace.isTrusted) {
    throw new GitHeadError(
      'untrusted',
      `Comparing ${name} with its last commit needs git, and this workspace is not trusted: a repository's own git configuration can make git run programs. Trust the workspace (Manage Workspace Trust) to compare with git HEAD, or compare two selections or the selection and the clipboard instead.`,
    );
  }
  if (uri.scheme !== 'file') {
    throw new GitHeadError(
      'not-file',
      `${name} is not a file on disk (${uri.scheme}:), so it has no committed version. Save it inside a git repository and commit it first.`,
    );
  }
  if (!opts.preferExecutable) {
    const viaApi = await fromGitExtension(uri, name, opts.log);
    if (viaApi !== undefined) return { text: viaApi, via: 'git extension' };
  }
  return { text: await fromExecutable(uri.fsPath, name), via: 'git executable' };
}

/** The text from the git extension, or undefined when the extension cannot answer (then the executable is tried). */
async function fromGitExtension(
  uri: vscode.Uri,
  name: string,
  log?: (line: string) => void,
): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<{ getAPI(version: 1): GitApiLike }>('vscode.git');
  if (!ext) return undefined;
  let api: GitApiLike;
  try {
    api = (ext.isActive ? ext.exports : await ext.activate()).getAPI(1);
  } catch (err) {
    log?.(`The git extension is not usable (${(err as Error).message}); running git directly.`);
    return undefined;
  }
  if (api.state !== 'initialized') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve();
      }, 3000);
      const sub = api.onDidChangeState((s) => {
        if (s !== 'initialized') return;
        clearTimeout(timer);
        sub.dispose();
        resolve();
      });
    });
  }
  const repo = api.getRepository(uri);
  if (!repo) return undefined;
  try {
    return await repo.show('HEAD', uri.fsPath);
  } catch (err) {
    // The extension's GitError carries git's stderr; map the common cases, let the executable retry the rest.
    const stderr = String((err as { stderr?: unknown }).stderr ?? (err as Error).message ?? '');
    const known = classify(stderr, name);
    if (known) throw known;
    log?.(`The git extension could not read HEAD of ${name} (${stderr.trim()}); running git directly.`);
    return undefined;
  }
}

function run(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, maxBuffer: MAX_BUFFER, windowsHide: true, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stderr }));
        else resolve(stdout);
      },
    );
  });
}

async function fromExecutable(file: string, name: string): Promise<string> {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    throw new GitHeadError(
      'not-in-head',
      `${name} is not saved on disk yet, so it has no committed version. Save and commit it first.`,
    );
  }
  let top: string;
  try {
    top = (await run(['rev-parse', '--show-toplevel'], path.dirname(real))).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new GitHeadError(
        'no-git',
        `Cannot compare ${name} with its last commit: git is not installed or not on PATH. Install git (https://git-scm.com) and try again.`,
      );
    }
    throw new GitHeadError(
      'not-repo',
      `${name} is not in a git repository, so it has no last committed version. Compare two selections or the selection and the clipboard instead, or put the folder under git.`,
    );
  }
  const rel = path.relative(fs.realpathSync(top), real).split(path.sep).join('/');
  try {
    return await run(['show', `HEAD:${rel}`], top);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
      throw new GitHeadError(
        'too-big',
        `The committed version of ${name} is larger than ${MAX_BUFFER / 1024 / 1024} MB, more than this extension classifies at once. Compare selections instead.`,
      );
    }
    throw (
      classify(e.stderr ?? '', name) ??
      new GitHeadError(
        'failed',
        `git could not read the committed version of ${name}: ${(e.stderr || e.message).trim()}`,
      )
    );
  }
}

/** git's stderr for the cases a person meets, as messages with the fix. */
function classify(stderr: string, name: string): GitHeadError | undefined {
  if (
    /invalid object name 'HEAD'|ambiguous argument 'HEAD'|bad revision 'HEAD'|does not have any commits/i.test(stderr)
  ) {
    return new GitHeadError(
      'no-commits',
      `The repository of ${name} has no commits yet, so there is no last committed version. Commit the file first.`,
    );
  }
  if (/exists on disk, but not in|does not exist in 'HEAD'|path '.*' does not exist/i.test(stderr)) {
    return new GitHeadError(
      'not-in-head',
      `${name} is new since the last commit (it is not in HEAD), so there is no committed version to compare with. Commit it first, or compare two selections instead.`,
    );
  }
  return undefined;
}
