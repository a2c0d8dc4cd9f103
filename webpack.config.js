// Bundles the extension into dist/: extension.js (extension host), worker.js (the inference worker thread)
// and webview.js (the panel's browser code).
//
// Why webpack reads tsc's output in out/ instead of using ts-loader: the project compiles with TypeScript 7
// (the native compiler), which has no JavaScript compiler API, so ts-loader cannot load it. `tsc -p .` runs
// first (npm run build, test/run-all.js) with the root tsconfig and full strict type checking; webpack only
// bundles the resulting CommonJS. One compiler, one set of options, no second TypeScript to keep in sync.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const out = path.resolve(__dirname, 'out', 'src');
const dist = path.resolve(__dirname, 'dist');

function entry(rel) {
  const file = path.join(out, rel);
  if (!fs.existsSync(file)) {
    throw new Error(
      `webpack: ${path.relative(__dirname, file)} is missing; run \`npx tsc -p .\` first ` +
        `(it compiles src/${rel.replace(/\.js$/, '.ts')}).`,
    );
  }
  return file;
}

/** @type {(env: unknown, argv: { mode?: string }) => import('webpack').Configuration[]} */
module.exports = (_env, argv) => {
  const mode = argv.mode === 'production' ? 'production' : 'development';
  const common = {
    mode,
    // Maps point at the compiled JS in out/ (which carries its own maps back to src/).
    devtool: mode === 'production' ? 'hidden-source-map' : 'source-map',
    infrastructureLogging: { level: 'warn' },
    stats: 'errors-warnings',
    performance: { hints: false },
  };
  const nodeBundle = {
    ...common,
    target: 'node20',
    // __dirname stays the real folder of the bundle (dist/), so the extension finds dist/worker.js and
    // ../models/ at run time instead of webpack's "/" placeholder.
    node: { __dirname: false, __filename: false },
    // `vscode` is provided by the extension host; onnxruntime-node is a native addon that must stay in
    // node_modules with its bin/napi-v*/<platform>/<arch> folder intact (the VSIX ships it unbundled).
    externals: { vscode: 'commonjs vscode', 'onnxruntime-node': 'commonjs onnxruntime-node' },
    externalsPresets: { node: true },
    resolve: { extensions: ['.js', '.json'], conditionNames: ['node', 'require', 'default'] },
  };
  return [
    {
      ...nodeBundle,
      name: 'extension',
      entry: { extension: entry('extension/extension.js') },
      output: { path: dist, filename: '[name].js', library: { type: 'commonjs2' }, clean: false },
    },
    {
      ...nodeBundle,
      name: 'worker',
      entry: {
        worker: entry('core/engine/worker.js'),
        studyWorker: entry('core/dataset/studyWorker.js'),
        projectionWorker: entry('core/dataset/projectionWorker.js'),
        laneWorker: entry('core/engine/laneWorker.js'),
      },
      output: { path: dist, filename: '[name].js', library: { type: 'commonjs2' } },
    },
    {
      ...common,
      name: 'webview',
      target: 'web',
      entry: { webview: entry('webview/main.js'), datasetWebview: entry('webview/dataset/main.js') },
      resolve: { extensions: ['.js', '.json'] },
      output: { path: dist, filename: '[name].js' },
    },
  ];
};
