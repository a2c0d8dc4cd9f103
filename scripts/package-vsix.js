#!/usr/bin/env node
// Builds the linux-x64 VSIX from a clean staging folder, then checks what went in.
//
// Why a staging folder: onnxruntime-node ships binaries for every platform (~290 MB) and declares install-time
// dependencies (adm-zip, global-agent) that the extension never loads. vsce packages whatever `npm ls
// --production` reports, so we stage a copy holding exactly the runtime: the webpack bundles (dist/), media/,
// the bundled model's files, onnxruntime-node with only bin/napi-v*/linux/x64 and onnxruntime-common. The
// root .vscodeignore (an allowlist) is applied on top, and the finished VSIX is read back: a missing required
// file or a binary for another platform fails the build.
//
// Usage: node scripts/package-vsix.js [--out file.vsix]   (npm run package builds dist/ first)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const TARGET = 'linux-x64';
const MODEL = 'models/distilbert-sst2-small';
const MODEL_FILES = /^((config|tokenizer|tokenizer_config|special_tokens_map)\.json|vocab\.txt|README\.md|onnx\/[^/]+\.onnx(_data)?)$/;

function fail(msg) {
  console.error(`package-vsix: ${msg}`);
  process.exit(1);
}

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const ortDir = path.join(root, 'node_modules', 'onnxruntime-node');
const ortPkg = JSON.parse(fs.readFileSync(path.join(ortDir, 'package.json'), 'utf8'));
const napiDirs = fs.readdirSync(path.join(ortDir, 'bin')).filter((d) => /^napi-v\d+$/.test(d));
if (napiDirs.length === 0) fail('node_modules/onnxruntime-node/bin/napi-v*/ is missing; run `npm ci`');

// Files the extension cannot run without. Checked in the repo before staging and in the VSIX after.
const required = [
  'package.json',
  'dist/extension.js',
  'dist/worker.js',
  'dist/webview.js',
  'dist/datasetWebview.js',
  'dist/studyWorker.js',
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
  ...napiDirs.flatMap((d) => [
    `node_modules/onnxruntime-node/bin/${d}/linux/x64/onnxruntime_binding.node`,
    `node_modules/onnxruntime-node/bin/${d}/linux/x64/libonnxruntime.so.1`,
  ]),
];
const hints = {
  dist: 'run `npm run build` (tsc + webpack)',
  models: 'the bundled model is made by the model helper (models/recipe/); see issue 3',
  node_modules: 'run `ONNXRUNTIME_NODE_INSTALL=skip npm ci`',
  media: 'media/ belongs to the webview',
};
const missing = required.filter((f) => f !== 'package.json' && !fs.existsSync(path.join(root, f)));
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
try {
  // The manifest without build scripts and dev tooling; the runtime needs only onnxruntime-node (the
  // tokenizer and everything else is inside the webpack bundles).
  const manifest = { ...pkg };
  delete manifest.scripts;
  delete manifest.devDependencies;
  delete manifest.bin;
  manifest.dependencies = { 'onnxruntime-node': ortPkg.version };
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md', '.vscodeignore']) {
    if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(stage, f));
  }
  copy('dist', (r) => /^(extension|worker|webview)\.js$/.test(r));
  copy('media');
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
  for (const d of napiDirs) copy(`node_modules/onnxruntime-node/bin/${d}/linux/x64`);
  if (fs.existsSync(path.join(ortDir, 'README.md'))) copy('node_modules/onnxruntime-node/README.md');
  copy('node_modules/onnxruntime-common', (r) => r === 'package.json' || r === 'README.md' || r === 'LICENSE' ||
    // dist/cjs/package.json says {"type":"commonjs"}; without it Node reads the CJS files as ES modules.
    (r.startsWith('dist/cjs/') && (r.endsWith('.js') || r === 'dist/cjs/package.json')));

  const out = path.resolve(argValue('--out') ?? path.join(root, `${pkg.name}-${TARGET}-${pkg.version}.vsix`));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  const vsce = require.resolve('@vscode/vsce/vsce', { paths: [root] });
  const r = spawnSync(process.execPath, [vsce, 'package', '--target', TARGET, '--out', out,
    '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links'], { cwd: stage, stdio: 'inherit' });
  if (r.status !== 0) fail(`vsce package failed (exit ${r.status})`);
  verify(out).then(() => fs.rmSync(stage, { recursive: true, force: true }), (err) => {
    fs.rmSync(stage, { recursive: true, force: true });
    fail(err.message);
  });
} catch (err) {
  fs.rmSync(stage, { recursive: true, force: true });
  throw err;
}

/** Reads the VSIX back: every required file present, no ONNX Runtime binary for another platform. */
function verify(vsix) {
  const yauzl = require(require.resolve('yauzl', { paths: [path.dirname(require.resolve('@vscode/vsce/package.json', { paths: [root] }))] }));
  return new Promise((resolve, reject) => {
    yauzl.open(vsix, { lazyEntries: false }, (err, zip) => {
      if (err) return reject(err);
      const names = [];
      let bytes = 0;
      zip.on('entry', (e) => { names.push(e.fileName); bytes += e.uncompressedSize; });
      zip.on('error', reject);
      zip.on('end', () => {
        const inExt = new Set(names.filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length)));
        const absent = required.filter((f) => !inExt.has(f));
        const foreign = [...inExt].filter((n) => /onnxruntime-node\/bin\//.test(n) && !/\/linux\/x64\//.test(n));
        const stray = [...inExt].filter((n) => /(^|\/)(src|out|test|models\/recipe)\//.test(n) || n.endsWith('.map'));
        if (absent.length) return reject(new Error(`${vsix} lacks required files:\n  ${absent.join('\n  ')}`));
        if (foreign.length) return reject(new Error(`${vsix} holds other platforms' binaries:\n  ${foreign.join('\n  ')}`));
        if (stray.length) return reject(new Error(`${vsix} holds files the allowlist should keep out:\n  ${stray.join('\n  ')}`));
        console.log(`package-vsix: ${vsix}: ${inExt.size} files, ${(bytes / 1e6).toFixed(1)} MB unpacked, ` +
          `${(fs.statSync(vsix).size / 1e6).toFixed(1)} MB packed, target ${TARGET}; all required files present`);
        resolve();
      });
    });
  });
}
