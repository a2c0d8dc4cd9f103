// Runs the extension-host tests (test/vscode/suite/**) inside a real VS Code: code-server 4.100 with headless
// Chromium opening the web workbench with VS Code's `payload` URL parameter (extensionDevelopmentPath = this
// repo, extensionTestsPath = out/test/vscode/index.js). Writes test-results/vscode-summary.json {passed, failed}.
//
// Two workspace configurations, each its own code-server:
//   trusted    workspace trust off (--disable-workspace-trust): every test file without "untrusted" in its path
//   untrusted  trust on and never granted, plus a workspace .vscode/settings.json that sets a model path:
//              the test files with "untrusted" in their path
// Usage: node out/test/vscode/runExtensionHostTests.js [--config trusted|untrusted|all] [--files a,b]
//        [--grep title-regex] [--timeout seconds-per-config] [--keep]
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  launchBrowser,
  makeSandbox,
  remoteUri,
  repoRoot,
  resultsDir,
  startCodeServer,
  workbenchUrl,
  writeSummary,
} from './codeServer';
import { makeWorkspace } from './fixtureWorkspace';

interface Args {
  configs: Array<'trusted' | 'untrusted'>;
  files: string;
  grep: string;
  timeoutS: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { configs: ['trusted', 'untrusted'], files: '', grep: '', timeoutS: 600, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--config') {
      const c = v();
      if (c !== 'trusted' && c !== 'untrusted' && c !== 'all')
        throw new Error(`--config must be trusted|untrusted|all, not ${c}`);
      a.configs = c === 'all' ? ['trusted', 'untrusted'] : [c];
    } else if (k === '--files') a.files = v();
    else if (k === '--grep') a.grep = v();
    else if (k === '--timeout') a.timeoutS = Number(v());
    else if (k === '--keep') a.keep = true;
    else throw new Error(`unknown argument ${k}; see the usage at the top of test/vscode/runExtensionHostTests.ts`);
  }
  return a;
}

/** A model folder an untrusted repository might point at; the extension must ignore it there. */
const untrustedModel = path.join(repoRoot, 'test', 'fixtures', 'models', 'tiny-distilbert-o17-multilabel');

interface Outcome {
  passed: number;
  failed: number;
  pending: number;
  exit: number | 'timeout';
}

async function runConfig(config: 'trusted' | 'untrusted', args: Args): Promise<Outcome> {
  const trusted = config === 'trusted';
  const sandbox = makeSandbox(
    `vscode-${config}`,
    trusted
      ? {}
      : {
          'security.workspace.trust.enabled': true,
          'security.workspace.trust.startupPrompt': 'never', // no modal: the folder simply stays in Restricted Mode
          'security.workspace.trust.emptyWindow': false,
        },
  );
  const workspace = makeWorkspace(
    path.join(sandbox.dir, 'workspace'),
    trusted
      ? {}
      : {
          workspaceSettings: { 'distilbertInspector.model.path': untrustedModel },
        },
  );
  const mochaJson = path.join(resultsDir, `vscode-mocha-${config}.json`);
  fs.rmSync(mochaJson, { force: true });
  const extPath = process.env.DBI_VSCODE_EXT_PATH ?? repoRoot; // a different extension only for runner development
  const server = await startCodeServer({
    sandbox,
    workspace,
    workspaceTrust: !trusted,
    logName: `vscode-${config}`,
    env: {
      DBI_VSCODE_RESULTS: mochaJson,
      DBI_VSCODE_CONFIG: config,
      DBI_VSCODE_FILES: args.files,
      DBI_VSCODE_GREP: args.grep,
      DBI_VSCODE_WORKSPACE: workspace,
      DBI_VSCODE_UNTRUSTED_MODEL: trusted ? '' : untrustedModel,
      DBI_REPO_ROOT: repoRoot,
    },
  });
  const browser = await launchBrowser();
  const started = Date.now();
  let exit: number | 'timeout' = 'timeout';
  try {
    const page = await browser.newPage();
    const done = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      if (process.env.DBI_VSCODE_VERBOSE) console.log(`[workbench ${type}]`, ...(Array.isArray(args) ? args : [args]));
    });
    // The extension host's console reaches the page console; show the test lines and extension-host errors.
    page.on('console', (msg) => {
      const text = msg.text();
      const at = text.indexOf('[mocha]');
      if (at >= 0) console.log(`  ${text.slice(at)}`);
      else if (process.env.DBI_VSCODE_VERBOSE) console.log(`  ${text}`);
    });
    const url = workbenchUrl(server, workspace, [
      ['extensionDevelopmentPath', remoteUri(server, extPath)],
      ['extensionTestsPath', remoteUri(server, path.join(repoRoot, 'out', 'test', 'vscode', 'index.js'))],
      ['skipWelcome', 'true'],
    ]);
    console.log(`[${config}] ${url}`);
    await page.goto(url);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), args.timeoutS * 1000).unref());
    exit = await Promise.race([done, timer]);
    if (exit === 'timeout') {
      fs.mkdirSync(resultsDir, { recursive: true });
      await page.screenshot({ path: path.join(resultsDir, `vscode-${config}-timeout.png`) }).catch(() => undefined);
    }
  } finally {
    await browser.close().catch(() => undefined);
    server.stop();
    if (!args.keep) sandbox.remove();
    else console.log(`[${config}] kept ${sandbox.dir}`);
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (!fs.existsSync(mochaJson)) {
    console.log(
      `[${config}] no mocha report (${exit === 'timeout' ? `timed out after ${args.timeoutS} s` : `exit ${exit}`}, ` +
        `${secs} s); see ${server.logFile}`,
    );
    return { passed: 0, failed: 1, pending: 0, exit };
  }
  const report = JSON.parse(fs.readFileSync(mochaJson, 'utf8')) as {
    stats: { passes: number; failures: number; pending: number };
    failures: Array<{ fullTitle: string; err: { message?: string; stack?: string } }>;
  };
  for (const f of report.failures)
    console.log(`[${config}] FAILED ${f.fullTitle}\n    ${f.err.stack ?? f.err.message ?? ''}`);
  let failed = report.stats.failures;
  if (exit === 'timeout' || (exit !== 0 && failed === 0)) failed += 1; // a hang or a crash outside a test
  console.log(
    `[${config}] ${report.stats.passes} passed, ${failed} failed, ${report.stats.pending} skipped ` +
      `(exit ${exit}, ${secs} s)`,
  );
  return { passed: report.stats.passes, failed, pending: report.stats.pending, exit };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(repoRoot, 'out', 'test', 'vscode', 'index.js'))) {
    throw new Error('out/test/vscode/index.js is missing; run `npx tsc -p .` first');
  }
  let passed = 0;
  let failed = 0;
  for (const config of args.configs) {
    try {
      const o = await runConfig(config, args);
      passed += o.passed;
      failed += o.failed;
    } catch (err) {
      console.error(`[${config}] runner error: ${err instanceof Error ? err.stack : String(err)}`);
      failed += 1;
    }
  }
  writeSummary('vscode', passed, failed);
  console.log(`extension-host tests: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  writeSummary('vscode', 0, 1);
  process.exitCode = 1;
});
