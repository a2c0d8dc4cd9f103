// The layering rules of .oxlintrc.json fire: each case lays out a file under src/<layer>/ in a temp folder,
// lints it with the repository's own config, and expects `no-restricted-imports` exactly where the layering
// forbids the import. Also checks the one naming convention of test files (README "Lint and format").
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT, tempDir } from './helpers';

const OXLINT = path.join(ROOT, 'node_modules', 'oxlint', 'bin', 'oxlint');

interface Case {
  file: string;
  source: string;
  restricted: boolean;
}

const CASES: Case[] = [
  { file: 'src/core/a.ts', source: "import * as vscode from 'vscode';\nexport const a = vscode;", restricted: true },
  { file: 'src/core/head/b.ts', source: "import type { Uri } from 'vscode';\nexport type B = Uri;", restricted: true },
  { file: 'src/core/c.ts', source: "import { x } from '../shared/protocol';\nexport const c = x;", restricted: true },
  { file: 'src/core/d.ts', source: "import { x } from './engine/worker';\nexport const d = x;", restricted: false },
  { file: 'src/shared/e.ts', source: "import * as vscode from 'vscode';\nexport const e = vscode;", restricted: true },
  { file: 'src/shared/f.ts', source: "import * as fs from 'node:fs';\nexport const f = fs;", restricted: true },
  { file: 'src/webview/g.ts', source: "import * as vscode from 'vscode';\nexport const g = vscode;", restricted: true },
  { file: 'src/webview/h.ts', source: "import { x } from '../core/inspector';\nexport const h = x;", restricted: true },
  {
    file: 'src/webview/i.ts',
    source: "import { x } from '../core/head/whatIf';\nexport const i = x;",
    restricted: false,
  },
  {
    file: 'src/webview/j.ts',
    source: "import { x } from '../extension/config';\nexport const j = x;",
    restricted: true,
  },
  { file: 'src/cli/k.ts', source: "import * as vscode from 'vscode';\nexport const k = vscode;", restricted: true },
  {
    file: 'src/cli/l.ts',
    source: "import { x } from '../core/tokenizer/textTokenizer';\nexport const l = x;",
    restricted: true,
  },
  { file: 'src/cli/m.ts', source: "import { x } from '../core/inspector';\nexport const m = x;", restricted: false },
  {
    file: 'src/extension/n.ts',
    source: "import * as vscode from 'vscode';\nexport const n = vscode;",
    restricted: false,
  },
  {
    file: 'src/extension/panel/o.ts',
    source: "import { x } from '../../core/onnx/taps';\nexport const o = x;",
    restricted: true,
  },
  {
    file: 'src/extension/p.ts',
    source: "export async function p(): Promise<unknown> {\n  return import('../core/engine/worker');\n}",
    restricted: true,
  },
  {
    file: 'src/extension/q.ts',
    source: "import { x } from '../core/inspector';\nexport const q = x;",
    restricted: false,
  },
  { file: 'src/extension/r.ts', source: "import { x } from '../webview/main';\nexport const r = x;", restricted: true },
  { file: 'test/unit/s.ts', source: "import * as vscode from 'vscode';\nexport const s = vscode;", restricted: true },
  {
    file: 'test/vscode/suite/t.ts',
    source: "import * as vscode from 'vscode';\nexport const t = vscode;",
    restricted: false,
  },
];

test('no-restricted-imports fires exactly on the imports the layering forbids', () => {
  const dir = tempDir('dbi-lint-');
  try {
    fs.copyFileSync(path.join(ROOT, '.oxlintrc.json'), path.join(dir, '.oxlintrc.json'));
    for (const c of CASES) {
      fs.mkdirSync(path.dirname(path.join(dir, c.file)), { recursive: true });
      fs.writeFileSync(path.join(dir, c.file), `${c.source}\n`);
    }
    // Run from the repository so oxlint finds its type-aware helper; the config's globs are relative to it.
    const r = spawnSync(process.execPath, [OXLINT, '-c', path.join(dir, '.oxlintrc.json'), '-f', 'unix', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.error, undefined, String(r.error));
    const flagged = new Set(
      r.stdout
        .split('\n')
        .filter((l) => l.includes('no-restricted-imports'))
        .map((l) =>
          path
            .relative(dir, l.slice(0, l.indexOf(':')))
            .split(path.sep)
            .join('/'),
        ),
    );
    const others = r.stdout.split('\n').filter((l) => l.includes('[Error') && !l.includes('no-restricted-imports'));
    assert.deepEqual(others, [], 'no other rule fires on these files');
    for (const c of CASES) {
      assert.equal(flagged.has(c.file), c.restricted, `${c.file}: ${c.source.split('\n')[0]}\n${r.stdout}`);
    }
    assert.equal(r.status, 1, 'a restricted import fails the lint');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Files of tests are `camelCase.test.ts`; helpers are `camelCase.ts`; no other shape (README "Lint and format"). */
test('test files follow one naming convention', () => {
  const folders = ['test/unit', 'test/unit/webviewHarness', 'test/vscode', 'test/vscode/suite', 'test/ui'];
  const bad: string[] = [];
  for (const folder of folders) {
    for (const name of fs.readdirSync(path.join(ROOT, folder))) {
      if (!name.endsWith('.ts')) continue;
      const rel = `${folder}/${name}`;
      if (!/^[a-z][A-Za-z0-9]*(\.test)?\.ts$/.test(name)) bad.push(`${rel}: not camelCase(.test).ts`);
      const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
      const holdsTests = /^\s*(test|it|describe|suite)\(/m.test(text);
      if (holdsTests && !name.endsWith('.test.ts')) bad.push(`${rel}: holds tests but is not named *.test.ts`);
    }
  }
  // UI tests are steps that runUiTests.ts imports and runs: every module it imports from test/ui holds tests,
  // except the few helpers named here.
  const helpers = new Set(['./workbench', './contrast', './reportSteps']);
  const runner = fs.readFileSync(path.join(ROOT, 'test/ui/runUiTests.ts'), 'utf8');
  for (const m of runner.matchAll(/from '(\.\/[^']+)'/g)) {
    if (!helpers.has(m[1]!) && !m[1]!.endsWith('.test'))
      bad.push(`test/ui/${m[1]!.slice(2)}.ts: UI steps not named *.test.ts`);
  }
  assert.deepEqual(bad, []);
});
