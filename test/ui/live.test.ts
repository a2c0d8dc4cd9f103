// Live inspection as a person meets it: open a text file and the Activation Inspector, click the panel's "Live"
// switch, select a sentence in the editor and watch the panel classify it, then type over it and watch the panel
// re-classify as the sentiment flips, with the latency of the last run in the live bar; finally switch live off.
// Then the live result on show is the one "Explain Result by Occlusion" and "Export Markdown" act on.
// Screenshots: test-results/screenshots/live-*.png. Called from runUiTests.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { heatCells } from './occlusion.test';
import { exportMarkdownFromPanel } from './reportSteps';
import { closeAllEditors, openFromExplorer, panel, runCommand, selectLine } from './workbench';

type Check = (name: string, page: Page | undefined, fn: () => Promise<void>) => Promise<boolean>;

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

const FILE = 'live.txt';
const POSITIVE_TEXT = 'a wonderful, moving film';
const NEGATIVE_TEXT = 'a dull, tedious mess';

/** What the panel shows in one read (the webview re-renders, so piecewise reads could mix two renders). */
interface LiveReading {
  pressed: string | null;
  barClass: string;
  phase: string;
  latency: string;
  latencyTitle: string;
  label: string;
  probability: string;
  /** Word pieces of the shown result, [CLS]/[SEP] left out. */
  pieces: string[];
}

async function readLive(page: Page): Promise<LiveReading | undefined> {
  return panel(page)
    .locator('body')
    .evaluate(
      (body) => {
        const q = (id: string): HTMLElement | null => body.querySelector(`[data-testid=${id}]`);
        const chips = [...body.querySelectorAll('[data-testid=tokens] .chip')] as HTMLElement[];
        return {
          pressed: q('live-toggle')?.getAttribute('aria-pressed') ?? null,
          barClass: q('live-bar')?.className ?? '',
          phase: q('live-phase')?.innerText.trim() ?? '',
          latency: q('live-latency')?.innerText.trim() ?? '',
          latencyTitle: q('live-latency')?.title ?? '',
          label: q('result-label')?.innerText.trim() ?? '',
          probability: q('result-probability')?.innerText.trim() ?? '',
          pieces: chips.filter((c) => !c.classList.contains('special')).map((c) => c.innerText.trim()),
        };
      },
      undefined,
      { timeout: 10_000 },
    )
    .catch(() => undefined);
}

