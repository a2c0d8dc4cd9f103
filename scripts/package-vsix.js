#!/usr/bin/env node
// Builds one platform-specific VSIX per target from a clean staging folder, then checks what went in.
//
// Why a staging folder: onnxruntime-node ships binaries for every platform (~290 MB) and declares install-time
// dependencies (adm-zip, global-agent) that the extension never loads. vsce packages whatever `npm ls
// --production` reports, so we stage a copy holding exactly the runtime: the webpack bundles (dist/), media/,
// the bundled model's files, onnxruntime-node with only the target's runtime files (scripts/vsix-targets.js
// says which and why) and onnxruntime-common. The root .vscodeignore (an allowlist) is applied on top, and the
// finished VSIX is read back: a missing required file or a binary for another platform fails the build.
// The common part is staged once; only the binaries change between targets, so `--all` costs one vsce run
// per target on top of one build.
//
// Usage: node scripts/package-vsix.js [--target T | --all] [--out file.vsix | --out-dir DIR] [--ls]
//   --target  a VS Code target (linux-x64, linux-arm64, win32-x64, win32-arm64, darwin-arm64; darwin-x64 when
//             the installed onnxruntime-node ships it); default: this machine's platform
//   --all     every target the installed onnxruntime-node ships binaries for
//   --ls      print the staged file list (`vsce ls`) instead of packaging
// (npm run package / package:all build dist/ first; this script packages the dist/ it finds.)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const targets = require('./vsix-targets');

const root = path.resolve(__dirname, '..');
const MODEL = 'models/distilbert-sst2-small';
const MODEL_FILES =
  /^((config|tokenizer|tokenizer_config|special_tokens_map)\.json|vocab\.txt|README\.md|onnx\/[^/]+\.onnx(_data)?)$/;
const ORT_BIN = 'node_modules/onnxruntime-node/bin';

function fail(msg) {
  console.error(`package-vsix: ${msg}`);
  process.exit(1);
}

function argValue(name) {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) fail(`${name} needs a value`);
  return v;
}

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const ortDir = path.join(root, 'node_modules', 'onnxruntime-node');
const ortPkg = JSON.parse(fs.readFileSync(path.join(ortDir, 'package.json'), 'utf8'));
const napiDirs = targets.napiDirs(ortDir);
if (napiDirs.length === 0) fail('node_modules/onnxruntime-node/bin/napi-v*/ is missing; run `npm ci`');
const shipped = targets.shippedTargets(ortDir);
if (shipped.unknown.length) {
  fail(
    `onnxruntime-node ${ortPkg.version} ships binaries this script does not know: ${shipped.unknown.join(', ')}; ` +
      'add the target to scripts/vsix-targets.js',
  );
}

let wanted;
if (process.argv.includes('--all')) {
  wanted = shipped.targets;
} else {
  const t = argValue('--target') ?? `${process.platform}-${process.arch}`;
  targets.describe(t); // throws on a name VS Code does not know
  if (!shipped.targets.includes(t)) {
    fail(`onnxruntime-node ${ortPkg.version} ships no binaries for ${t}; it ships ${shipped.targets.join(', ')}`);
  }
  wanted = [t];
}
if (process.argv.includes('--out') && wanted.length > 1) fail('--out names one file; use --out-dir with --all');
const outDir = path.resolve(argValue('--out-dir') ?? root);
const outFile = (t) =>
  wanted.length === 1 && argValue('--out')
    ? path.resolve(argValue('--out'))
    : path.join(outDir, `${pkg.name}-${t}-${pkg.version}.vsix`);

/** Files every target needs, checked in the repo before staging and in each VSIX after. */
const common = [
  'package.json',
  'ThirdPartyNotices.txt',
  'dist/extension.js',
  'dist/worker.js',
  'dist/webview.js',
  'dist/datasetWebview.js',
  'dist/studyWorker.js',
  'dist/projectionWorker.js',
  'dist/laneWorker.js',
  'media/dataset.css',
  'media/inspector.css',
  `${MODEL}/config.json`,
  `${MODEL}/tokenizer.json`,
  `${MODEL}/tokenizer_config.json`,
  `${MODEL}/onnx/model.onnx`,
  'node_modules/onnxruntime-node/package.json',
  'node_modules/onnxruntime-node/dist/index.js',
  'node_modules/onnxruntime-common/package.json',
  'node_modules/onnxruntime-common/dist/cjs/index.js',
  'node_modules/onnxruntime-common/dist/cjs/package.json',
];
const runtimeFiles = (t) => {
  const { platform, arch, files } = targets.describe(t);
  return napiDirs.flatMap((d) => files.map((f) => `${ORT_BIN}/${d}/${platform}/${arch}/${f}`));
};
const hints = {
  dist: 'run `npm run build` (tsc + webpack)',
  models: 'the bundled model is made by the recipe in models/recipe/',
  node_modules: 'run `ONNXRUNTIME_NODE_INSTALL=skip npm ci`',
  media: 'media/ belongs to the webview',
};
const missing = [...common, ...wanted.flatMap(runtimeFiles)].filter(
  (f) => f !== 'package.json' && !fs.existsSync(path.join(root, f)),
);
if (missing.length) {
  fail(`required files are missing:\n${missing.map((f) => `  ${f}  (${hints[f.split('/')[0]] ?? ''})`).join('\n')}`);
}

const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-vsix-'));
function copy(rel, filter) {
  fs.cpSync(path.join(root, rel), path.join(stage, rel), {
    recursive: true,
    filter: (src) => {
      const r = path.relative(path.join(root, rel), src).replace(/\\/g, '/');
      return r === '' || fs.statSync(src).isDirectory() || !filter || filter(r);
    },
  });
}

