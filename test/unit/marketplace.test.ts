// The Marketplace listing from package.json, README.md and CHANGELOG.md: what vsce and the Marketplace accept
// (PNG icon of at least 128 px, known categories, at most 30 keywords, engines.vscode not older than the
// @types/vscode the code compiles against) and what users see (screenshots that exist, ship and have alt text).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** VS Code's extension categories (vscode src/vs/platform/extensions/common/extensions.ts, 1.100). */
const CATEGORIES = [
  'AI',
  'Azure',
  'Chat',
  'Data Science',
  'Debuggers',
  'Extension Packs',
  'Education',
  'Formatters',
  'Keymaps',
  'Language Packs',
  'Linters',
  'Machine Learning',
  'Notebooks',
  'Programming Languages',
  'SCM Providers',
  'Snippets',
  'Testing',
  'Themes',
  'Visualization',
  'Other',
];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  assert.equal(b.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${file} is not a PNG`);
  assert.equal(b.toString('latin1', 12, 16), 'IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

test('icon, banner, categories and keywords are what the Marketplace accepts', () => {
  const icon = pngSize(path.join(ROOT, pkg.icon));
  assert.ok(icon.width >= 128 && icon.width === icon.height, `icon is ${icon.width}x${icon.height}`);
  assert.match(pkg.galleryBanner.color, /^#[0-9a-f]{6}$/i);
  assert.ok(['dark', 'light'].includes(pkg.galleryBanner.theme));
  assert.deepEqual(
    pkg.categories.filter((c: string) => !CATEGORIES.includes(c)),
    [],
  );
  assert.ok(
    pkg.keywords.length <= 30 && new Set(pkg.keywords).size === pkg.keywords.length,
    'at most 30 distinct keywords',
  );
  for (const k of ['repository', 'bugs', 'homepage']) {
    if (pkg[k] !== undefined) assert.match(JSON.stringify(pkg[k]), /https:\/\//, `${k} is not an https URL`);
  }
});

test('engines.vscode is not older than the @types/vscode the extension is compiled against', () => {
  const engine = /^\^(\d+)\.(\d+)\.\d+$/.exec(pkg.engines.vscode);
  assert.ok(engine, `engines.vscode "${pkg.engines.vscode}" is not ^x.y.z`);
  const types = (
    JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '@types', 'vscode', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version
    .split('.')
    .map(Number);
  const [major, minor] = [Number(engine[1]), Number(engine[2])];
  assert.ok(
    major > types[0]! || (major === types[0] && minor >= types[1]!),
    `engines ${pkg.engines.vscode} < @types/vscode ${types.join('.')}`,
  );
  assert.match(
    readme,
    new RegExp(`engines\\.vscode\`? (stays at|is) \`\\^${major}\\.${minor}`),
    'the README says why engines.vscode is what it is',
  );
});

test('README screenshots exist under media/ (so they ship in the VSIX) and every image has alt text', () => {
  const images = [...readme.matchAll(/!\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g)];
  assert.ok(images.length >= 2, `${images.length} images in README.md`);
  for (const [, alt, src] of images) {
    assert.ok(alt!.trim().length >= 10, `image ${src} has alt text "${alt}"`);
    assert.ok(src!.startsWith('media/'), `${src} is outside media/`);
    pngSize(path.join(ROOT, src!));
  }
  assert.doesNotMatch(readme, /<img(?![^>]*\balt=)[^>]*>/i, 'an <img> without alt');
});

test('CHANGELOG.md has an entry for this version', () => {
  assert.match(
    fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8'),
    new RegExp(`^## ${pkg.version.replace(/\./g, '\\.')}\\b`, 'm'),
  );
});
