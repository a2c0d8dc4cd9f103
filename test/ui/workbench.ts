// What a person does in the VS Code workbench, as Playwright steps. Selectors are VS Code 1.100's own DOM
// (see ../shared/docs/real-vscode-offline.md): the explorer's list rows, the editor's view lines, the command
// palette's input, and the panel's webview nested in two iframes. Clicking the explorer row is used instead of
// Ctrl+P because quick open was flaky headless.
import type { FrameLocator, Page } from 'playwright-core';

const STAGES = [
  'stage-cls',
  'stage-pre-classifier',
  'stage-relu',
  'stage-dropout',
  'stage-classifier',
  'logits',
  'probabilities',
];

export interface PanelReading {
  label: string;
  probability: string;
  stages: Record<string, string>;
  background: string;
}

/** The inspector panel's content: VS Code hosts webviews in iframe.webview > iframe#active-frame. */
export function panel(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').first().frameLocator('#active-frame');
}

export async function openFromExplorer(page: Page, fileName: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: fileName }).first();
  await row.waitFor({ timeout: 60_000 });
  await row.click();
  await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: 30_000 });
  await page.locator('.editor-instance .view-lines').first().waitFor({ timeout: 30_000 });
}

/**
 * Closes every editor and group (the panel included): steps that follow others start from one editor group, so
 * "the active review.md tab" and "the editor" each mean one element.
 */
export async function closeAllEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editor Groups');
  await page.locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: 15_000 });
}

/** Puts the cursor in the editor and selects line `line` (1-based) from its start to its end, by keyboard. */
export async function selectLine(page: Page, line: number): Promise<void> {
  await page.locator('.editor-instance .view-lines').first().click();
  await page.keyboard.press('Control+Home');
  for (let i = 1; i < line; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  // The status bar says "(N selected)" once the editor has the selection.
  await page
    .locator('.statusbar-item', { hasText: /selected/ })
    .first()
    .waitFor({ timeout: 10_000 });
}

/** A palette row whose label is exactly `label` (other rows can contain it, e.g. "...Color Themes in Marketplace"). */
function paletteRow(page: Page, label: string) {
  const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  return page
    .locator('.quick-input-widget .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exact }) })
    .first();
}

/** F1, type the command's title, click its row (Enter would run whichever row the palette put first). */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // The palette can close again right after opening when a webview takes the focus as it settles (seen once in
  // a full run: the input was found, then hidden while being filled); open it again then, up to three times.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ timeout: 15_000 });
      await input.fill(`>${title}`, { timeout: 10_000 });
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
  // The row appears once the extension's contributions are known.
  const row = paletteRow(page, title);
  await row.waitFor({ timeout: 30_000 });
  await row.click();
}

export async function classifySelectionInPalette(page: Page, fileName: string, line: number): Promise<void> {
  await openFromExplorer(page, fileName);
  await selectLine(page, line);
  await runCommand(page, 'DistilBERT: Classify Selection');
  await waitForResult(page, fileName);
}

/** Runs Classify File on `fileName` and returns how many windows the panel lists once the result is there. */
export async function classifyFileInPalette(page: Page, fileName: string): Promise<number> {
  await openFromExplorer(page, fileName);
  await page.locator('.editor-instance .view-lines').first().click();
  await page.keyboard.press('Control+Home'); // so the screenshot shows the top of the file and its window labels
  await runCommand(page, 'DistilBERT: Classify File');
  await waitForResult(page, fileName);
  return panel(page).locator('[data-testid=window-item]').count();
}

/** Waits until the panel shows a finished result; throws with the panel's text if it shows an error instead. */
async function waitForResult(page: Page, about?: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    // One snapshot per poll: the webview re-renders, so element-by-element reads could race with it.
    const snap = await panel(page)
      .locator('body')
      .evaluate(
        (body) => {
          const text = (id: string): string | null => {
            const el = body.querySelector(`[data-testid=${id}]`) as HTMLElement | null;
            return el && el.offsetParent !== null ? el.innerText : null;
          };
          return {
            error: text('error'),
            status: text('status'),
            label: text('result-label'),
            all: (body as HTMLElement).innerText,
          };
        },
        undefined,
        { timeout: 30_000 },
      )
      .catch(() => undefined); // not there yet (panel opening or reloading)
    if (snap?.error) throw new Error(`the panel shows an error: ${snap.error.replace(/\s+/g, ' ')}`);
    const running = snap?.status != null && /running|classifying|loading/i.test(snap.status);
    // `about`: the file the result must be for, so an older result still on screen does not count.
    const fresh = about === undefined || (snap?.all.includes(about) ?? false);
    if (snap?.label && !running && fresh) return;
    if (Date.now() > deadline)
      throw new Error(`no result in the panel after 5 minutes (status: ${snap?.status ?? 'none'})`);
    await page.waitForTimeout(250);
  }
}

