// ONNX Runtime telemetry stays off: a CLI run, and a program using the core as a library (as the extension
// host does), leave no telemetry queue (.onnxruntime) and no mat-debug file in a fresh HOME, cache and TMPDIR.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, tempDir } from './helpers';

const CLI = path.join(ROOT, 'out', 'src', 'cli', 'main.js');
const MODEL = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');

/** A fresh HOME, XDG_CACHE_HOME and TMPDIR, and an environment without any telemetry switch of our own. */
function freshEnv(): { root: string; env: NodeJS.ProcessEnv } {
  const root = tempDir('dbi-privacy-');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: path.join(root, 'home'),
    XDG_CACHE_HOME: path.join(root, 'cache'),
    TMPDIR: path.join(root, 'tmp'),
    NO_COLOR: '1',
  };
  for (const k of Object.keys(env)) if (k.startsWith('ORT_')) delete env[k];
  for (const d of ['home', 'cache', 'tmp']) fs.mkdirSync(path.join(root, d));
  return { root, env };
}

/** Telemetry traces under `root`, and this pid's mat-debug file in the system temp folder. */
function traces(root: string, pid: number | undefined): string[] {
  const found = (fs.readdirSync(root, { recursive: true }) as string[]).filter(
    (p) => /(^|\/)(\.onnxruntime|mat-debug[^/]*)$/.test(p) || p.includes('Microsoft/DeveloperTools'),
  );
  if (pid !== undefined && fs.existsSync(`/tmp/mat-debug-${pid}.log`)) found.push(`/tmp/mat-debug-${pid}.log`);
  return found;
}

describe('no telemetry', () => {
  it('a CLI run writes no ONNX Runtime telemetry queue and no mat-debug file', () => {
    const { root, env } = freshEnv();
    const r = spawnSync(
      process.execPath,
      [CLI, '--model', MODEL, '--cache-dir', path.join(root, 'cache', 'dbi'), 'a fine and witty film'],
      { encoding: 'utf8', env },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /=> /);
    assert.equal(r.stderr, '', 'nothing but our own output');
    assert.deepEqual(traces(root, r.pid), []);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the core used as a library (the extension host path) writes none either', () => {
    const { root, env } = freshEnv();
    const script = `
      const { Inspector } = require(${JSON.stringify(path.join(ROOT, 'out', 'src', 'core', 'inspector.js'))});
      (async () => {
        const ins = await Inspector.open({ modelDir: ${JSON.stringify(MODEL)}, cacheDir: ${JSON.stringify(path.join(root, 'cache', 'dbi'))} });
        const r = await ins.inspect('a fine and witty film');
        await ins.dispose();
        process.stdout.write(r.aggregate.label);
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.length > 0);
    assert.deepEqual(traces(root, r.pid), []);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
