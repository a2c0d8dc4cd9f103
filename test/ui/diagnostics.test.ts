// UI test of the classifier diagnostics, as a team member meets them: the repository's .vscode/settings.json
// carries the rules, the person switches "Diagnostics: Enabled" on in the Settings editor, edits and saves a
// Markdown file, and opens the Problems panel. Screenshot: test-results/screenshots/diagnostics-problems.png.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { closeAllEditors, openFromExplorer, runCommand } from './workbench';

type Check = (name: string, page: Page | undefined, fn: () => Promise<void>) => Promise<boolean>;

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/** The rules a team would commit; small windows so one short file gives several windows. */
const WORKSPACE_SETTINGS = {
  'distilbertInspector.diagnostics.rules': [
    { label: 'NEGATIVE', minProbability: 0.5, severity: 'warning', message: 'Negative tone' },
  ],
  'distilbertInspector.diagnostics.languages': ['markdown'],
  'distilbertInspector.windowTokens': 24,
  'distilbertInspector.windowOverlap': 4,
};

/** Switches a boolean setting on in the Settings editor (search by id, click its checkbox). */
async function turnOnInSettingsEditor(page: Page, id: string): Promise<void> {
  await runCommand(page, 'Preferences: Open Settings (UI)');
  const editor = page.locator('.settings-editor');
  await editor.waitFor({ timeout: 30_000 });
  // The search box has focus when the editor opens; it is a small Monaco editor, so type rather than fill.
  await page.locator('.settings-editor .settings-header .suggest-input-container').click();
  await page.keyboard.type(id);
  const checkbox = page.locator('.settings-editor .setting-item-bool .setting-value-checkbox').first();
  await checkbox.waitFor({ timeout: 30_000 });
  if ((await checkbox.getAttribute('aria-checked')) !== 'true') await checkbox.click();
  await page.waitForFunction(
    () =>
      document
        .querySelector('.settings-editor .setting-item-bool .setting-value-checkbox')
        ?.getAttribute('aria-checked') === 'true',
    undefined,
    { timeout: 10_000 },
  );
  await runCommand(page, 'View: Close Editor');
}

/** Runs the diagnostics UI test; `workspace` is the folder the workbench has open. */
export async function diagnosticsUiTests(page: Page, workspace: string, shots: string, check: Check): Promise<void> {
  await check(
    'classifier diagnostics: switched on in Settings, a saved Markdown file shows its negative windows in the Problems panel',
    page,
    async () => {
      await closeAllEditors(page);
      fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(WORKSPACE_SETTINGS, null, 2));
      await page.waitForTimeout(1500); // the workbench notices the new settings file
      await turnOnInSettingsEditor(page, 'distilbertInspector.diagnostics.enabled');

      await openFromExplorer(page, 'review.md');
      await page.locator('.editor-instance .view-lines').first().click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type(' Sadly, the final scene is dull and far too long.');
      await runCommand(page, 'File: Save');
      await runCommand(page, 'View: Toggle Problems');
      // Earlier steps leave other Markdown files open (the exported report), which get diagnostics too when the
      // setting is switched on; show only this file's entries, as a person would with the panel's filter.
      await page
        .getByPlaceholder(/^Filter \(e\.g\. text/)
        .first()
        .fill('**/review.md');

      const rows = page.locator('.markers-panel .monaco-list-row', { hasText: 'Negative tone' });
      const fileRow = page.locator('.markers-panel .monaco-list-row', { hasText: 'review.md' }).first();
      // The filter applies a moment after it is typed (until then other files' rows show), and this file's pass
      // may wait behind the other open Markdown files': read the rows once review.md heads the filtered list and
      // the same number of entries has stayed for half a second (all rows of a pass arrive together).
      let texts: string[] = [];
      for (const deadline = Date.now() + 180_000; Date.now() < deadline; await page.waitForTimeout(500)) {
        const now = (await fileRow.isVisible()) ? await rows.allInnerTexts() : [];
        if (now.length > 0 && now.length === texts.length) break;
        texts = now;
      }
      assert(texts.length >= 1, 'no "Negative tone" entries in the Problems panel');
      for (const t of texts) {
        assert(
          /Negative tone: NEGATIVE \d+\.\d% \(rule: NEGATIVE ≥ 50%\) — window \d+ of \d+/.test(t),
          `entry text: ${t}`,
        );
        assert(t.includes('DistilBERT'), `entry without the DistilBERT source: ${t}`);
      }
      const squiggles = await page.locator('.editor-instance .squiggly-warning').count();
      assert(squiggles > 0, 'no warning squiggles in the editor');
      // The file's row in the Problems tree counts its entries.
      await fileRow.waitFor({ timeout: 10_000 });
      await page.screenshot({ path: path.join(shots, 'diagnostics-problems.png') });
      console.log(
        `       ${texts.length} Problems entries, ${squiggles} squiggle(s); first: ${texts[0]!.replace(/\s+/g, ' ').slice(0, 120)}`,
      );
    },
  );
}