/** Polls the panel until `done` holds for a reading; the timeout message carries the last reading. */
async function waitForLive(
  page: Page,
  what: string,
  done: (r: LiveReading) => boolean,
  ms = 120_000,
): Promise<LiveReading> {
  const deadline = Date.now() + ms;
  let last: LiveReading | undefined;
  for (;;) {
    last = await readLive(page);
    if (last && done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms / 1000} s waiting for ${what}; the panel shows ${JSON.stringify(last)}`);
    await page.waitForTimeout(200);
  }
}

/** "last run 12 ms · 3 runs" -> {ms, runs}; the title carries the exact wall time ("..., 11.8 ms (worker ...)"). */
function latencyOf(r: LiveReading): { ms: number; exactMs: number; runs: number } {
  const m = /^last run (\d+) ms · (\d+) runs?$/.exec(r.latency);
  assert(m, `the live bar shows no latency: "${r.latency}"`);
  const exact = /, (\d+\.\d) ms \(worker round trip included\)$/.exec(r.latencyTitle);
  assert(exact, `the latency has no exact value on hover: "${r.latencyTitle}"`);
  return { ms: Number(m[1]), exactMs: Number(exact[1]), runs: Number(m[2]) };
}

const shows = (r: LiveReading, text: string): boolean =>
  r.pieces.join(' ').replace(/ ,/g, ',').replace(/ ##/g, '') === text;

/** `workspace`: the folder the workbench has open (the step writes live.txt into it). */
export async function liveInspectionUi(page: Page, check: Check, shots: string, workspace: string): Promise<void> {
  let first: LiveReading | undefined;
  await check(
    'live inspection: switched on in the panel, the selection is classified, typing over it re-classifies with its latency',
    page,
    async () => {
      await closeAllEditors(page);
      fs.writeFileSync(path.join(workspace, FILE), `Live inspection\n\n${POSITIVE_TEXT}\n`);
      await openFromExplorer(page, FILE);
      await runCommand(page, 'DistilBERT: Open Activation Inspector');
      const toggle = panel(page).locator('[data-testid=live-toggle]');
      await toggle.waitFor({ timeout: 60_000 });
      const off = await waitForLive(page, 'the live switch, off', (r) => r.pressed === 'false');
      assert(off.phase.startsWith('Off: switch on'), `live is off but the bar says "${off.phase}"`);
      assert(off.latency === '', `no latency while off, got "${off.latency}"`);

      // The person clicks the switch, as they would any button.
      await toggle.click();
      await waitForLive(page, 'live to switch on', (r) => r.pressed === 'true');

      // Select the sentence with the keyboard: the panel classifies it once typing and moving pause.
      await selectLine(page, 3);
      first = await waitForLive(
        page,
        `the selection "${POSITIVE_TEXT}" classified live`,
        (r) =>
          r.barClass.includes('phase-idle') &&
          shows(r, POSITIVE_TEXT) &&
          r.phase === `Showing the selection in ${FILE}.`,
      );
      const l1 = latencyOf(first);
      assert(l1.exactMs > 0 && l1.runs >= 1, `latency ${first.latency} / ${first.latencyTitle}`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'live-inspection-positive.png') });
      console.log(`       "${POSITIVE_TEXT}": ${first.label} ${first.probability}; ${first.latency}`);

      // Type over the selection like a person (one key at a time); live follows the paragraph at the cursor.
      await page.keyboard.type(NEGATIVE_TEXT, { delay: 40 });
      const second = await waitForLive(
        page,
        `the typed "${NEGATIVE_TEXT}" re-classified live`,
        (r) => r.barClass.includes('phase-idle') && shows(r, NEGATIVE_TEXT) && r.phase === `Showing line 3 of ${FILE}.`,
      );
      const l2 = latencyOf(second);
      assert(l2.exactMs > 0 && l2.runs > l1.runs, `after typing: ${second.latency} (before: ${first.latency})`);
      assert(second.label !== first.label, `the label stayed ${first.label} although the sentiment flipped`);
      assert(second.probability !== first.probability, `the probability stayed ${first.probability}`);
      if (!process.env.DBI_UI_MODEL) {
        // The bundled SST-2 model: 98.9% POSITIVE and 97.3% NEGATIVE (the CLI gives the same on these two texts).
        assert(
          first.label === 'POSITIVE' && second.label === 'NEGATIVE',
          `bundled model: ${first.label} then ${second.label}`,
        );
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'live-inspection-negative.png') });
      console.log(`       typed "${NEGATIVE_TEXT}": ${second.label} ${second.probability}; ${second.latency}`);
    },
  );

  await check(
    'live inspection: the panel switch turns it off again; the result stays, the latency goes',
    page,
    async () => {
      await panel(page).locator('[data-testid=live-toggle]').click();
      const r = await waitForLive(page, 'live to switch off', (x) => x.pressed === 'false');
      assert(r.phase.startsWith('Off: switch on'), `the bar says "${r.phase}"`);
      assert(r.latency === '', `a latency is still shown while off: "${r.latency}"`);
      assert(r.label !== '' && shows(r, NEGATIVE_TEXT), 'the last live result is gone from the panel');
      await page.screenshot({ path: path.join(shots, 'live-inspection-off.png') });
      // Leave no unsaved edit behind for the steps that follow.
      await page.locator('.editor-instance .view-lines').first().click();
      await runCommand(page, 'File: Revert File');
      await page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: 10_000 });
    },
  );

  await check(
    'a live result is the current one: Explain Result by Occlusion and Export Markdown act on it',
    page,
    async () => {
      await closeAllEditors(page);
      fs.writeFileSync(path.join(workspace, FILE), `Live inspection\n\n${POSITIVE_TEXT}\n`);
      await openFromExplorer(page, FILE);
      await runCommand(page, 'DistilBERT: Toggle Live Inspection');
      await waitForLive(page, 'live to switch on', (r) => r.pressed === 'true');
      await selectLine(page, 3);
      await waitForLive(
        page,
        `the selection "${POSITIVE_TEXT}" classified live`,
        (r) => r.barClass.includes('phase-idle') && shows(r, POSITIVE_TEXT),
      );

      // The palette's command explains what the panel shows: the live result, not an older command result.
      await runCommand(page, 'DistilBERT: Explain Result by Occlusion');
      const cells = await heatCells(page, 4);
      assert(
        cells.texts.join(' ') === 'a wonderful , moving film',
        `the heat strip explains "${cells.texts.join(' ')}", not the live text`,
      );
      await panel(page)
        .locator('[data-testid=occlusion]')
        .evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(400);
      await page.screenshot({ path: path.join(shots, 'live-occlusion.png') });

      // The report of the live result quotes its text (the host knows it: the live result is the current one).
      const report = await exportMarkdownFromPanel(page, path.join(workspace, 'live.inspection.md'));
      const md = fs.readFileSync(report.markdownPath, 'utf8');
      assert(md.includes(`\n${POSITIVE_TEXT}\n`), `the report does not quote the live text:\n${md.slice(0, 600)}`);
      assert(md.includes(`Selection in ${FILE.replace('.', '\\.')}`), `the report does not name ${FILE}`); // Markdown-escaped
      assert(
        report.shownImages === report.assets.length,
        `the preview shows ${report.shownImages} of ${report.assets.length} charts`,
      );
      await page.screenshot({ path: path.join(shots, 'live-report-preview.png') });
      console.log(`       live result explained (${cells.cost}) and exported with ${report.assets.length} charts`);
      await closeAllEditors(page); // closes the panel too, which switches live off
    },
  );
}
