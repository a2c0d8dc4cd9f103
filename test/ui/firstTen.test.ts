// The first ten minutes of a new user in a remote window (code-server is one), as UI steps with screenshots:
// classify, look at the panel in all four theme kinds (contrast measured in the page, not eyeballed), read the
// panel's accessibility tree and tab order, break the model path and fix it from the error toast's button (which
// must open the Remote settings, where the value lives), cancel a long run, and switch to the full-size hub model
// (served by a loopback hub started here) after reading its download size. Called from runUiTests.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import {
  classifySelectionInPalette,
  closeAllEditors,
  openFromExplorer,
  panel,
  readPanel,
  runCommand,
  setTheme,
  showHead,
} from './workbench';
import { contrastReport, type ContrastReport } from './contrast';

type Check = (name: string, page: Page | undefined, fn: () => Promise<void>) => Promise<boolean>;

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/** The four built-in theme kinds, by the names the theme picker shows and the class the workbench takes. */
const THEMES = [
  { name: 'Light Modern', kind: 'vs', file: 'light' },
  { name: 'Dark Modern', kind: 'vs-dark', file: 'dark' },
  { name: 'Dark High Contrast', kind: 'hc-black', file: 'hc-dark' },
  { name: 'Light High Contrast', kind: 'hc-light', file: 'hc-light' },
] as const;

/** The status bar item of the extension (its accessible name says "DistilBERT"). */
function statusItem(page: Page) {
  return page
    .locator(
      '#distilbert-inspector\\.distilbert-inspector\\.distilbertInspector\\.result, .statusbar-item[id$="distilbertInspector.result"]',
    )
    .first();
}

async function waitForNotice(page: Page, re: RegExp, ms = 120_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = await panel(page)
      .locator('body')
      .innerText()
      .catch(() => '');
    const m = re.exec(text);
    if (m) return m[0];
    if (Date.now() > deadline) throw new Error(`the panel never showed ${re}: ${text.slice(0, 300)}`);
    await page.waitForTimeout(250);
  }
}

export interface FirstTenOptions {
  shots: string;
  workspace: string;
  /** The machine settings file of the code-server (where a remote window keeps model.path). */
  writeMachineSettings(settings: Record<string, unknown>): void;
  machineSettings: Record<string, unknown>;
  /** The loopback hub's URL and the labels of the model it serves as the full-size one. */
  hubUrl: string;
  hubLabels: string[];
}

