// "Compare Two Texts" as a person does it: open review.md, select one sentence with the keyboard, add a second
// selection with Alt+drag (VS Code's multi-cursor modifier), run "DistilBERT: Compare Two Texts..." from the
// palette, pick "Two selections", and read the comparison in the panel; then "Show in editor" for side A; then
// the comparison's "Export Markdown" button, the save dialog, and the report in VS Code's Markdown preview.
// Screenshots: test-results/screenshots/compare-texts-*.png. Called from runUiTests.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { checkPreviewShowsCharts, exportMarkdownFromPanel } from './reportSteps';
import { closeAllEditors, openFromExplorer, panel, runCommand } from './workbench';

type Check = (name: string, page: Page | undefined, fn: () => Promise<void>) => Promise<boolean>;

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/** Where the text `text` starts or ends on screen, in the editor row (a wrapped line has several) that shows it. */
async function rowEdge(page: Page, text: string, edge: 'start' | 'end'): Promise<{ x: number; y: number }> {
  const row = page.locator('.editor-instance .view-line', { hasText: text }).first();
  const spans = row.locator('span > span');
  const n = await spans.count();
  const box = await spans.nth(edge === 'start' ? 0 : n - 1).boundingBox();
  assert(box, `no visible editor row with "${text}"`);
  return { x: edge === 'start' ? box.x + 1 : box.x + box.width - 1, y: box.y + box.height / 2 };
}

/** Alt+drag (VS Code's multi-cursor modifier) from one point to another: adds a selection, keeps the others. */
async function altDrag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.keyboard.down('Alt');
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Alt');
}

/** The status bar's cursor item: "Ln 3, Col 1 (52 selected)" or "2 selections (106 characters selected)". */
async function cursorStatus(page: Page): Promise<string> {
  return (
    await page
      .locator('.statusbar-item', { hasText: /Ln \d+, Col \d+|\d+ selections/ })
      .first()
      .innerText()
  ).trim();
}

/**
 * Selects review.md's lines 3 and 6 (two selections) and runs "DistilBERT: Compare Two Texts..." on them; returns
 * once the panel shows the comparison.
 */
export async function compareTwoLines(page: Page): Promise<void> {
  await closeAllEditors(page);
  await openFromExplorer(page, 'review.md');
  // The editor beside the panel wraps long lines, so whole lines are selected by their logical extent:
  // a click in line 6, then Ctrl+L (Expand Line Selection); then Alt+drag over all of line 3's rows.
  await page.locator('.editor-instance .view-line', { hasText: 'Overall, a flawed' }).first().click();
  await page.keyboard.press('Control+l');
  await altDrag(page, await rowEdge(page, 'The first hour is slow', 'start'), await rowEdge(page, 'forced.', 'end'));
  // The status bar counts selections once the editor has both.
  await page
    .locator('.statusbar-item', { hasText: /2 selections/ })
    .first()
    .waitFor({ timeout: 10_000 });
  await runCommand(page, 'DistilBERT: Compare Two Texts...');
  const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Two selections' }).first();
  await pick.waitFor({ timeout: 15_000 });
  await pick.click();
  await panel(page).locator('[data-testid=text-comparison]').waitFor({ timeout: 300_000 });
}

/** `workspace`: the folder the workbench has open (the report is saved next to review.md); without it no export step. */
export async function compareTextsUi(page: Page, check: Check, shots: string, workspace?: string): Promise<void> {
  /** What the panel showed: the stage table's cosines, for comparing with the exported report. */
  let panelCosines: string[] = [];
  await check('compare two selections from the command palette and read the comparison', page, async () => {
    await compareTwoLines(page);
    const p = panel(page);
    const excerptA = (await p.locator('[data-testid=excerpt-A]').innerText()).trim();
    const excerptB = (await p.locator('[data-testid=excerpt-B]').innerText()).trim();
    assert(
      excerptA === 'The first hour is slow and the dialogue often feels forced.',
      `A is line 3, got "${excerptA}"`,
    );
    assert(
      excerptB === 'Overall, a flawed but rewarding film that I would happily watch again.',
      `B is line 6, got "${excerptB}"`,
    );
    const rows = await p.locator('[data-testid=stage-row]').count();
    assert(rows >= 4, `the stage table has ${rows} rows`);
    const cosines = await p.locator('[data-testid=cosine]').allInnerTexts();
    assert(
      cosines.every((c) => c === '—' || (Number(c) >= -1 && Number(c) <= 1)),
      `cosines ${cosines.join(', ')}`,
    );
    panelCosines = cosines.map((c) => c.trim());
    const verdict = await p.locator('[data-testid=comparison-verdict]').innerText();
    assert(/Largest logit change \d/.test(verdict), verdict);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(shots, 'compare-texts-top.png') });
    await p.locator('[data-testid=stage-table]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    // Hover a strip so the picture shows a unit's exact Δ in the readout.
    const strip = p.locator('[data-testid=delta-strip]').last();
    const sb = await strip.boundingBox();
    if (sb) await page.mouse.move(sb.x + sb.width * 0.3, sb.y + sb.height / 2);
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(shots, 'compare-texts-stages.png') });
    console.log(`       ${verdict.trim()}`);
  });

  await check('"Show in editor" selects side A of the comparison in the editor', page, async () => {
    const before = await cursorStatus(page);
    await panel(page).locator('[data-testid=reveal-A]').click();
    const deadline = Date.now() + 10_000;
    while ((await cursorStatus(page)) === before && Date.now() < deadline) await page.waitForTimeout(200);
    const after = await cursorStatus(page);
    assert(/^Ln 3, Col \d+ \(\d+ selected\)/.test(after), `the editor shows "${after}" (expected line 3 selected)`);
  });

  if (!workspace) return;
  await check(
    'export the comparison as Markdown from the panel and read it in the Markdown preview',
    page,
    async () => {
      const report = await exportMarkdownFromPanel(page, path.join(workspace, 'review.comparison.md'));
      const md = fs.readFileSync(report.markdownPath, 'utf8');
      assert(
        md.startsWith('# DistilBERT Inspector comparison: '),
        `the report is not a comparison: ${md.slice(0, 120)}`,
      );
      for (const line of [
        'The first hour is slow and the dialogue often feels forced.',
        'Overall, a flawed but rewarding film that I would happily watch again.',
      ]) {
        assert(md.includes(`\n\`\`\`text\n${line}\n\`\`\`\n`), `the report does not quote "${line}"`);
      }
      // The report states what the panel showed: the stage table's cosines, row by row, both to 4 decimals
      // (the report prints an exact 0 as "0", the panel as "0.0000"; "—" is an undefined cosine in both).
      const at = md.indexOf('\n## How far apart each stage is\n');
      const rows = md
        .slice(at)
        .split('\n')
        .filter((l) => l.startsWith('| '))
        .slice(2);
      const reported = rows.slice(0, panelCosines.length).map((l) => l.split(' | ')[1]!.trim());
      const same = (x: string, y: string): boolean => (x === '—' || y === '—' ? x === y : Number(x) === Number(y));
      assert(
        panelCosines.length > 0 &&
          reported.length === panelCosines.length &&
          reported.every((x, i) => same(x, panelCosines[i]!)),
        `report cosines ${reported.join(' ')} vs panel ${panelCosines.join(' ')}`,
      );
      await checkPreviewShowsCharts(page, report, shots, [
        'compare-texts-report-preview.png',
        'compare-texts-report-charts.png',
      ]);
    },
  );
}
