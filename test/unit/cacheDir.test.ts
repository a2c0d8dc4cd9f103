// The CLI's default cache folder per platform: each OS's own convention, chosen from parameters so every rule
// runs on this Linux machine. Expected paths are written out literally, not rebuilt with path.join.
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { describe, it } from 'node:test';
import { defaultCacheDir } from '../../src/cli/cacheDir';
import { parseArgs } from '../../src/cli/main';

describe('defaultCacheDir', () => {
  it('Windows: %LOCALAPPDATA%\\distilbert-inspector\\Cache, never the roaming profile', () => {
    const env = {
      LOCALAPPDATA: 'C:\\Users\\Ana\\AppData\\Local',
      APPDATA: 'C:\\Users\\Ana\\AppData\\Roaming',
      XDG_CACHE_HOME: '/x',
    };
    assert.equal(
      defaultCacheDir('win32', env, 'C:\\Users\\Ana'),
      'C:\\Users\\Ana\\AppData\\Local\\distilbert-inspector\\Cache',
    );
  });
  it('Windows without (or with a relative) LOCALAPPDATA: the same folder under the profile', () => {
    assert.equal(
      defaultCacheDir('win32', {}, 'C:\\Users\\Ana'),
      'C:\\Users\\Ana\\AppData\\Local\\distilbert-inspector\\Cache',
    );
    assert.equal(
      defaultCacheDir('win32', { LOCALAPPDATA: 'rel' }, 'D:\\home'),
      'D:\\home\\AppData\\Local\\distilbert-inspector\\Cache',
    );
  });
  it('macOS: ~/Library/Caches/distilbert-inspector, whatever XDG_CACHE_HOME says', () => {
    assert.equal(
      defaultCacheDir('darwin', { XDG_CACHE_HOME: '/tmp/xdg' }, '/Users/ana'),
      '/Users/ana/Library/Caches/distilbert-inspector',
    );
  });
  it('Linux: $XDG_CACHE_HOME/distilbert-inspector, else ~/.cache (a relative XDG_CACHE_HOME is ignored, as the spec says)', () => {
    assert.equal(
      defaultCacheDir('linux', { XDG_CACHE_HOME: '/var/cache/ana' }, '/home/ana'),
      '/var/cache/ana/distilbert-inspector',
    );
    assert.equal(defaultCacheDir('linux', {}, '/home/ana'), '/home/ana/.cache/distilbert-inspector');
    assert.equal(
      defaultCacheDir('linux', { XDG_CACHE_HOME: '' }, '/home/ana'),
      '/home/ana/.cache/distilbert-inspector',
    );
    assert.equal(
      defaultCacheDir('linux', { XDG_CACHE_HOME: 'cache' }, '/home/ana'),
      '/home/ana/.cache/distilbert-inspector',
    );
    assert.equal(defaultCacheDir('freebsd', {}, '/home/ana'), '/home/ana/.cache/distilbert-inspector');
  });
  it('$DISTILBERT_INSPECTOR_CACHE wins on every platform; an empty one counts as unset', () => {
    for (const p of ['win32', 'darwin', 'linux'] as const) {
      assert.equal(
        defaultCacheDir(p, { DISTILBERT_INSPECTOR_CACHE: '/mine', LOCALAPPDATA: 'C:\\L', XDG_CACHE_HOME: '/x' }, '/h'),
        '/mine',
      );
    }
    assert.equal(defaultCacheDir('linux', { DISTILBERT_INSPECTOR_CACHE: '' }, '/h'), '/h/.cache/distilbert-inspector');
  });
  it('the CLI uses it for this machine', () => {
    assert.equal(
      parseArgs(['t'], { XDG_CACHE_HOME: '/abs/xdg' }).cacheDir,
      defaultCacheDir(process.platform, { XDG_CACHE_HOME: '/abs/xdg' }, os.homedir()),
    );
  });
});
