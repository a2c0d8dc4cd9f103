// Policies the core defines once and others only import: the settings declared in package.json must repeat the
// core's numbers (package.json cannot import them), and the editor's text limit must stay within the core's.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EDITOR_MAX_TEXT_CHARS, MAX_TEXT_CHARS } from '../../src/core/text/textInput';
import { DEFAULT_OVERLAP } from '../../src/core/text/windows';

const root = path.resolve(__dirname, '..', '..', '..');

test("the windowOverlap setting declares the core's default overlap", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    contributes: {
      configuration:
        { properties: Record<string, { default?: unknown }> } | { properties: Record<string, { default?: unknown }> }[];
    };
  };
  const sections = [pkg.contributes.configuration].flat();
  const setting = sections.map((s) => s.properties['distilbertInspector.windowOverlap']).find((p) => p !== undefined);
  assert.ok(setting, 'package.json declares distilbertInspector.windowOverlap');
  assert.equal(setting.default, DEFAULT_OVERLAP);
});

test('the editor asks for a selection before the core would refuse the text', () => {
  assert.ok(EDITOR_MAX_TEXT_CHARS <= MAX_TEXT_CHARS, `${EDITOR_MAX_TEXT_CHARS} <= ${MAX_TEXT_CHARS}`);
});