export async function firstTenMinutesUi(page: Page, check: Check, o: FirstTenOptions): Promise<void> {
  const shot = (name: string) => page.screenshot({ path: path.join(o.shots, `first-ten-${name}.png`) });

  await check('first ten minutes: classify a sentence; the demo model says how good it is', page, async () => {
    await closeAllEditors(page);
    await classifySelectionInPalette(page, 'review.md', 3);
    const note = (await panel(page).locator('[data-testid=model-note]').innerText()).trim();
    assert(/^Demo model, \d+% on SST-2/.test(note), `model note: ${note}`);
    await shot('classify');
  });

  const reports: Record<string, ContrastReport> = {};
  for (const t of THEMES) {
    await check(`first ten minutes: the panel keeps contrast in ${t.name}`, page, async () => {
      await setTheme(page, t.name, t.kind);
      await readPanel(page);
      const r = await contrastReport(page);
      reports[t.file] = r;
      assert(r.code.length > 0, 'no inline code in the panel to measure');
      const low = [...r.code, ...r.text].filter((x) => x.ratio < 4.5);
      assert(
        low.length === 0,
        `contrast below 4.5:1: ${low
          .slice(0, 5)
          .map((x) => `${x.what} ${x.ratio.toFixed(2)} (${x.fg} on ${x.bg})`)
          .join('; ')}`,
      );
      assert(r.scale.distance > 60, `the heat-map scale's ends look alike: ${r.scale.pos} vs ${r.scale.neg}`);
      await page.screenshot({ path: path.join(o.shots, `first-ten-theme-${t.file}.png`) });
      await showHead(page);
      await page.screenshot({ path: path.join(o.shots, `first-ten-theme-${t.file}-head.png`) });
      console.log(
        `       ${t.name}: min code ${Math.min(...r.code.map((x) => x.ratio)).toFixed(2)}:1, min text ${Math.min(...r.text.map((x) => x.ratio)).toFixed(2)}:1, scale ${r.scale.pos} / ${r.scale.neg}`,
      );
    });
  }
  fs.writeFileSync(path.join(o.shots, 'first-ten-contrast.json'), JSON.stringify(reports, null, 2));

  await check(
    "first ten minutes: the panel's accessibility tree, live region, tab order and the status bar's name",
    page,
    async () => {
      await setTheme(page, 'Light Modern', 'vs');
      const body = panel(page).locator('body');
      const tree = await body.ariaSnapshot();
      fs.writeFileSync(path.join(o.shots, 'first-ten-panel-aria.yml'), tree);
      assert(
        /- status: "?Result: (\S+) \d+\.\d%\./.test(tree),
        `no live region with the verdict in:\n${tree.slice(0, 1500)}`,
      );
      for (const name of ['Export JSON', 'Export Markdown', 'model card', 'Use a full-size model…']) {
        assert(tree.includes(`button "${name}"`), `no button "${name}" in the accessibility tree`);
      }
      // Tab order from the top of the panel: the live switch, the model note's two links, then the result's actions.
      await panel(page).locator('[data-testid=live-toggle]').focus();
      const order: string[] = [];
      for (let i = 0; i < 6; i++) {
        order.push(
          await panel(page)
            .locator(':focus')
            .evaluate((el) => (el.getAttribute('aria-label') ?? el.textContent ?? '').trim()),
        );
        await page.keyboard.press('Tab');
      }
      const expected = ['○ Live', 'model card', 'Use a full-size model…', 'Export JSON', 'Export Markdown'];
      assert(
        expected.every((e, i) => order[i] === e),
        `tab order ${JSON.stringify(order)}, expected it to start ${JSON.stringify(expected)}`,
      );
      const name = (await statusItem(page).getAttribute('aria-label')) ?? '';
      assert(
        /DistilBERT: (\S+) \d+\.\d% for /.test(name) && !/\*\*|&nbsp;|\$\(/.test(name),
        `status bar item's accessible name: ${name}`,
      );
    },
  );

  await check(
    'first ten minutes: break the model path, open Remote settings from the error toast, fix it there',
    page,
    async () => {
      o.writeMachineSettings({ ...o.machineSettings, 'distilbertInspector.model.path': '/nonexistent/model-folder' });
      const toast = page.locator('.notification-toast', { hasText: 'Could not load the DistilBERT model' }).first();
      await toast.waitFor({ timeout: 60_000 });
      const toastText = await toast.innerText();
      assert(!/--model|inference failed/i.test(toastText), `toast: ${toastText}`);
      await page
        .locator('.statusbar-item', { hasText: 'DistilBERT' })
        .locator('.codicon-error')
        .first()
        .waitFor({ timeout: 15_000 });
      await shot('broken-model-toast');
      await toast.getByRole('button', { name: 'Open Remote Settings' }).click();
      const editor = page.locator('.settings-editor');
      await editor.waitFor({ timeout: 30_000 });
      const row = editor.locator('.setting-item-contents', { hasText: 'Model: Path' }).first();
      await row.waitFor({ timeout: 30_000 });
      assert((await editor.innerText()).includes('Remote'), 'the settings editor is not on the Remote tab');
      assert(!(await editor.innerText()).includes('No Settings Found'), 'the settings editor says No Settings Found');
      await shot('remote-settings-from-toast');
      const input = row.locator('input').first();
      await input.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Backspace');
      await page.keyboard.press('Tab');
      await page
        .locator('.statusbar-item', { hasText: 'DistilBERT' })
        .locator('.codicon-check')
        .first()
        .waitFor({ timeout: 60_000 });
      const name = (await statusItem(page).getAttribute('aria-label')) ?? '';
      assert(/model ready/.test(name), `status bar after the fix: ${name}`);
      await shot('model-fixed');
      // Leave the settings editor the way a person would: back to a file in the explorer.
      await page.keyboard.press('Escape');
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'short.txt' }).first().click();
      await page.waitForTimeout(500);
      await closeAllEditors(page);
    },
  );

  await check(
    'first ten minutes: cancel a long Classify File; the previous result stays with a neutral note',
    page,
    async () => {
      await closeAllEditors(page);
      await classifySelectionInPalette(page, 'review.md', 3);
      const before = await readPanel(page);
      const long = fs.readFileSync(path.join(o.workspace, 'long.txt'), 'utf8');
      fs.writeFileSync(path.join(o.workspace, 'longest.txt'), Array(18).fill(long).join('\n\n'));
      await openFromExplorer(page, 'longest.txt');
      await runCommand(page, 'DistilBERT: Classify File');
      // Cancel once the notification counts windows, as a person reading it would.
      const toast = page
        .locator('.notification-toast', { hasText: /DistilBERT: classifying.*window \d+ of \d+/s })
        .first();
      await toast.waitFor({ timeout: 60_000 });
      await toast.getByRole('button', { name: 'Cancel' }).click();
      const notice = await waitForNotice(page, /Cancelled at window \d+ of \d+; showing the previous result\./);
      const after = (await panel(page).locator('[data-testid=result-label]').innerText()).trim();
      assert(after === before.label, `the label changed from ${before.label} to ${after}`);
      assert((await panel(page).locator('[data-testid=error]').count()) === 0, 'the panel shows an error for a cancel');
      await shot('cancelled');
      console.log(`       ${notice}`);
    },
  );

  await check(
    'first ten minutes: switch to the full-size model by hub id after reading its download size',
    page,
    async () => {
      await closeAllEditors(page);
      await classifySelectionInPalette(page, 'review.md', 3);
      await panel(page).locator('[data-testid=switch-model]').click();
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 60_000 });
      const text = await dialog.innerText();
      assert(
        /Use the full-size model Xenova\/distilbert-base-uncased-finetuned-sst-2-english/.test(text),
        `dialog: ${text}`,
      );
      assert(
        /It downloads \d+(\.\d+)? (B|kB|MB)/.test(text) && text.includes(o.hubUrl),
        `the dialog does not give the size and source: ${text}`,
      );
      await shot('switch-dialog');
      await dialog.getByRole('button', { name: 'Download and Use' }).click();
      await page.locator('.notification-toast', { hasText: 'now uses' }).first().waitFor({ timeout: 120_000 });
      await closeAllEditors(page);
      await classifySelectionInPalette(page, 'review.md', 3);
      const r = await readPanel(page);
      assert(
        o.hubLabels.includes(r.label),
        `label ${r.label} is not one of the hub model's ${JSON.stringify(o.hubLabels)}`,
      );
      assert(
        (await panel(page).locator('[data-testid=model-note]').count()) === 0,
        'the demo note shows under the full-size model',
      );
      await shot('hub-model');
      // Back to the bundled model for whatever runs next.
      o.writeMachineSettings(o.machineSettings);
    },
  );
}
