// UI test of "which words drove the decision": a person classifies a sentence, presses "Explain by occlusion" in
// the panel, and sees the heat strip under the result and the words tinted in the editor; the command palette's
// "DistilBERT: Explain Result by Occlusion" does the same for word pieces. Screenshots:
// test-results/screenshots/occlusion-tint-*.png. Then the method picker (SHAP) and the attention view, in light and
// dark: attribution-shap-*.png, attention-view-*.png.
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { openFromExplorer, panel, runCommand, setTheme } from './workbench';

type Check = (name: string, page: Page | undefined, fn: () => Promise<void>) => Promise<boolean>;

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/** Heat cells in the panel once the occlusion is done (the card replaces the running status). */
export async function heatCells(
  page: Page,
  minimum: number,
): Promise<{ texts: string[]; values: number[]; joined: number; cost: string }> {
  const p = panel(page);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const snap = await p
      .locator('body')
      .evaluate((body) => {
        const cells = [...body.querySelectorAll('[data-testid=heat-cell]')] as HTMLElement[];
        const err = body.querySelector('[data-testid=occlusion-error]') as HTMLElement | null;
        const cost = body.querySelector('[data-testid=occlusion-cost]') as HTMLElement | null;
        return {
          texts: cells.map((c) => c.innerText),
          joined: cells.filter((c) => c.classList.contains('joined')).length,
          values: cells.map((c) => Number(c.getAttribute('data-value'))),
          cost: cost?.innerText ?? '',
          error: err?.innerText ?? '',
        };
      })
      .catch(() => undefined);
    if (snap?.error) throw new Error(`the panel shows an occlusion error: ${snap.error}`);
    if (snap && snap.texts.length >= minimum && snap.cost) return snap;
    if (Date.now() > deadline) throw new Error(`no heat strip after 2 minutes (${snap?.texts.length ?? 0} cells)`);
    await page.waitForTimeout(250);
  }
}

/** Editor overlay elements with a visible background (decorations paint in .view-overlays). */
async function tintedOverlays(page: Page): Promise<number> {
  return page
    .locator('.editor-instance .view-overlays')
    .first()
    .evaluate(
      (layer) =>
        [...layer.querySelectorAll('div[class*="ced-"]')].filter((el) => {
          const bg = getComputedStyle(el).backgroundColor;
          return bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent';
        }).length,
    );
}

/**
 * Selects the whole of review.md's last line ("Overall, a flawed but rewarding film ...") and classifies it. The
 * editor beside the panel wraps that line, so Home/Shift+End would select only a visual line: "Expand Line
 * Selection" selects the logical line (with its line break, which the word grouping leaves out).
 */
async function classifyLastLine(page: Page): Promise<void> {
  await openFromExplorer(page, 'review.md');
  await page.locator('.editor-instance .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('ArrowUp');
  await runCommand(page, 'Expand Line Selection');
  await page
    .locator('.statusbar-item', { hasText: /selected/ })
    .first()
    .waitFor({ timeout: 10_000 });
  await runCommand(page, 'DistilBERT: Classify Selection');
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const text = await panel(page)
      .locator('body')
      .innerText()
      .catch(() => '');
    if (text.includes('Selection in review.md') && text.includes('Explain by occlusion')) return;
    await page.waitForTimeout(250);
  }
  throw new Error('no result for the selection in review.md');
}

