// The mocha entry VS Code's extension host loads (extensionTestsPath). It runs the compiled test cases in
// out/test/vscode/suite/**/*.test.js inside the real extension host and writes mocha's JSON report to the file
// the runner names, because the browser only sees the exit code.
//
// Environment (set by runExtensionHostTests.ts on code-server; the extension host inherits it):
//   DBI_VSCODE_RESULTS  where to write the JSON report (default: test-results/vscode-mocha.json)
//   DBI_VSCODE_CONFIG   "trusted" (default) or "untrusted": files with "untrusted" in their path under suite/
//                       run only in the untrusted-workspace configuration, all others only in the trusted one
//   DBI_VSCODE_FILES    comma-separated substrings; only test files whose path contains one of them run
//   DBI_VSCODE_GREP     a mocha grep pattern for test titles
import * as fs from 'node:fs';
import * as path from 'node:path';

type MochaNs = typeof import('mocha');

function testFiles(suiteDir: string): string[] {
  if (!fs.existsSync(suiteDir)) return [];
  const config = process.env.DBI_VSCODE_CONFIG === 'untrusted' ? 'untrusted' : 'trusted';
  const only = (process.env.DBI_VSCODE_FILES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return (fs.readdirSync(suiteDir, { recursive: true }) as string[])
    .filter((rel) => rel.endsWith('.test.js'))
    .filter((rel) => (/untrusted/i.test(rel) ? config === 'untrusted' : config === 'trusted'))
    .filter((rel) => only.length === 0 || only.some((o) => rel.includes(o)))
    .sort()
    .map((rel) => path.join(suiteDir, rel));
}

export function run(): Promise<void> {
  // mocha 12 is an ES module; Node 20.19+ (the extension host's Node) can require() it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ns = require('mocha') as MochaNs & { default?: MochaNs };
  const Mocha = (ns.default ?? ns) as unknown as typeof import('mocha');
  const results =
    process.env.DBI_VSCODE_RESULTS ?? path.resolve(__dirname, '..', '..', '..', 'test-results', 'vscode-mocha.json');
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: Number(process.env.DBI_VSCODE_TEST_TIMEOUT ?? 120_000), // the first test loads ONNX Runtime and the model
    reporter: 'json',
    reporterOptions: { output: results },
  });
  // Both suite()/test() and describe()/it() work in the test files.
  ns.interfaces.bdd(mocha.suite);
  if (process.env.DBI_VSCODE_GREP) mocha.grep(process.env.DBI_VSCODE_GREP);
  const files = testFiles(process.env.DBI_VSCODE_SUITE_DIR ?? path.resolve(__dirname, 'suite'));
  for (const f of files) mocha.addFile(f);
  console.log(`[mocha] ${files.length} test file(s): ${files.map((f) => path.basename(f)).join(', ')}`);
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
        else resolve();
      });
      // One line per test on the console; the runner forwards it to its output through codeAutomationLog.
      runner.on('pass', (t) => console.log(`[mocha] pass ${t.fullTitle()} (${t.duration ?? 0} ms)`));
      runner.on('fail', (t, err: Error) => console.log(`[mocha] FAIL ${t.fullTitle()}: ${err.stack ?? err.message}`));
      runner.on('pending', (t) => console.log(`[mocha] skip ${t.fullTitle()}`));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
