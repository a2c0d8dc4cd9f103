#!/usr/bin/env node
// `npm test`: build once, then run every suite and print one closing line `N passed, N failed`.
// Suites: the lint (oxlint + Prettier's check, scripts/lint.js), unit tests of the pure core (node:test, plain Node), extension-host tests and UI tests inside a
// real VS Code (code-server + headless Chromium). Tools that write to HOME (ONNX Runtime, code-server) get
// a temp HOME so a test run never touches the user's files.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const only = process.argv.slice(2); // e.g. `npm test -- unit`
const SUITES = ['lint', 'unit', 'vscode', 'ui'];
if (only.includes('--help') || only.includes('-h')) {
  console.log(`Usage: node test/run-all.js [SUITE...]   (npm test -- SUITE...)
Builds (tsc, webpack), then runs the named suites, or all of them: ${SUITES.join(', ')}.`);
  process.exit(0);
}
const unknown = only.filter((s) => !SUITES.includes(s));
if (unknown.length) {
  console.error(`run-all: unknown suite ${unknown.join(', ')}; the suites are ${SUITES.join(', ')} (--help).`);
  process.exit(2);
}
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-test-home-'));
// ONNX Runtime's telemetry is off in every test process (the core also turns it off itself; see src/core/engine/ortRuntime.ts).
const env = {
  ...process.env,
  HOME: home,
  XDG_CACHE_HOME: path.join(home, '.cache'),
  ONNXRUNTIME_NODE_INSTALL: 'skip',
  ORT_DISABLE_TELEMETRY: '1',
  ORT_TELEMETRY_DISABLED: '1',
};
const resultsDir = path.join(root, 'test-results');
fs.mkdirSync(resultsDir, { recursive: true });

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit', ...opts });
  return r.status === null ? 1 : r.status;
}

function step(name, cmd, args) {
  console.log(`\n=== ${name}`);
  if (run(cmd, args) !== 0) {
    console.log(`\n${name} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

// The packages' own launchers (TypeScript 7's tsc is a native binary behind a script; its package exports
// no JS entry to require).
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
step('build (tsc)', bin('tsc'), ['-p', '.']);
step('build (webpack)', bin('webpack'), ['--mode', 'development']);

const suites = [
  {
    // One pass/fail for the whole lint: its own output lists each finding.
    name: 'lint',
    run() {
      const code = run(process.execPath, [path.join(root, 'scripts', 'lint.js')]);
      return { code, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 };
    },
  },
  {
    name: 'unit',
    run() {
      const tap = path.join(resultsDir, 'unit.tap');
      const code = run(process.execPath, [
        '--test',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tap}`,
        'out/test/unit/',
      ]);
      const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
      const num = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)`, 'm')) || [])[1] || 0);
      return { code, passed: num('pass'), failed: num('fail') + num('cancelled') };
    },
  },
  { name: 'vscode', script: 'out/test/vscode/runExtensionHostTests.js' },
  { name: 'ui', script: 'out/test/ui/runUiTests.js' },
];

let passed = 0;
let failed = 0;
for (const suite of suites) {
  if (only.length && !only.includes(suite.name)) continue;
  console.log(`\n=== ${suite.name} tests`);
  let r;
  if (suite.run) {
    r = suite.run();
  } else {
    // Each runner writes {passed, failed} to test-results/<name>-summary.json.
    const summary = path.join(resultsDir, `${suite.name}-summary.json`);
    fs.rmSync(summary, { force: true });
    const code = run(process.execPath, [suite.script]);
    const s = fs.existsSync(summary) ? JSON.parse(fs.readFileSync(summary, 'utf8')) : { passed: 0, failed: 1 };
    r = { code, passed: s.passed, failed: s.failed };
  }
  if (r.code !== 0 && r.failed === 0) r.failed = 1; // a runner that crashed counts as a failure
  console.log(`${suite.name}: ${r.passed} passed, ${r.failed} failed`);
  passed += r.passed;
  failed += r.failed;
}

fs.rmSync(home, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