/** Everything but the ONNX Runtime binaries, once for all targets. */
function stageCommon() {
  // The manifest without build scripts, dev tooling, the CLI's bin and its npm file list (vsce refuses a
  // manifest with both `files` and .vscodeignore); the runtime needs only onnxruntime-node (the tokenizer and
  // everything else is inside the webpack bundles).
  const manifest = { ...pkg };
  for (const k of ['scripts', 'devDependencies', 'bin', 'files']) delete manifest[k];
  manifest.dependencies = { 'onnxruntime-node': ortPkg.version };
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', 'ThirdPartyNotices.txt', '.vscodeignore']) {
    if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(stage, f));
  }
  copy('dist', (r) =>
    /^(extension|worker|webview|datasetWebview|studyWorker|projectionWorker|laneWorker)\.js$/.test(r),
  );
  copy('media', (r) => r !== 'icon.svg'); // the icon's source; the manifest points at icon.png
  // Only the model itself (config, tokenizer, ONNX graph, model card): no torch reference values or other
  // test and training artefacts.
  copy(MODEL, (r) => MODEL_FILES.test(r));

  const ortStage = path.join(stage, 'node_modules', 'onnxruntime-node');
  fs.mkdirSync(ortStage, { recursive: true });
  const ortManifest = { ...ortPkg };
  delete ortManifest.scripts; // its postinstall downloads CUDA libraries
  delete ortManifest.devDependencies;
  ortManifest.dependencies = { 'onnxruntime-common': ortPkg.dependencies['onnxruntime-common'] }; // drop install-only deps
  fs.writeFileSync(path.join(ortStage, 'package.json'), JSON.stringify(ortManifest, null, 2) + '\n');
  copy('node_modules/onnxruntime-node/dist', (r) => r.endsWith('.js'));
  if (fs.existsSync(path.join(ortDir, 'README.md'))) copy('node_modules/onnxruntime-node/README.md');
  copy(
    'node_modules/onnxruntime-common',
    (r) =>
      r === 'package.json' ||
      r === 'README.md' ||
      r === 'LICENSE' ||
      // dist/cjs/package.json says {"type":"commonjs"}; without it Node reads the CJS files as ES modules.
      (r.startsWith('dist/cjs/') && (r.endsWith('.js') || r === 'dist/cjs/package.json')),
  );
}

/** Swaps the staged ONNX Runtime binaries for target t's. */
function stageBinaries(t) {
  fs.rmSync(path.join(stage, ORT_BIN), { recursive: true, force: true });
  for (const rel of runtimeFiles(t)) {
    fs.mkdirSync(path.dirname(path.join(stage, rel)), { recursive: true });
    fs.copyFileSync(path.join(root, rel), path.join(stage, rel));
  }
}

function vsce(args) {
  const cli = require.resolve('@vscode/vsce/vsce', { paths: [root] });
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: stage, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vsce ${args[0]} failed (exit ${r.status})`);
}

async function main() {
  stageCommon();
  for (const t of wanted) {
    stageBinaries(t);
    if (process.argv.includes('--ls')) {
      console.log(`== ${t}`);
      vsce(['ls', '--tree']);
      continue;
    }
    const out = outFile(t);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.rmSync(out, { force: true });
    vsce([
      'package',
      '--target',
      t,
      '--out',
      out,
      '--no-rewrite-relative-links',
      ...(pkg.repository ? [] : ['--allow-missing-repository']),
      ...(fs.existsSync(path.join(root, 'LICENSE')) ? [] : ['--skip-license']),
    ]);
    await verify(out, t);
  }
}

main().then(
  () => fs.rmSync(stage, { recursive: true, force: true }),
  (err) => {
    fs.rmSync(stage, { recursive: true, force: true });
    fail(err.message);
  },
);

/** Reads the VSIX back: every required file present, no ONNX Runtime file another target needs. */
function verify(vsix, t) {
  const yauzl = require(
    require.resolve('yauzl', {
      paths: [path.dirname(require.resolve('@vscode/vsce/package.json', { paths: [root] }))],
    }),
  );
  const required = [...common, ...runtimeFiles(t)];
  const own = new Set(runtimeFiles(t));
  return new Promise((resolve, reject) => {
    yauzl.open(vsix, { lazyEntries: false }, (err, zip) => {
      if (err) return reject(err);
      const names = [];
      let bytes = 0;
      zip.on('entry', (e) => {
        names.push(e.fileName);
        bytes += e.uncompressedSize;
      });
      zip.on('error', reject);
      zip.on('end', () => {
        const inExt = new Set(names.filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length)));
        const absent = required.filter((f) => !inExt.has(f));
        const foreign = [...inExt].filter((n) => n.startsWith(`${ORT_BIN}/`) && !own.has(n));
        const stray = [...inExt].filter((n) => /(^|\/)(src|out|test|models\/recipe)\//.test(n) || n.endsWith('.map'));
        if (absent.length) return reject(new Error(`${vsix} lacks required files:\n  ${absent.join('\n  ')}`));
        if (foreign.length)
          return reject(new Error(`${vsix} holds ONNX Runtime files ${t} does not load:\n  ${foreign.join('\n  ')}`));
        if (stray.length)
          return reject(new Error(`${vsix} holds files the allowlist should keep out:\n  ${stray.join('\n  ')}`));
        console.log(
          `package-vsix: ${vsix}: ${inExt.size} files, ${(bytes / 1e6).toFixed(1)} MB unpacked, ` +
            `${(fs.statSync(vsix).size / 1e6).toFixed(1)} MB packed, target ${t}; all required files present`,
        );
        resolve();
      });
    });
  });
}
