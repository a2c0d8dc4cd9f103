// Horizontal layout measured inside a webview's own document, and sizing the webview to a given width. A panel
// beside the editor can be as narrow as 360 px: nothing may stick out of the webview's right edge (an inner
// scroller for intrinsically wide content is fine when the keyboard reaches it and it has a name), and the
// buttons of the header rows must not break their labels over two lines.
import type { Frame, Page } from 'playwright-core';
import { runCommand } from './workbench';

/** What a webview's document does with its width. */
export interface LayoutReport {
  /** The document's client width (the webview's width minus its vertical scroll bar) and its scroll width. */
  clientWidth: number;
  scrollWidth: number;
  /** Outermost elements whose box leaves the viewport horizontally with no scroller clipping them, with their x range. */
  outside: string[];
  /** The innermost of those: the elements that make their ancestors too wide. */
  causes: string[];
  /** Inner horizontal scrollers that scroll but are not a tab stop or have no accessible name. */
  badScrollers: string[];
  /** Toolbar buttons whose label breaks over lines. */
  brokenButtons: string[];
}

/** Buttons that sit in a row of their own (the panel's header, pickers, the dataset's tabs and controls). */
const ROW_BUTTONS = [
  '.summary .actions button',
  '.live-bar button',
  '.method-picker button',
  '.whatif-controls button',
  'nav.tabs button',
  '.controls button',
];

