// The platform VSIXs as users get them: builds every target with scripts/package-vsix.js --all (the code path
// of `npm run package:all`, on the dist/ this test run built; ~25 s for five targets) into a temp folder, then
// reads each VSIX with our own zip reader and checks, from the binaries' own headers, that it carries only its
// target's ONNX Runtime (right OS and CPU, every library they link that ONNX Runtime ships present, nothing
// for another platform), the model and webview assets, no tests or source maps, within the size budget.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBinaryInfo, type BinaryInfo } from './binaryHeaders';
import { readZip, type ZipEntry } from './zipReader';

const root = path.resolve(__dirname, '..', '..', '..');
const ortDir = path.join(root, 'node_modules', 'onnxruntime-node');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const targets = require(path.join(root, 'scripts', 'vsix-targets.js')) as {
  shippedTargets(dir: string): { targets: string[]; unknown: string[] };
};
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  icon?: string;
};

/** What each target's binaries must be, written down here independently of the packaging script. */
const EXPECTED: Record<string, { format: BinaryInfo['format']; machine: string; lib: string }> = {
  'linux-x64': { format: 'elf', machine: 'x64', lib: 'libonnxruntime.so.1' },
  'linux-arm64': { format: 'elf', machine: 'arm64', lib: 'libonnxruntime.so.1' },
  'win32-x64': { format: 'pe', machine: 'x64', lib: 'onnxruntime.dll' },
  'win32-arm64': { format: 'pe', machine: 'arm64', lib: 'onnxruntime.dll' },
  'darwin-x64': { format: 'macho', machine: 'x64', lib: 'libonnxruntime.1.dylib' },
  'darwin-arm64': { format: 'macho', machine: 'arm64', lib: 'libonnxruntime.1.dylib' },
};
/** onnxruntime-node 1.30 ships these (no darwin-x64). */
const ORT_130_TARGETS = ['linux-x64', 'linux-arm64', 'win32-x64', 'win32-arm64', 'darwin-arm64'];
/** Size budget per VSIX (measured 43-51 MB packed, 62-83 MB unpacked with onnxruntime-node 1.30 and the bundled model in fp32 + int8). */
const BUDGET_PACKED_MB = 56;
const BUDGET_UNPACKED_MB = 92;
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const MODEL = 'models/distilbert-sst2-small';
const NEEDED = [
  'package.json',
  'README.md',
  'CHANGELOG.md',
  'dist/extension.js',
  'dist/worker.js',
  'dist/webview.js',
  'dist/datasetWebview.js',
  'dist/studyWorker.js',
  'dist/projectionWorker.js',
  'dist/laneWorker.js',
  'media/inspector.css',
  'media/dataset.css',
  `${MODEL}/config.json`,
  `${MODEL}/tokenizer.json`,
  `${MODEL}/tokenizer_config.json`,
  `${MODEL}/onnx/model.onnx`,
  'node_modules/onnxruntime-node/dist/index.js',
  'node_modules/onnxruntime-common/dist/cjs/index.js',
];
const STRAY =
  /\.map$|\.ts$|^media\/icon\.svg$|(^|\/)(src|out|test|tests|fixtures|bench|scripts|recipe|\.vscode-test)\/|reference\.json$|\.vsix$/;

const ortFolders = (): { platform: string; arch: string; dir: string }[] =>
  fs.readdirSync(path.join(ortDir, 'bin')).flatMap((napi) => {
    const base = path.join(ortDir, 'bin', napi);
    return fs
      .readdirSync(base)
      .flatMap((platform) =>
        fs
          .readdirSync(path.join(base, platform))
          .map((arch) => ({ platform, arch, dir: path.join(base, platform, arch) })),
      );
  });

test('the header reader tells every ONNX Runtime binary in node_modules its OS and CPU, as its folder says', () => {
  const formats: Record<string, string> = { linux: 'elf', darwin: 'macho', win32: 'pe' };
  let n = 0;
  for (const { platform, arch, dir } of ortFolders()) {
    for (const f of fs.readdirSync(dir)) {
      const info = readBinaryInfo(fs.readFileSync(path.join(dir, f)));
      assert.ok(info, `${platform}/${arch}/${f} is not read as a binary`);
      assert.equal(info.format, formats[platform], `${platform}/${arch}/${f}`);
      assert.equal(info.machine, arch, `${platform}/${arch}/${f}`);
      n++;
    }
    const expected = EXPECTED[`${platform}-${arch}`];
    assert.ok(expected, `no expectation for ${platform}-${arch}`);
    const binding = readBinaryInfo(fs.readFileSync(path.join(dir, 'onnxruntime_binding.node')))!;
    assert.ok(
      binding.needs.map((x) => path.posix.basename(x)).includes(expected.lib),
      `${platform}/${arch} binding links ${binding.needs.join(', ')}`,
    );
  }
  assert.ok(n >= 12, `only ${n} binaries found`);
  assert.equal(readBinaryInfo(Buffer.from('#!/bin/sh\necho not a binary\n'.padEnd(80))), undefined);
  if (process.platform === 'linux' && process.arch === 'x64') {
    const node = readBinaryInfo(fs.readFileSync(process.execPath))!;
    assert.deepEqual([node.format, node.machine], ['elf', 'x64']);
    assert.ok(
      node.needs.some((x) => x.startsWith('libc.so')),
      `node links ${node.needs.join(', ')}`,
    );
  }
});

