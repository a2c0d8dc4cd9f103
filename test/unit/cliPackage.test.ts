// The CLI as an npm package, the way a user gets it: `npm pack` (the package.json `files` list, compiled JS,
// the bundled model), installed into an empty folder with its dependencies from the npm cache (or the
// registry) and ONNXRUNTIME_NODE_INSTALL=skip, then `npx distilbert-inspector "text"` there: it must run with
// no dev dependency installed, print nothing on stderr, and compute what the repo's own CLI computes.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT, isolateHome, maxAbsDiff, tempDir } from './helpers';

isolateHome();
const win = process.platform === 'win32';
const TEXT = "it 's a charming and often affecting journey .";
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};

/** The environment without the npm_* variables an outer `npm test` exports (npm_config_local_prefix would
 * point the inner npm at this repository). */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', shell: win, timeout: 5 * 60_000, ...opts });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The user's npm cache, so dependencies come from it (the registry only for what it lacks). */
function npmCache(): string {
  if (process.env['npm_config_cache']) return process.env['npm_config_cache'];
  const r = run('npm', ['config', 'get', 'cache'], {
    cwd: os.tmpdir(),
    env: cleanEnv({ HOME: os.userInfo().homedir }),
  });
  return r.stdout.trim() || path.join(os.userInfo().homedir, '.npm');
}

test('npm pack: a lean CLI tarball that installs into an empty folder and runs npx distilbert-inspector offline', () => {
  const work = tempDir('dbi-cli-pack-');
  try {
    const home = path.join(work, 'home');
    fs.mkdirSync(home);
    const env = cleanEnv({
      HOME: home,
      USERPROFILE: home,
      XDG_CACHE_HOME: path.join(home, '.cache'),
      npm_config_cache: npmCache(),
      ONNXRUNTIME_NODE_INSTALL: 'skip',
    });

    // --ignore-scripts: pack the out/ this test run built (prepare would re-run tsc under the other tests' feet).
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, env });
    assert.equal(packed.status, 0, packed.stderr);
    const info = (JSON.parse(packed.stdout) as { filename: string; size: number; files: { path: string }[] }[])[0]!;
    const files = info.files.map((f) => f.path);
    const allowed =
      /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|ThirdPartyNotices\.txt|out\/src\/(cli|core)\/.+\.js|models\/distilbert-sst2-small\/(config\.json|tokenizer\.json|tokenizer_config\.json|README\.md|onnx\/model\.onnx))$/;
    assert.deepEqual(
      files.filter((f) => !allowed.test(f)),
      [],
      'files outside the CLI runtime are packed',
    );
    for (const f of [
      'out/src/cli/main.js',
      'out/src/core/engine/worker.js',
      'models/distilbert-sst2-small/onnx/model.onnx',
      'LICENSE',
    ]) {
      assert.ok(files.includes(f), `${f} is not packed`);
    }
    assert.ok(info.size < 25e6, `tarball is ${(info.size / 1e6).toFixed(1)} MB`);

    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const inst = run('npm', ['install', '--prefer-offline', path.join(work, info.filename)], { cwd: app, env });
    assert.equal(inst.status, 0, `npm install failed:\n${inst.stderr}`);
    // npm 11 lists dependencies' install scripts it did not run (onnxruntime-node's postinstall, our prepare,
    // which npm never runs for a tarball); any other warning is ours to fix.
    const warnings = inst.stderr
      .split('\n')
      .filter((l) => /warn/i.test(l) && !l.startsWith('npm warn install-scripts'));
    assert.deepEqual(warnings, [], 'npm install warned');

    const installed = fs
      .readdirSync(path.join(app, 'node_modules'))
      .flatMap((d) =>
        d.startsWith('@') ? fs.readdirSync(path.join(app, 'node_modules', d)).map((s) => `${d}/${s}`) : [d],
      );
    for (const dep of Object.keys(pkg.dependencies)) assert.ok(installed.includes(dep), `${dep} is not installed`);
    const dev = Object.keys(pkg.devDependencies).filter((d) => installed.includes(d));
    assert.deepEqual(dev, [], 'dev dependencies were installed');
    const ortLinux = path.join(app, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64');
    if (fs.existsSync(ortLinux)) {
      assert.deepEqual(
        fs.readdirSync(ortLinux).filter((f) => /providers/.test(f)),
        [],
        'CUDA/TensorRT providers were downloaded',
      );
    }

    const text = run('npx', ['distilbert-inspector', TEXT], { cwd: app, env });
    assert.equal(text.status, 0, text.stderr);
    assert.equal(text.stderr, '', 'the CLI printed warnings');
    assert.match(text.stdout, /^=> (NEGATIVE|POSITIVE) \d+\.\d%/m);

    // Same numbers as the repo's CLI (whose stages are checked against torch in the other suites).
    const json = run('npx', ['distilbert-inspector', '--json', TEXT], { cwd: app, env });
    assert.equal(json.status, 0, json.stderr);
    const repo = run(
      process.execPath,
      [path.join(ROOT, 'out', 'src', 'cli', 'main.js'), '--json', '--cache-dir', path.join(work, 'repo-cache'), TEXT],
      { cwd: ROOT, env },
    );
    assert.equal(repo.status, 0, repo.stderr);
    type Out = {
      aggregate: { label: string; logits: number[] };
      windows: { stages: { relu: number[] } }[];
      model: { path: string };
    };
    const a = JSON.parse(json.stdout) as Out;
    const b = JSON.parse(repo.stdout) as Out;
    assert.ok(
      a.model.path.startsWith(fs.realpathSync(app)) || a.model.path.startsWith(app),
      `installed CLI read the model from ${a.model.path}`,
    );
    assert.equal(a.aggregate.label, b.aggregate.label);
    assert.ok(
      maxAbsDiff(a.aggregate.logits, b.aggregate.logits) <= 1e-6,
      `logits ${a.aggregate.logits} vs ${b.aggregate.logits}`,
    );
    assert.ok(maxAbsDiff(a.windows[0]!.stages.relu, b.windows[0]!.stages.relu) <= 1e-6);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