/** Measures the document of `frame` (see LayoutReport). */
export function layoutReport(frame: Frame): Promise<LayoutReport> {
  return frame.evaluate((rowButtons) => {
    const root = document.documentElement;
    const vw = root.clientWidth;
    const body = document.body;
    const name = (el: Element): string => {
      const id = el.getAttribute('data-testid');
      const cls =
        typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${cls}${id ? `[${id}]` : ''}`;
    };
    // A scroller or clip between the element and <body> keeps it from widening the page (body itself does not count).
    const clipped = (el: Element): boolean => {
      for (let a = el.parentElement; a && a !== body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    const rendered = (el: Element): boolean => el.getClientRects().length > 0 && !el.closest('.visually-hidden');
    const all = [...body.querySelectorAll('*')].filter(
      (el) =>
        !(el instanceof SVGElement && el.tagName.toLowerCase() !== 'svg') && el.tagName !== 'OPTION' && rendered(el),
    );
    const out = new Set(
      all.filter((el) => {
        const r = el.getBoundingClientRect();
        return (r.right > vw + 1 || r.left < -1) && !clipped(el);
      }),
    );
    const box = (el: Element): string => {
      const r = el.getBoundingClientRect();
      return `${name(el)} x ${Math.round(r.left)}..${Math.round(r.right)} (width ${Math.round(r.width)})`;
    };
    const outside = [...out].filter((el) => !el.parentElement || !out.has(el.parentElement)).map(box);
    const causes = [...out].filter((el) => ![...el.children].some((c) => out.has(c))).map(box);
    const badScrollers = all
      .filter((el) => {
        const o = getComputedStyle(el).overflowX;
        if ((o !== 'auto' && o !== 'scroll') || el.scrollWidth <= el.clientWidth + 1) return false;
        const named = el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby');
        return !((el as HTMLElement).tabIndex >= 0 && named);
      })
      .map((el) => `${name(el)} scrolls ${el.scrollWidth} in ${el.clientWidth} without tabindex and a name`);
    const brokenButtons = [...body.querySelectorAll(rowButtons.join(','))]
      .filter(rendered)
      .filter((b) => {
        const range = document.createRange();
        range.selectNodeContents(b);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        return tops.size > 1;
      })
      .map((b) => `${name(b)} "${(b.textContent ?? '').trim()}" breaks over lines`);
    return { clientWidth: vw, scrollWidth: root.scrollWidth, outside, causes, badScrollers, brokenButtons };
  }, ROW_BUTTONS);
}

/** The problems in a report, one line each (empty when the layout fits). */
export function layoutProblems(r: LayoutReport): string[] {
  const page =
    r.scrollWidth > r.clientWidth + 1
      ? [`the page scrolls sideways: scrollWidth ${r.scrollWidth} > clientWidth ${r.clientWidth}`]
      : [];
  const outside = r.outside.length
    ? [
        `outside the ${r.clientWidth} px viewport: ${r.outside.slice(0, 12).join('; ')}`,
        `caused by: ${r.causes.slice(0, 12).join('; ')}`,
      ]
    : [];
  return [...page, ...outside, ...r.badScrollers, ...r.brokenButtons];
}

/** The first frame (of any webview) whose document has `selector`. */
export async function frameWith(page: Page, selector: string, ms = 120_000): Promise<Frame> {
  const deadline = Date.now() + ms;
  for (;;) {
    for (const f of page.frames()) {
      if (
        await f
          .locator(selector)
          .count()
          .catch(() => 0)
      )
        return f;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await page.waitForTimeout(250);
  }
}

/** The webview's width (window.innerWidth, its scroll bar included) once the workbench's layout has settled. */
export async function settledWidth(page: Page, frame: Frame): Promise<number> {
  let last = -1;
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(250);
    const w = await frame.evaluate(() => window.innerWidth);
    if (w === last) return w;
    last = w;
  }
  return last;
}

/**
 * Resizes the browser window until the webview showing `frame` is `target` px wide (within 2 px). The editor
 * groups share the width the side bar leaves, so each step scales the window change by the measured ratio.
 */
export async function sizeWebview(page: Page, frame: Frame, target: number): Promise<number> {
  let vp = page.viewportSize() ?? { width: 1500, height: 950 };
  let w = await settledWidth(page, frame);
  let k = 2;
  for (let i = 0; i < 8 && Math.abs(w - target) > 2; i++) {
    const next = Math.max(500, Math.round(vp.width + (target - w) * k));
    await page.setViewportSize({ width: next, height: vp.height });
    const w2 = await settledWidth(page, frame);
    if (w2 !== w && next !== vp.width) k = Math.max(0.5, Math.min(4, (next - vp.width) / (w2 - w)));
    vp = { width: next, height: vp.height };
    w = w2;
  }
  if (Math.abs(w - target) > 2)
    throw new Error(`could not size the webview to ${target} px (it is ${w} px in a ${vp.width} px window)`);
  return w;
}

/**
 * Maximizes (or restores) the editor group that holds the webview, as a person does from the palette: a click
 * on the group's active tab makes it the active group first. Webviews float above the workbench, so the group is
 * the one under the webview's centre.
 */
export async function toggleMaximize(page: Page, frame: Frame): Promise<number> {
  const before = await settledWidth(page, frame);
  const box = await (await frame.frameElement()).boundingBox();
  if (!box) throw new Error('the webview has no box on screen');
  const x = box.x + box.width / 2;
  const groups = page.locator('.editor-group-container');
  let clicked = false;
  for (let i = 0; i < (await groups.count()) && !clicked; i++) {
    const g = await groups.nth(i).boundingBox();
    if (g && x >= g.x && x < g.x + g.width) {
      await groups.nth(i).locator('.tabs-container .tab.active').first().click();
      await page.mouse.move(150, 600); // off the tab, whose hover would show in the screenshots
      clicked = true;
    }
  }
  if (!clicked) throw new Error(`no editor group under the webview (x ${Math.round(x)})`);
  await runCommand(page, 'View: Toggle Maximize Editor Group');
  for (let i = 0; i < 20; i++) {
    const w = await settledWidth(page, frame);
    if (w !== before) return w;
  }
  throw new Error(`the webview stayed ${before} px wide after Toggle Maximize Editor Group`);
}

/** A screenshot of the webview alone (its box in the workbench page). */
export async function webviewShot(page: Page, frame: Frame, file: string): Promise<void> {
  const el = await frame.frameElement();
  const b = await el.boundingBox();
  if (!b) throw new Error('the webview has no box on screen');
  await page.screenshot({ path: file, clip: b });
}
