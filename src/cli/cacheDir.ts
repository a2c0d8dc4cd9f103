// The CLI's default cache folder (tapped graphs, hub downloads), following each platform's convention so the
// cache lands where the OS and cleanup tools expect caches, not in a dot-folder Windows users never see.
import * as path from 'node:path';

const NAME = 'distilbert-inspector';

/**
 * The default cache folder for `platform`, given the environment and the home folder (parameters, not globals,
 * so every platform's rule is testable on any machine). `$DISTILBERT_INSPECTOR_CACHE` wins everywhere; else
 * Windows: `%LOCALAPPDATA%\distilbert-inspector\Cache` (not the roaming profile: caches must not roam);
 * macOS: `~/Library/Caches/distilbert-inspector`; Linux and the rest: `$XDG_CACHE_HOME/distilbert-inspector`,
 * or `~/.cache/distilbert-inspector` when it is unset or relative (the XDG spec says to ignore relative paths).
 */
export function defaultCacheDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  const own = env['DISTILBERT_INSPECTOR_CACHE'];
  if (own) return own;
  if (platform === 'win32') {
    const local = env['LOCALAPPDATA'];
    const base = local && path.win32.isAbsolute(local) ? local : path.win32.join(home, 'AppData', 'Local');
    return path.win32.join(base, NAME, 'Cache');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Caches', NAME);
  const xdg = env['XDG_CACHE_HOME'];
  return path.posix.join(xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.cache'), NAME);
}
