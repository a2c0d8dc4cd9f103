// UI tests: what a person does, in a real VS Code (code-server 4.100 + headless Chromium), against the packaged
// extension. Builds the linux-x64 VSIX (scripts/package-vsix.js), installs it with `code-server
// --install-extension`, opens the plain workbench URL, opens a file from the explorer, selects a sentence, runs
// "DistilBERT: Classify Selection" from the command palette and reads the result inside the panel's webview;
// then the same in the dark theme, and "DistilBERT: Classify File" on a long file with its window list.
// Screenshots go to test-results/screenshots/, the tally to test-results/ui-summary.json {passed, failed}.
//
// Usage: node out/test/ui/runUiTests.js [--vsix file.vsix | --dev] [--grep REGEX] [--keep] [--first-ten] [--only dataset|narrow]
//   --vsix  install this VSIX instead of building one; --dev  load the repo as a development extension
//   (payload URL) instead of installing a VSIX, for quick iteration; --grep  run only the steps whose name
//   matches (steps that build on an earlier one need it to match too). DBI_UI_MODEL=<folder> sets
//   distilbertInspector.model.path in the user settings (e.g. a test fixture while no bundled model exists).
//   --first-ten runs only the first-ten-minutes walk (firstTen.test.ts), after the install.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  codeServerEntry,
  installVsix,
  launchBrowser,
  makeSandbox,
  remoteUri,
  repoRoot,
  resultsDir,
  startCodeServer,
  workbenchUrl,
  writeSummary,
  type Sandbox,
  type Server,
} from '../vscode/codeServer';
import { makeWorkspace } from '../vscode/fixtureWorkspace';
import { attributionUiTests, occlusionUiTests } from './occlusion.test';
import { diagnosticsUiTests } from './diagnostics.test';
import {
  classifyFileInPalette,
  classifySelectionInPalette,
  editorCursor,
  readPanel,
  revealWindow,
  setTheme,
  showHead,
  type PanelReading,
} from './workbench';
import { checkPreviewShowsCharts, exportMarkdownFromPanel } from './reportSteps';
import { compareTextsUi } from './compare.test';
import { liveInspectionUi } from './live.test';
import { headLensDarkUi, headLensLightUi } from './lens.test';
import { firstTenMinutesUi } from './firstTen.test';
import { FakeHub, fixtureFiles } from '../unit/hubFakes';

/** The full-size model the panel offers (src/extension/modelNote.ts), served here by the loopback hub. */
const FULL_SIZE_MODEL = 'Xenova/distilbert-base-uncased-finetuned-sst-2-english';
import { datasetUiTests } from './dataset.test';
import { narrowPanelUi } from './narrow.test';

const EXT_ID = 'distilbert-inspector.distilbert-inspector';
const shots = path.join(resultsDir, 'screenshots');
const argv = process.argv.slice(2);
const dev = argv.includes('--dev');
const keep = argv.includes('--keep');
const firstTenOnly = argv.includes('--first-ten');
// --only dataset|narrow: after the workbench is up, run only the dataset-mode steps or the narrow-column steps
// (narrow.test.ts), for quick iteration on one area.
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const givenVsix = argv.includes('--vsix') ? argv[argv.indexOf('--vsix') + 1] : undefined;
const grep = argv.includes('--grep') ? new RegExp(argv[argv.indexOf('--grep') + 1] ?? '', 'i') : undefined;

let passed = 0;
let failed = 0;
async function check(name: string, page: Page | undefined, fn: () => Promise<void>): Promise<boolean> {
  if (grep && !grep.test(name)) {
    console.log(`  skip ${name}`);
    return true;
  }
  const t = Date.now();
  try {
    await fn();
    passed++;
    console.log(`  ok   ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    return true;
  } catch (err) {
    failed++;
    console.log(`  FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`);
    if (page) {
      const file = path.join(shots, `failure-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
      await page.screenshot({ path: file }).catch(() => undefined);
      console.log(`       screenshot: ${path.relative(repoRoot, file)}`);
    }
    return false;
  }
}

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/** The labels the model in use declares (config.json id2label): the panel must show one of these. */
function modelLabels(modelDir: string): string[] {
  const cfg = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as {
    id2label?: Record<string, string>;
  };
  assert(cfg.id2label && Object.keys(cfg.id2label).length > 0, `${modelDir}/config.json has no id2label`);
  return Object.values(cfg.id2label);
}