export async function occlusionUiTests(page: Page, check: Check, shots: string): Promise<void> {
  await check(
    'explain a result by occlusion: heat strip in the panel, tint over the words in the editor',
    page,
    async () => {
      await classifyLastLine(page);
      const before = await tintedOverlays(page);
      const button = panel(page).locator('[data-testid=occlude-word]');
      await button.waitFor({ timeout: 30_000 });
      await button.click();
      const cells = await heatCells(page, 14);
      assert(
        cells.texts.join(' ') === 'Overall , a flawed but rewarding film that I would happily watch again .',
        `heat cells: ${cells.texts.join(' | ')}`,
      );
      assert(
        cells.values.every(Number.isFinite) && cells.values.some((v) => v !== 0),
        `values: ${cells.values.join(' ')}`,
      );
      assert(/^\d+ forward passes in \d+ ms/.test(cells.cost), `cost line: ${cells.cost}`);
      // Deselect so the selection highlight does not hide the tint, then wait for the editor to paint.
      await page.locator('.editor-instance .view-lines').first().click();
      await page.keyboard.press('Control+Home');
      await page.waitForTimeout(800);
      const after = await tintedOverlays(page);
      // The editor paints touching ranges of one colour ("Overall" + ",") as one overlay.
      const expected = cells.texts.length - cells.joined;
      assert(
        after - before >= expected,
        `the editor shows ${after - before} new tinted ranges for ${cells.texts.length} words (${cells.joined} touching)`,
      );
      await panel(page)
        .locator('[data-testid=occlusion]')
        .evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(400);
      await page.screenshot({ path: path.join(shots, 'occlusion-tint-dark.png') });
      console.log(`       ${cells.texts.length} words; ${cells.cost}`);
    },
  );

  await check('occlusion by word piece from the command palette, in the light theme', page, async () => {
    await setTheme(page, 'Light Modern');
    await runCommand(page, 'DistilBERT: Explain Result by Occlusion');
    // The palette runs it by word; the panel's second button asks for pieces.
    await heatCells(page, 10);
    await panel(page).locator('[data-testid=occlude-piece]').click();
    const deadline = Date.now() + 60_000;
    let shape = '';
    while (Date.now() < deadline) {
      shape = await panel(page)
        .locator('[data-testid=occlusion] .shape')
        .innerText()
        .catch(() => '');
      if (/word piece/.test(shape)) break;
      await page.waitForTimeout(250);
    }
    assert(/word piece/.test(shape), `the card still says "${shape}"`);
    const cells = await heatCells(page, 10);
    await panel(page)
      .locator('[data-testid=occlusion]')
      .evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await page.waitForTimeout(600);
    await page.screenshot({ path: path.join(shots, 'occlusion-tint-light.png') });
    console.log(`       ${cells.texts.length} pieces`);
  });
}

/** Waits until `testid` shows in the panel (or an error element does, which fails the step). */
async function panelShows(page: Page, testid: string, errorId: string): Promise<string> {
  const p = panel(page);
  const deadline = Date.now() + 180_000;
  for (;;) {
    const snap = await p
      .locator('body')
      .evaluate(
        (body, ids) => ({
          text: (body.querySelector(`[data-testid=${ids[0]}]`) as HTMLElement | null)?.innerText ?? '',
          error: (body.querySelector(`[data-testid=${ids[1]}]`) as HTMLElement | null)?.innerText ?? '',
        }),
        [testid, errorId],
      )
      .catch(() => undefined);
    if (snap?.error) throw new Error(`the panel shows an error: ${snap.error}`);
    if (snap?.text) return snap.text;
    if (Date.now() > deadline) throw new Error(`no ${testid} after 3 minutes`);
    await page.waitForTimeout(250);
  }
}

export async function attributionUiTests(page: Page, check: Check, shots: string): Promise<void> {
  await check(
    'pick SHAP in the panel: its strip says method, cost and faithfulness; then the attention view, light and dark',
    page,
    async () => {
      // Runs after the occlusion steps: the light theme is on and the last line of review.md is the result.
      await panel(page).locator('[data-testid=method-shap]').click();
      const faith = await panelShows(page, 'explanation-faithfulness', 'explanation-error');
      assert(/top 20% words drops (POSITIVE|NEGATIVE) by -?\d\.\d\d/.test(faith), `faithfulness line: ${faith}`);
      const cost = await panel(page).locator('[data-testid=explanation-cost]').innerText();
      assert(/^partition SHAP: \d+ forward passes in \d+ ms$/.test(cost), `cost: ${cost}`);
      await panel(page)
        .locator('[data-testid=explanation]')
        .evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(600);
      await page.screenshot({ path: path.join(shots, 'attribution-shap-light.png') });
      await panel(page).locator('[data-testid=attention-open]').click();
      await panelShows(page, 'attention-matrix-title', 'attention-error');
      const strips = await panel(page).locator('[data-testid=attention-strip]').count();
      assert(strips > 0, 'no attention strips');
      await panel(page).locator('[data-testid=attention-strip][data-layer="0"][data-head="1"]').click();
      const title = await panel(page).locator('[data-testid=attention-matrix-title]').innerText();
      for (
        let i = 0;
        i < 40 &&
        !/layer 1, head 2/.test(await panel(page).locator('[data-testid=attention-matrix-title]').innerText());
        i++
      )
        await page.waitForTimeout(250);
      await panel(page)
        .locator('[data-testid=attention]')
        .evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.waitForTimeout(600);
      await page.screenshot({ path: path.join(shots, 'attention-view-light.png') });
      await setTheme(page, 'Dark Modern');
      await page.waitForTimeout(1000);
      await page.screenshot({ path: path.join(shots, 'attention-view-dark.png') });
      await panel(page)
        .locator('[data-testid=explanation]')
        .evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(400);
      await page.screenshot({ path: path.join(shots, 'attribution-shap-dark.png') });
      await setTheme(page, 'Light Modern'); // the steps after this one expect the theme the occlusion steps left
      console.log(`       ${cost}; ${faith}; ${strips} attention strips (${title})`);
    },
  );
}
