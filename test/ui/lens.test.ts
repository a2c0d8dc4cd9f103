// The head lens as a person meets it, on the sentence runUiTests.ts has just classified: the chart of the head's
// reading after every block with the settle point, switching ReLU units off with the keyboard and watching the
// experiment's logits move, the token lens on request; the same card in the dark theme. Screenshots:
// test-results/screenshots/head-lens-{light,dark}.png, head-lens-whatif-light.png, head-lens-tokens-light.png.
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { panel, runCommand, showHead } from './workbench';

type Check = (name: string, page: Page | undefined, fn: () => Promise<void>) => Promise<boolean>;

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/** Scrolls the panel to a card and lets it paint. */
async function showCard(page: Page, testid: string): Promise<void> {
  await panel(page)
    .locator(`[data-testid=${testid}]`)
    .first()
    .evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(400);
}

/** The chart's series and the table, read in one go. */
async function readLens(
  page: Page,
): Promise<{ series: number; dots: number[]; rows: number; settleRows: number; summary: string; strokes: string[] }> {
  return panel(page)
    .locator('[data-testid=stage-lens]')
    .first()
    .evaluate((card) => {
      const series = [...card.querySelectorAll('.lens-series')];
      return {
        series: series.length,
        dots: series.map((g) => g.querySelectorAll('circle').length),
        rows: card.querySelectorAll('[data-testid=lens-table] tbody tr').length,
        settleRows: card.querySelectorAll('[data-testid=lens-table] tbody tr.settle').length,
        summary: (card.querySelector('[data-testid=lens-summary]') as HTMLElement | null)?.innerText ?? '',
        strokes: series.map((g) => getComputedStyle(g.querySelector('polyline')!).stroke),
      };
    });
}

const experimentLogits = (page: Page): Promise<number[]> =>
  panel(page)
    .locator('[data-testid=whatif-logits] .bar-row')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-value'))));

export async function headLensLightUi(page: Page, check: Check, shots: string, nLayers: number): Promise<void> {
  await check(
    'head lens: one chart of the head after every block, the settle point marked (light theme)',
    page,
    async () => {
      await panel(page).locator('[data-testid=stage-lens]').first().waitFor({ timeout: 30_000 });
      const r = await readLens(page);
      assert(r.series === 2 && r.dots.every((d) => d === nLayers + 1), `series ${r.series}, dots ${r.dots.join(',')}`);
      assert(r.rows === nLayers + 1 && r.settleRows === 1, `table rows ${r.rows}, settle rows ${r.settleRows}`);
      assert(r.summary.startsWith('For this input the head'), `summary: ${r.summary}`);
      assert(
        new Set(r.strokes).size === 2 && r.strokes.every((s) => s && s !== 'none'),
        `series strokes from the theme: ${r.strokes.join(' | ')}`,
      );
      await showCard(page, 'stage-lens');
      await page.screenshot({ path: path.join(shots, 'head-lens-light.png') });
    },
  );

  await check(
    'what-if: switching a ReLU unit off with the keyboard moves the logits; bypassing pre_classifier is labelled an experiment',
    page,
    async () => {
      const p = panel(page);
      const model = await experimentLogits(page);
      const unit = p.locator('[data-testid^=whatif-unit-][aria-pressed]').first();
      const id = await unit.getAttribute('data-testid');
      await unit.focus();
      await page.keyboard.press('Enter');
      await p.locator(`[data-testid=${id}][aria-pressed=true]`).waitFor({ timeout: 10_000 });
      const moved = await experimentLogits(page);
      assert(
        moved.length === model.length && moved.some((x, i) => Math.abs(x - model[i]!) > 1e-9),
        `logits did not move: ${model} -> ${moved}`,
      );
      const text = await p.locator('[data-testid=whatif-result]').innerText();
      assert(/Experiment, not the model: 1 unit switched off/.test(text), text);
      await showCard(page, 'stage-whatif');
      await page.screenshot({ path: path.join(shots, 'head-lens-whatif-light.png') });
      await p.locator('[data-testid=whatif-bypass]').click();
      await p.locator('[data-testid=whatif-bypass][aria-pressed=true]').waitFor({ timeout: 10_000 });
      assert(
        /pre_classifier bypassed/.test(await p.locator('[data-testid=whatif-result]').innerText()),
        'bypass is described',
      );
      await p.locator('[data-testid=whatif-reset]').click();
    },
  );

  await check(
    "token lens: on request, the head's reading at every word piece, marked as not what the model reads",
    page,
    async () => {
      const p = panel(page);
      await p.locator('[data-testid=token-lens-button]').click();
      await p.locator('[data-testid=token-lens] li').first().waitFor({ timeout: 120_000 });
      const items = await p.locator('[data-testid=token-lens] li').count();
      const chips = await p.locator('[data-testid=tokens] .chip').count();
      assert(items > 2 && items === chips, `token lens items ${items}, word pieces ${chips}`);
      const heading = await p.locator('.token-lens h4').innerText();
      assert(heading.includes('instead of [CLS]'), heading);
      await p.locator('[data-testid=token-lens]').evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'head-lens-tokens-light.png') });
      // Back to the head, where the next step's dark-theme screenshot expects the panel, and the keyboard back to
      // the editors: files opened next must open there, not beside the panel.
      await showHead(page);
      await runCommand(page, 'View: Focus First Editor Group');
    },
  );
}

export async function headLensDarkUi(page: Page, check: Check, shots: string): Promise<void> {
  await check('head lens in the dark theme', page, async () => {
    const r = await readLens(page);
    assert(r.series === 2, `series ${r.series}`);
    const bg = await panel(page)
      .locator('body')
      .evaluate((b) => getComputedStyle(b).backgroundColor);
    assert(bg !== 'rgb(255, 255, 255)', `panel background ${bg} in the dark theme`);
    await showCard(page, 'stage-lens');
    await page.screenshot({ path: path.join(shots, 'head-lens-dark.png') });
  });
}
