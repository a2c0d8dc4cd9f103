import * as vscode from 'vscode';

/**
 * The file next to `uri` with its extension replaced by `suffix` (foo.md -> foo.inspection.json), when `uri`
 * is a file on disk; undefined for other schemes (untitled, git, ...) or a string that is not a URI.
 */
export function siblingFileUri(uri: string | undefined, suffix: string): vscode.Uri | undefined {
  if (uri === undefined) return undefined;
  try {
    const parsed = vscode.Uri.parse(uri, true);
    if (parsed.scheme !== 'file') return undefined;
    return parsed.with({ path: parsed.path.replace(/(\.[^./]*)?$/, suffix) });
  } catch {
    return undefined;
  }
}