export async function readPanel(page: Page): Promise<PanelReading> {
  await waitForResult(page);
  const p = panel(page);
  const text = async (id: string): Promise<string> => {
    const el = p.locator(`[data-testid=${id}]`).first();
    await el.waitFor({ timeout: 30_000 });
    return (await el.innerText()).trim();
  };
  const stages: Record<string, string> = {};
  for (const id of STAGES) {
    // The stage's own text plus the exact values its charts carry in titles/aria labels for hovering.
    const el = p.locator(`[data-testid=${id}]`).first();
    await el.waitFor({ timeout: 30_000 });
    const extra = await el.evaluate((node) =>
      [...node.querySelectorAll('[title],[aria-label]')]
        .map((n) => `${n.getAttribute('title') ?? ''} ${n.getAttribute('aria-label') ?? ''}`)
        .join(' '),
    );
    stages[id] = `${(await el.innerText()).trim()} ${extra}`.trim();
  }
  const background = await p.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
  return { label: await text('result-label'), probability: await text('result-probability'), stages, background };
}

/**
 * Switches the colour theme as a person does: "Preferences: Color Theme", type the theme's name, Enter.
 * `kind` is the workbench's class for the theme's kind (vs, vs-dark, hc-black, hc-light); default from the name.
 */
export async function setTheme(
  page: Page,
  theme: string,
  kind?: 'vs' | 'vs-dark' | 'hc-black' | 'hc-light',
): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  // The theme picker reuses the quick input; its rows are the themes' labels ("Dark Modern").
  await paletteRow(page, 'Light Modern').waitFor({ timeout: 15_000 });
  await page.locator('.quick-input-widget .quick-input-box input').fill(theme);
  const row = paletteRow(page, theme);
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  const cls = kind ?? (/dark/i.test(theme) ? 'vs-dark' : 'vs');
  await page.waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c) ?? false, cls, {
    timeout: 30_000,
  });
  await page.waitForTimeout(1500); // the webview receives the new --vscode-* variables a moment later
}

/** The editor's cursor position as the status bar shows it ("Ln 12, Col 1 (340 selected)"). */
/** Scrolls the panel to the classification head (pre_classifier .. probabilities) for a screenshot. */
export async function showHead(page: Page): Promise<void> {
  await panel(page)
    .locator('[data-testid=stage-pre-classifier]')
    .first()
    .evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
}

export async function editorCursor(page: Page): Promise<string> {
  return (
    await page
      .locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ })
      .first()
      .innerText()
  ).trim();
}

/** Clicks window `index` in the panel's window list; the extension reveals its range in the editor. */
export async function revealWindow(page: Page, index: number): Promise<void> {
  const before = await editorCursor(page);
  await panel(page).locator('[data-testid=window-item]').nth(index).click();
  const deadline = Date.now() + 10_000;
  while ((await editorCursor(page)) === before && Date.now() < deadline) await page.waitForTimeout(200);
}
