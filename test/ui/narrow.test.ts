// The panels in a narrow column: the Activation Inspector sized to 360 and 400 px beside the editor, and to the
// full editor width (its group maximized), in the light and the dark theme; then its other cards (token lens,
// occlusion, SHAP, attention, fp32/int8, a long file's windows, two texts compared) and the dataset panel. At
// every width nothing may stick out of the webview (layoutCheck.ts). Screenshots of the webview alone:
// test-results/screenshots/narrow-<width>-<what>-<theme>.png.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import {
  frameWith,
  layoutProblems,
  layoutReport,
  settledWidth,
  sizeWebview,
  toggleMaximize,
  webviewShot,
} from './layoutCheck';
import { classifyFileInPalette, classifySelectionInPalette, closeAllEditors, panel, setTheme } from './workbench';
import { compareTwoLines } from './compare.test';
import { openDatasetFromPalette } from './dataset.test';
import { heatCells } from './occlusion.test';

type Check = (name: string, page: Page | undefined, fn: () => Promise<void>) => Promise<boolean>;

/** The narrow widths checked; screenshots are taken at the second. */
const NARROW = [360, 400];

/** Where to scroll the webview before a screenshot: a selector, or null for the top. */
type Spot = [name: string, selector: string | null];

interface Pass {
  page: Page;
  shots: string;
  /** A selector only the webview to check has. */
  frameSelector: string;
  what: string;
  theme: 'light' | 'dark';
  spots: Spot[];
}

async function scrollTo(page: Page, frame: Frame, selector: string | null): Promise<void> {
  await frame.evaluate((sel) => {
    if (sel) document.querySelector(sel)?.scrollIntoView({ block: 'start' });
    else window.scrollTo(0, 0);
  }, selector);
  await page.waitForTimeout(300);
}

/** Measures the webview at one width; returns the problems, each prefixed with the width. */
async function measureAt(p: Pass, frame: Frame, label: string, shoot: boolean): Promise<string[]> {
  const r = await layoutReport(frame);
  if (shoot) {
    for (const [name, sel] of p.spots) {
      await scrollTo(p.page, frame, sel);
      await webviewShot(
        p.page,
        frame,
        path.join(p.shots, `narrow-${label}-${p.what}${name ? `-${name}` : ''}-${p.theme}.png`),
      );
    }
    await scrollTo(p.page, frame, null);
  }
  return layoutProblems(r).map((x) => `${label} px: ${x}`);
}

/**
 * The webview at the default split, at 360 and 400 px, then maximized; the window returns to its size and the group to the split.
 * Fails with every problem found at every width (so one run lists them all).
 */
async function checkWidths(p: Pass): Promise<void> {
  const vp = p.page.viewportSize() ?? { width: 1500, height: 950 };
  const problems: string[] = [];
  try {
    // First as the test found it: the panel beside the editor at the default split.
    const start = await frameWith(p.page, p.frameSelector);
    problems.push(...(await measureAt(p, start, `split (${await settledWidth(p.page, start)})`, false)));
    for (const w of NARROW) {
      const frame = await frameWith(p.page, p.frameSelector);
      await sizeWebview(p.page, frame, w);
      problems.push(...(await measureAt(p, frame, String(w), w === NARROW[NARROW.length - 1])));
    }
    await p.page.setViewportSize(vp);
    const frame = await frameWith(p.page, p.frameSelector);
    // Beside an editor the webview's group is maximized; alone in the editor area it has the full width already.
    const split = (await p.page.locator('.editor-group-container').count()) > 1;
    const full = split ? await toggleMaximize(p.page, frame) : await settledWidth(p.page, frame);
    try {
      if (full < 900) problems.push(`at full width the webview is only ${full} px wide`);
      problems.push(...(await measureAt(p, frame, 'full', true)));
    } finally {
      if (split) await toggleMaximize(p.page, frame);
    }
  } finally {
    await p.page.setViewportSize(vp);
  }
  if (problems.length)
    throw new Error(`${p.what} (${p.theme}) does not fit:\n         ${problems.join('\n         ')}`);
}

async function themeIs(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const dark = await page.evaluate(
    () => document.querySelector('.monaco-workbench')?.classList.contains('vs-dark') ?? false,
  );
  if (dark !== (theme === 'dark')) await setTheme(page, theme === 'dark' ? 'Dark Modern' : 'Light Modern');
}

