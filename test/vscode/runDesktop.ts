// The same extension-host tests in desktop VS Code through @vscode/test-electron, for machines that can
// download VS Code (it fetches a VS Code build from update.code.visualstudio.com). It cannot run on the
// offline CI machine, so `npm test` uses runExtensionHostTests.ts (code-server) instead; this one is run by
// hand: `npx tsc -p . && npm run build && node out/test/vscode/runDesktop.js [--config trusted|untrusted|all]`.
// VS Code 1.100.3 matches the code-server used in CI and engines.vscode (^1.100.0).
// On a machine without a display, wrap it in `xvfb-run -a`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { baseSettings, repoRoot, resultsDir, writeSummary } from './codeServer';
import { makeWorkspace } from './fixtureWorkspace';

const VERSION = process.env.VSCODE_VERSION ?? '1.100.3';

async function runConfig(config: 'trusted' | 'untrusted'): Promise<{ passed: number; failed: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dbi-desktop-${config}-`));
  const userDataDir = path.join(dir, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  const trustSettings =
    config === 'untrusted'
      ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' }
      : {};
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...baseSettings(), ...trustSettings }, null, 2),
  );
  const untrustedModel = path.join(repoRoot, 'test', 'fixtures', 'models', 'tiny-distilbert-o17-multilabel');
  const workspace = makeWorkspace(
    path.join(dir, 'workspace'),
    config === 'untrusted' ? { workspaceSettings: { 'distilbertInspector.model.path': untrustedModel } } : {},
  );
  const results = path.join(resultsDir, `desktop-mocha-${config}.json`);
  fs.rmSync(results, { force: true });
  const launchArgs = [
    workspace,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    path.join(dir, 'extensions'),
    '--disable-extensions',
    '--skip-welcome',
    '--skip-release-notes',
  ];
  if (config === 'trusted') launchArgs.push('--disable-workspace-trust');
  let code = 0;
  try {
    code = await runTests({
      version: VERSION,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'vscode', 'index.js'),
      launchArgs,
      extensionTestsEnv: {
        DBI_VSCODE_RESULTS: results,
        DBI_VSCODE_CONFIG: config,
        DBI_VSCODE_FILES: process.env.DBI_VSCODE_FILES ?? '',
        DBI_VSCODE_GREP: process.env.DBI_VSCODE_GREP ?? '',
        DBI_VSCODE_WORKSPACE: workspace,
        DBI_VSCODE_UNTRUSTED_MODEL: config === 'untrusted' ? untrustedModel : '',
        DBI_REPO_ROOT: repoRoot,
        HOME: path.join(dir, 'home'),
      },
    });
  } catch (err) {
    console.error(`[desktop ${config}] ${err instanceof Error ? err.message : String(err)}`);
    code = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!fs.existsSync(results)) return { passed: 0, failed: 1 };
  const r = JSON.parse(fs.readFileSync(results, 'utf8')) as { stats: { passes: number; failures: number } };
  return { passed: r.stats.passes, failed: r.stats.failures + (code !== 0 && r.stats.failures === 0 ? 1 : 0) };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--config');
  const which = i >= 0 ? process.argv[i + 1] : 'all';
  const configs = which === 'all' ? (['trusted', 'untrusted'] as const) : [which as 'trusted' | 'untrusted'];
  let passed = 0;
  let failed = 0;
  for (const c of configs) {
    const r = await runConfig(c);
    console.log(`[desktop ${c}] ${r.passed} passed, ${r.failed} failed`);
    passed += r.passed;
    failed += r.failed;
  }
  writeSummary('desktop', passed, failed);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

void main();
