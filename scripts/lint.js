#!/usr/bin/env node
// `npm run lint` (and the `lint` suite of `npm test`): oxlint with the rules of .oxlintrc.json (type-aware
// through oxlint-tsgolint, which reads tsconfig.json with TypeScript 7's own checker), then Prettier's check
// (.prettierrc.json; .prettierignore says what it skips; --cache keeps what it has checked in
// node_modules/.cache/prettier, so a rerun reads only changed files). Both run; the exit code is non-zero if
// either fails.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tools = [
  { name: 'oxlint', args: [path.join(root, 'node_modules', 'oxlint', 'bin', 'oxlint')] },
  {
    name: 'prettier --check',
    args: [path.join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--check', '--cache', '.'],
  },
];

let failed = 0;
for (const tool of tools) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, tool.args, { cwd: root, stdio: 'inherit' });
  const ok = r.status === 0;
  if (!ok) failed++;
  console.log(`lint: ${tool.name} ${ok ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
process.exit(failed > 0 ? 1 : 0);
