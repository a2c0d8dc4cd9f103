// The third-party licences that ship with the extension and the CLI: the committed ThirdPartyNotices.txt must be
// what scripts/third-party-notices.js builds from package-lock.json, so a new runtime dependency without its
// licence text fails here instead of shipping.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const notices = require(path.join(root, 'scripts', 'third-party-notices.js')) as {
  notices(): string;
  shippedPackages(lock: unknown): [string, unknown][];
};

test('ThirdPartyNotices.txt is current with package-lock.json', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'third-party-notices.js'), '--check'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
});

test('the notices cover what webpack bundles and ONNX Runtime, not its install-only dependencies', () => {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as unknown;
  const names = new Set(notices.shippedPackages(lock).map(([p]) => p.split('node_modules/').pop()));
  for (const n of [
    '@huggingface/tokenizers',
    'hyparquet',
    'umap-js',
    'ml-matrix',
    'onnxruntime-node',
    'onnxruntime-common',
  ]) {
    assert.ok(names.has(n), `${n} ships but has no notice`);
  }
  for (const n of ['adm-zip', 'global-agent', 'typescript', 'webpack']) assert.ok(!names.has(n), `${n} does not ship`);
  const text = notices.notices();
  // umap-js declares MIT but its LICENSE file is Apache-2.0: the Apache text must be the one reproduced.
  const umap = text.slice(text.indexOf('umap-js@'));
  assert.match(umap, /Apache License\s+Version 2\.0/);
  assert.match(umap, /declares MIT; its LICENSE file is the Apache License 2\.0/);
});
