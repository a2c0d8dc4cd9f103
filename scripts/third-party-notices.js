#!/usr/bin/env node
// Writes ThirdPartyNotices.txt: the licence of every package whose code ships in the VSIX or the npm CLI
// package. Licences such as MIT, BSD and Apache-2.0 require their text to travel with the code, and webpack
// folds these packages into dist/*.js, where their own LICENSE files would otherwise be lost.
//
// Which packages: the production dependency closure (package-lock.json, dev dependencies excluded), except the
// dependencies of onnxruntime-node other than onnxruntime-common: they serve its install script (binary
// downloads), which the project never runs and never ships (scripts/package-vsix.js drops them).
//
// Usage: node scripts/third-party-notices.js [--check]   (--check: exit 1 when the committed file is stale)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const OUT = 'ThirdPartyNotices.txt';
const INSTALL_ONLY_OWNER = 'onnxruntime-node';
const KEEP_OF_INSTALL_ONLY_OWNER = new Set(['onnxruntime-common']);
// Packages that declare a licence but ship no licence file: the declared licence's text with its holder.
const DECLARED_ONLY = {
  'onnxruntime-node': 'Copyright (c) Microsoft Corporation.',
  'onnxruntime-common': 'Copyright (c) Microsoft Corporation.',
};
const MIT = (holder) => `MIT License

${holder}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

/** The shipped packages as [lock path, lock entry], sorted by name then path. */
function shippedPackages(lock) {
  const pkgs = lock.packages;
  const out = new Map();
  // Resolve a dependency the way Node does: the nearest node_modules folder up from the dependent.
  const resolve = (from, name) => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
      const p = `${dir ? dir + '/' : ''}node_modules/${name}`;
      if (pkgs[p]) return p;
      if (!dir) return null;
    }
  };
  const visit = (p) => {
    if (out.has(p)) return;
    const e = pkgs[p];
    out.set(p, e);
    const name = p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length);
    for (const dep of Object.keys({ ...e.dependencies, ...e.optionalDependencies })) {
      if (name === INSTALL_ONLY_OWNER && !KEEP_OF_INSTALL_ONLY_OWNER.has(dep)) continue;
      const r = resolve(p, dep);
      if (r && !pkgs[r].dev) visit(r);
    }
  };
  for (const dep of Object.keys(pkgs[''].dependencies ?? {})) {
    const r = resolve('', dep);
    if (!r) throw new Error(`${dep} is not in package-lock.json: run npm install`);
    visit(r);
  }
  return [...out].sort(([a], [b]) =>
    (a.split('node_modules/').pop() + a).localeCompare(b.split('node_modules/').pop() + b),
  );
}

/** The notices text, built from package-lock.json and the installed packages' licence files. */
function notices() {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const seen = new Map(); // name@version -> already written (nested copies of one version)
  const parts = [];
  for (const [p] of shippedPackages(lock)) {
    const dir = path.join(root, p);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const id = `${meta.name}@${meta.version}`;
    if (seen.has(id)) continue;
    seen.set(id, true);
    const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    let text;
    if (file) text = fs.readFileSync(path.join(dir, file), 'utf8').replace(/\r\n/g, '\n').trimEnd() + '\n';
    else if (DECLARED_ONLY[meta.name] && meta.license === 'MIT') text = MIT(DECLARED_ONLY[meta.name]);
    else throw new Error(`${id} ships no licence file and is not in DECLARED_ONLY: add its licence text`);
    const declared = typeof meta.license === 'string' ? meta.license : JSON.stringify(meta.license);
    const note =
      file && declared === 'MIT' && /Apache License/.test(text)
        ? `\n(package.json declares ${declared}; its ${file} file is the Apache License 2.0, reproduced here.)\n`
        : '';
    parts.push(
      `${'='.repeat(78)}\n${id} (${declared})${meta.homepage ? `\n${meta.homepage}` : ''}\n${'='.repeat(78)}\n${note}\n${text}`,
    );
  }
  return (
    `DistilBERT Inspector includes the following third-party software.\n` +
    `Generated by scripts/third-party-notices.js from package-lock.json; do not edit by hand.\n\n${parts.join('\n')}`
  );
}

module.exports = { notices, shippedPackages };

if (require.main === module) {
  const text = notices();
  const target = path.join(root, OUT);
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== text) {
      console.error(`${OUT} is out of date with package-lock.json: run node scripts/third-party-notices.js`);
      process.exit(1);
    }
    console.log(`${OUT} is current`);
  } else {
    fs.writeFileSync(target, text);
    console.log(`wrote ${OUT}`);
  }
}
