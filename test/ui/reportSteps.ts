// The Markdown report as a person makes it: the panel's "Export Markdown" button, the save dialog (code-server's
// simple file dialog, a quick input holding the suggested path), the "Saved the report" notification's
// "Open Preview", and the charts showing in VS Code's own Markdown preview.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { panel } from './workbench';

export interface ExportedReport {
  markdownPath: string;
  /** Chart files in the sibling assets folder. */
  assets: string[];
  /** Image links in the Markdown. */
  links: number;
  /** Images the Markdown preview loaded (naturalWidth > 0). */
  shownImages: number;
  /** Scrolls the preview to its first chart (for a screenshot). */
  showCharts(): Promise<void>;
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The frame of the Markdown preview: the webview document that shows images (the inspector panel has none). */
async function previewImages(page: Page): Promise<{ frame: Frame; loaded: number; total: number } | undefined> {
  for (const frame of page.frames()) {
    const r = await frame
      .evaluate(() => {
        const imgs = Array.from(document.querySelectorAll('img'));
        return document.querySelector('.vscode-body, .markdown-body')
          ? { loaded: imgs.filter((i) => i.complete && i.naturalWidth > 0).length, total: imgs.length }
          : undefined;
      })
      .catch(() => undefined);
    if (r && r.total > 0) return { frame, ...r };
  }
  return undefined;
}

/** Clicks Export Markdown, accepts the suggested file name, opens the preview; `expected` is the suggested .md. */
export async function exportMarkdownFromPanel(page: Page, expected: string): Promise<ExportedReport> {
  await panel(page).locator('[data-testid=export-markdown]').click();
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ timeout: 15_000 });
  const suggested = await until('the save dialog to suggest a path', 15_000, async () => {
    const v = await input.inputValue();
    return v.endsWith('.md') ? v : undefined;
  });
  if (!suggested.endsWith(path.basename(expected)))
    throw new Error(`the save dialog suggested ${suggested}, not ${path.basename(expected)}`);
  await page.keyboard.press('Enter');
  const markdown = await until(`${expected} to be written`, 60_000, () =>
    fs.existsSync(expected) ? fs.readFileSync(expected, 'utf8') : undefined,
  );
  const assetsDir = expected.replace(/\.md$/, '-assets');
  const assets = fs.readdirSync(assetsDir).filter((f) => f.endsWith('.svg'));
  const links = [...markdown.matchAll(/^!\[.*\]\(([^()\s]+\.svg)\)$/gm)].length;
  const toast = page.locator('.notification-toast', { hasText: 'Saved the report' });
  await toast.waitFor({ timeout: 15_000 });
  await toast.locator('.monaco-button', { hasText: 'Open Preview' }).click();
  const shown = await until('the Markdown preview to load every chart', 60_000, async () => {
    const r = await previewImages(page);
    return r && r.loaded === r.total ? r : undefined;
  });
  await page.waitForTimeout(500);
  const showCharts = async (): Promise<void> => {
    await shown.frame.evaluate(() => document.querySelector('img')?.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(500);
  };
  return { markdownPath: expected, assets, links, shownImages: shown.loaded, showCharts };
}

/** Every chart is linked and loaded in the preview; saves the preview and its first chart as `shots`/`names`. */
export async function checkPreviewShowsCharts(
  page: Page,
  report: ExportedReport,
  shots: string,
  names: [preview: string, charts: string],
): Promise<void> {
  if (!(report.assets.length > 0 && report.links === report.assets.length))
    throw new Error(`${report.links} image links for ${report.assets.length} charts`);
  if (report.shownImages !== report.links)
    throw new Error(`the preview shows ${report.shownImages} of ${report.links} charts`);
  await page.screenshot({ path: path.join(shots, names[0]) });
  await report.showCharts();
  await page.screenshot({ path: path.join(shots, names[1]) });
  console.log(
    `       ${path.basename(report.markdownPath)} with ${report.assets.length} charts, all shown in the preview`,
  );
}