/** The label is the model's, every number in every stage is finite, the probability is a percentage. */
function checkReading(r: PanelReading, labels: string[]): void {
  assert(labels.includes(r.label), `label "${r.label}" is not one of the model's labels ${JSON.stringify(labels)}`);
  const pct = Number(r.probability.replace('%', '').trim());
  assert(Number.isFinite(pct) && pct >= 0 && pct <= 100, `probability "${r.probability}" is not a percentage`);
  for (const [id, text] of Object.entries(r.stages)) {
    assert(!/\bNaN\b|Infinity/.test(text), `stage ${id} shows a non-finite value: ${text.slice(0, 200)}`);
    const nums = text.match(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi) ?? [];
    assert(
      nums.length > 0 && nums.every((n) => Number.isFinite(Number(n))),
      `stage ${id} shows no numbers: ${text.slice(0, 200)}`,
    );
  }
  const logits = (r.stages.logits ?? '').match(/-?\d+\.\d+(?:e[-+]?\d+)?/gi) ?? [];
  assert(logits.length >= labels.length, `logits show ${logits.length} values for ${labels.length} labels`);
}

/** The model's transformer blocks (config.json n_layers, or num_hidden_layers for BERT/RoBERTa). */
function modelLayers(modelDir: string): number {
  const cfg = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as {
    n_layers?: number;
    num_hidden_layers?: number;
  };
  const n = cfg.n_layers ?? cfg.num_hidden_layers;
  assert(Number.isInteger(n), `${modelDir}/config.json has no n_layers`);
  return n!;
}