test('scripts/vsix-targets.js finds every platform onnxruntime-node ships', () => {
  const { targets: found, unknown } = targets.shippedTargets(ortDir);
  assert.deepEqual(unknown, []);
  for (const t of ORT_130_TARGETS) assert.ok(found.includes(t), `${t} missing from ${found.join(', ')}`);
  assert.equal(
    found.includes('darwin-x64'),
    ortFolders().some((f) => f.platform === 'darwin' && f.arch === 'x64'),
  );
});

test('npm run package:all: every target VSIX holds only its own ONNX Runtime, the model and the webview', async (t) => {
  for (const f of [
    'dist/extension.js',
    'dist/worker.js',
    'dist/webview.js',
    'dist/datasetWebview.js',
    'dist/studyWorker.js',
    'dist/projectionWorker.js',
  ]) {
    assert.ok(fs.existsSync(path.join(root, f)), `${f} is missing: build first (npx tsc -p . && npx webpack)`);
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-vsix-test-'));
  t.after(() => fs.rmSync(out, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'package-vsix.js'), '--all', '--out-dir', out], {
    cwd: root,
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  assert.equal(r.status, 0, `package-vsix --all failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  const built = targets.shippedTargets(ortDir).targets;
  assert.deepEqual(fs.readdirSync(out).sort(), built.map((x) => `${pkg.name}-${x}-${pkg.version}.vsix`).sort());
  const modelBytes = fs.readFileSync(path.join(root, MODEL, 'onnx', 'model.onnx'));
  const ortShips = new Set(ortFolders().flatMap((f) => fs.readdirSync(f.dir)));
  for (const target of built) {
    await t.test(target, () =>
      checkVsix(path.join(out, `${pkg.name}-${target}-${pkg.version}.vsix`), target, modelBytes, ortShips),
    );
  }
});

function checkVsix(file: string, target: string, modelBytes: Buffer, ortShips: Set<string>): void {
  const want = EXPECTED[target]!;
  const entries = readZip(file);
  const byName = new Map(entries.map((e) => [e.name, e] as [string, ZipEntry]));
  const vsixManifest = byName.get('extension.vsixmanifest')?.read().toString('utf8') ?? '';
  assert.match(vsixManifest, new RegExp(`TargetPlatform="${target}"`), 'the manifest names the target');
  const ext = entries
    .filter((e) => e.name.startsWith('extension/'))
    .map((e) => ({ ...e, rel: e.name.slice('extension/'.length), read: e.read }));
  const names = new Set(ext.map((e) => e.rel));
  // vsce stores README.md and CHANGELOG.md as readme.md and changelog.md.
  const lower = new Set([...names].map((n) => n.toLowerCase()));
  const screenshots = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1]!);
  for (const f of [...NEEDED, ...(pkg.icon ? [pkg.icon] : []), ...screenshots])
    assert.ok(lower.has(f.toLowerCase()), `${target}: ${f} is missing`);
  assert.ok(
    byName.get(`extension/${MODEL}/onnx/model.onnx`)!.read().equals(modelBytes),
    'the bundled model is byte-identical',
  );
  const manifest = JSON.parse(byName.get('extension/package.json')!.read().toString('utf8')) as Record<string, unknown>;
  for (const k of ['scripts', 'devDependencies', 'files'])
    assert.equal(manifest[k], undefined, `package.json in the VSIX keeps "${k}"`);
  assert.deepEqual(
    ext.filter((e) => STRAY.test(e.rel)).map((e) => e.rel),
    [],
    'tests, sources or maps in the VSIX',
  );

  // Exactly the binding and the library it links, in the folder the binding is loaded from.
  const [platform, arch] = target.split('-');
  const binDir = `node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}`;
  const ortFiles = ext
    .filter((e) => e.rel.startsWith('node_modules/onnxruntime-node/bin/'))
    .map((e) => e.rel)
    .sort();
  assert.deepEqual(ortFiles, [`${binDir}/${want.lib}`, `${binDir}/onnxruntime_binding.node`].sort());

  // Every native binary anywhere in the VSIX is for this OS and CPU, and what it links from ONNX Runtime is in.
  let binaries = 0;
  for (const e of ext) {
    const info = readBinaryInfo(e.read());
    if (!info) {
      assert.doesNotMatch(
        e.rel,
        /\.(node|so(\.\d+)*|dylib|dll|exe)$/,
        `${e.rel} has a native name but no native header`,
      );
      continue;
    }
    binaries++;
    assert.deepEqual([info.format, info.machine], [want.format, want.machine], `${target}: ${e.rel}`);
    for (const dep of info.needs.map((x) => path.posix.basename(x))) {
      if (ortShips.has(dep) || dep.startsWith('libonnxruntime') || dep.startsWith('onnxruntime')) {
        assert.ok(
          names.has(`${path.posix.dirname(e.rel)}/${dep}`),
          `${target}: ${e.rel} links ${dep}, which is not shipped beside it`,
        );
      }
    }
  }
  assert.equal(binaries, 2, `${target}: ${binaries} native binaries`);

  const packed = fs.statSync(file).size / 1e6;
  const unpacked = ext.reduce((s, e) => s + e.size, 0) / 1e6;
  assert.ok(packed <= BUDGET_PACKED_MB, `${target}: ${packed.toFixed(1)} MB packed, budget ${BUDGET_PACKED_MB} MB`);
  assert.ok(
    unpacked <= BUDGET_UNPACKED_MB,
    `${target}: ${unpacked.toFixed(1)} MB unpacked, budget ${BUDGET_UNPACKED_MB} MB`,
  );
  console.log(`# ${target}: ${packed.toFixed(1)} MB packed, ${unpacked.toFixed(1)} MB unpacked, ${ext.length} files`);
}