/** Clicks a panel button and waits for what it brings (or fails with the panel's error for it). */
async function press(page: Page, button: string, shows: string, error: string): Promise<void> {
  await panel(page).locator(`[data-testid=${button}]`).click();
  const deadline = Date.now() + 180_000;
  for (;;) {
    const snap = await panel(page)
      .locator('body')
      .evaluate(
        (b, ids) => ({
          shown: b.querySelector(`[data-testid=${ids[0]}]`) !== null,
          error: (b.querySelector(`[data-testid=${ids[1]}]`) as HTMLElement | null)?.innerText ?? '',
        }),
        [shows, error],
      )
      .catch(() => undefined);
    if (snap?.error) throw new Error(`${button}: the panel shows an error: ${snap.error}`);
    if (snap?.shown) return;
    if (Date.now() > deadline) throw new Error(`${button}: no ${shows} after 3 minutes`);
    await page.waitForTimeout(250);
  }
}

/** `sst2Dev`: SST-2's dev.tsv, whose first 200 rows the dataset panel opens (no dataset step without it). */
export async function narrowPanelUi(
  page: Page,
  check: Check,
  shots: string,
  workspace: string,
  sst2Dev: string | undefined,
): Promise<void> {
  const inspector = (what: string, theme: 'light' | 'dark', spots: Spot[]): Pass => ({
    page,
    shots,
    frameSelector: '[data-testid=result-label], [data-testid=text-comparison]',
    what,
    theme,
    spots,
  });
  const resultSpots: Spot[] = [
    ['top', null],
    ['head', '[data-testid=stage-classifier]'],
    ['lens', '[data-testid=stage-lens]'],
    ['whatif', '[data-testid=stage-whatif]'],
  ];

  for (const theme of ['light', 'dark'] as const) {
    await check(
      `narrow panel: a classified sentence fits 360 px, 400 px and the full width (${theme} theme)`,
      page,
      async () => {
        await closeAllEditors(page).catch(() => undefined);
        await themeIs(page, theme);
        await classifySelectionInPalette(page, 'review.md', 3);
        await press(page, 'token-lens-button', 'token-lens', 'error');
        await checkWidths(inspector('result', theme, resultSpots));
      },
    );
  }

  await check('narrow panel: occlusion, SHAP, attention and fp32/int8 cards fit (light theme)', page, async () => {
    await themeIs(page, 'light');
    await panel(page).locator('[data-testid=occlude-word]').click();
    await heatCells(page, 10);
    await press(page, 'method-shap', 'explanation-faithfulness', 'explanation-error');
    await press(page, 'attention-open', 'attention-matrix', 'attention-error');
    await press(page, 'compare-variants', 'variant-comparison', 'compare-error');
    await checkWidths(
      inspector('cards', 'light', [
        ['top', null],
        ['attention', '[data-testid=attention]'],
      ]),
    );
  });

  await check("narrow panel: a long file's window list fits (light theme)", page, async () => {
    await closeAllEditors(page);
    await classifyFileInPalette(page, 'long.txt');
    await checkWidths(inspector('windows', 'light', [['top', null]]));
  });

  await check('narrow panel: two texts compared fit (light theme)', page, async () => {
    await compareTwoLines(page);
    await checkWidths(
      inspector('compare-texts', 'light', [
        ['top', null],
        ['stages', '[data-testid=stage-table]'],
      ]),
    );
  });

  if (!sst2Dev || !fs.existsSync(sst2Dev)) return;
  await check("narrow panel: the dataset panel's tabs fit (light theme)", page, async () => {
    const file = path.join(workspace, 'sst2-dev-narrow.tsv');
    fs.writeFileSync(file, `${fs.readFileSync(sst2Dev, 'utf8').split('\n').slice(0, 201).join('\n')}\n`);
    await closeAllEditors(page).catch(() => undefined);
    await openDatasetFromPalette(page, file);
    const problems: string[] = [];
    for (const tab of ['metrics', 'examples', 'projection', 'units', 'study']) {
      const f = await frameWith(page, 'nav.tabs');
      const button = f.locator(`button.tab[data-tab=${tab}]`);
      if (!(await button.count())) continue;
      await button.click();
      await page.waitForTimeout(400);
      try {
        await checkWidths({
          page,
          shots,
          frameSelector: 'nav.tabs',
          what: `dataset-${tab}`,
          theme: 'light',
          spots: [['', null]],
        });
      } catch (err) {
        problems.push(err instanceof Error ? err.message : String(err));
      }
    }
    if (problems.length) throw new Error(problems.join('\n       '));
  });
}