function buildVsix(dir: string): string {
  const out = path.join(dir, 'distilbert-inspector-linux-x64.vsix');
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'package-vsix.js'), '--out', out], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`scripts/package-vsix.js failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  console.log(`  ${r.stdout.trim().split('\n').pop() ?? ''}`);
  return out;
}

async function main(): Promise<void> {
  fs.rmSync(shots, { recursive: true, force: true }); // only this run's pictures, never stale ones
  fs.mkdirSync(shots, { recursive: true });
  codeServerEntry(); // fail early with the install hint
  const settings: Record<string, unknown> = {
    'workbench.colorTheme': 'Default Light Modern',
    'security.workspace.trust.enabled': false,
    'editor.minimap.enabled': false,
  };
  const sandbox: Sandbox = makeSandbox('ui', settings);
  // model.path and hub.endpoint are machine-overridable: a code-server window reads them from the remote
  // machine's settings. The hub is a loopback fake serving a tiny fixture as the "full-size" model.
  const hub = await new FakeHub().start();
  const hubModel = path.join(repoRoot, 'test', 'fixtures', 'models', 'tiny-distilbert-o17-multilabel');
  hub.repos.set(FULL_SIZE_MODEL, {
    commit: Date.now().toString(16).padEnd(40, 'c').slice(0, 40),
    files: fixtureFiles(hubModel),
  });
  const machineSettings: Record<string, unknown> = { 'distilbertInspector.hub.endpoint': hub.hubUrl };
  if (process.env.DBI_UI_MODEL)
    machineSettings['distilbertInspector.model.path'] = path.resolve(process.env.DBI_UI_MODEL);
  sandbox.writeMachineSettings(machineSettings);
  const workspace = makeWorkspace(path.join(sandbox.dir, 'workspace'));
  let server: Server | undefined;
  let browser: Browser | undefined;
  let modelDir = process.env.DBI_UI_MODEL
    ? path.resolve(process.env.DBI_UI_MODEL)
    : path.join(repoRoot, 'models', 'distilbert-sst2-small');
  try {
    if (!dev) {
      const ok = await check('VSIX builds and installs into code-server', undefined, async () => {
        const vsix = givenVsix ? path.resolve(givenVsix) : buildVsix(sandbox.dir);
        installVsix(sandbox, vsix);
        const installed = fs.readdirSync(sandbox.extensionsDir).find((d) => d.startsWith(`${EXT_ID}-`));
        assert(installed, `${EXT_ID} is not in ${sandbox.extensionsDir} after --install-extension`);
        const list = spawnSync(
          process.execPath,
          [
            codeServerEntry(),
            '--extensions-dir',
            sandbox.extensionsDir,
            '--user-data-dir',
            sandbox.userDataDir,
            '--list-extensions',
            '--show-versions',
          ],
          { env: sandbox.env, encoding: 'utf8' },
        );
        assert(list.stdout.includes(EXT_ID), `--list-extensions does not list ${EXT_ID}: ${list.stdout}`);
        console.log(`       installed ${list.stdout.trim()}`);
        if (!process.env.DBI_UI_MODEL)
          modelDir = path.join(sandbox.extensionsDir, installed, 'models', 'distilbert-sst2-small');
      });
      if (!ok) return;
    }
    const labels = modelLabels(modelDir);
    server = await startCodeServer({ sandbox, workspace, logName: 'ui' });
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    const url = workbenchUrl(
      server,
      workspace,
      dev ? [['extensionDevelopmentPath', remoteUri(server, repoRoot)]] : undefined,
    );
    const t0 = Date.now();
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    console.log(`  workbench up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const firstTen = {
      shots,
      workspace,
      writeMachineSettings: sandbox.writeMachineSettings,
      machineSettings,
      hubUrl: hub.hubUrl,
      hubLabels: modelLabels(hubModel),
    };
    if (firstTenOnly) {
      await firstTenMinutesUi(page, check, firstTen);
      return;
    }
    const sst2Dev = path.join(repoRoot, '..', 'shared', 'data', 'sst2', 'dev.tsv');
    if (only === 'dataset') {
      await datasetUiTests(page, check, shots, workspace, sst2Dev);
      return;
    }
    if (only === 'narrow') {
      await narrowPanelUi(page, check, shots, workspace, sst2Dev);
      return;
    }
    let light: PanelReading | undefined;
    await check('classify a selected sentence from the command palette (light theme)', page, async () => {
      await classifySelectionInPalette(page, 'review.md', 3);
      light = await readPanel(page);
      checkReading(light, labels);
      const status = await page.locator('.statusbar-item', { hasText: light.label }).count();
      assert(status > 0, `no status bar item shows "${light.label}"`);
      await page.screenshot({ path: path.join(shots, 'classify-selection-light.png') });
      await showHead(page);
      await page.screenshot({ path: path.join(shots, 'classify-selection-head-light.png') });
      console.log(`       ${light.label} ${light.probability}`);
    });
    await headLensLightUi(page, check, shots, modelLayers(modelDir));

    await check('the panel follows the dark theme with the same result', page, async () => {
      await setTheme(page, 'Dark Modern');
      const dark = await readPanel(page);
      checkReading(dark, labels);
      if (light)
        assert(dark.label === light.label && dark.probability === light.probability, 'result changed with the theme');
      assert(dark.background !== light?.background, `panel background stayed ${dark.background} in the dark theme`);
      await page.screenshot({ path: path.join(shots, 'classify-selection-head-dark.png') });
    });
    await headLensDarkUi(page, check, shots);

    await check('classify a long file window by window and reveal a window from the panel', page, async () => {
      const windows = await classifyFileInPalette(page, 'long.txt');
      assert(windows >= 2, `long.txt (~20k word pieces) gave ${windows} window(s)`);
      const r = await readPanel(page);
      checkReading(r, labels);
      await page.waitForTimeout(1000); // let the editor repaint beside the panel before the picture
      await page.screenshot({ path: path.join(shots, 'classify-file-dark.png') });
      const before = await editorCursor(page);
      await revealWindow(page, windows - 1);
      const after = await editorCursor(page);
      assert(after !== before, `clicking the last window did not move the editor (${before})`);
      console.log(`       ${windows} windows, overall ${r.label} ${r.probability}; last window revealed at ${after}`);
    });

    await check('export the result as Markdown from the panel and read it in the Markdown preview', page, async () => {
      const report = await exportMarkdownFromPanel(page, path.join(workspace, 'long.inspection.md'));
      await checkPreviewShowsCharts(page, report, shots, [
        'report-preview-vscode-dark.png',
        'report-preview-vscode-charts-dark.png',
      ]);
    });
    await occlusionUiTests(page, check, shots);
    await attributionUiTests(page, check, shots);
    await compareTextsUi(page, check, shots, workspace);
    await liveInspectionUi(page, check, shots, workspace);
    await diagnosticsUiTests(page, workspace, shots, check);
    if (fs.existsSync(sst2Dev)) await datasetUiTests(page, check, shots, workspace, sst2Dev);
    await narrowPanelUi(page, check, shots, workspace, sst2Dev);
    await firstTenMinutesUi(page, check, firstTen);
  } finally {
    await browser?.close().catch(() => undefined);
    server?.stop();
    await hub.stop().catch(() => undefined);
    if (keep) console.log(`kept ${sandbox.dir}`);
    else sandbox.remove();
  }
}

const started = Date.now();
// A hung workbench must not hang CI: give up after 20 minutes, counting it as a failure.
const guard = setTimeout(() => {
  console.log('UI tests timed out after 20 minutes');
  writeSummary('ui', passed, failed + 1);
  process.exit(1);
}, 20 * 60_000);
guard.unref();
main()
  .catch((err: unknown) => {
    failed++;
    console.log(`UI runner error: ${err instanceof Error ? err.stack : String(err)}`);
  })
  .finally(() => {
    writeSummary('ui', passed, failed);
    console.log(
      `UI tests: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s); ` +
        `screenshots in ${path.relative(repoRoot, shots)}/`,
    );
    process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
  });
