// Contrast measured in the panel's own page: WCAG 2 contrast ratios of text against the background it is really
// drawn on (semi-transparent backgrounds composited up the tree), and the heat-map scale's two end colours.
import type { Page } from 'playwright-core';
import { panel } from './workbench';

/** One measured element: what it is, its colours and their contrast ratio. */
export interface Measured {
  what: string;
  fg: string;
  bg: string;
  ratio: number;
}

/** Inline code, other text, and the heat-map scale's ends (distance in RGB units, 0..441). */
export interface ContrastReport {
  code: Measured[];
  text: Measured[];
  scale: { pos: string; neg: string; distance: number };
}

const TEXT_SELECTORS = [
  '.result-label',
  '.meta',
  '.coverage',
  '.explain p',
  'h3',
  'h4',
  '.bar-label',
  '.bar-value',
  'button',
  '.chip',
  '.legend',
  '.model-note',
  '.live-phase',
];

export function contrastReport(page: Page): Promise<ContrastReport> {
  return panel(page)
    .locator('body')
    .evaluate((body, selectors) => {
      type Rgba = [number, number, number, number];
      const parse = (c: string): Rgba => {
        const m = /rgba?\(([^)]+)\)/.exec(c);
        if (m) {
          const p = m[1]!
            .split(/[\s,/]+/)
            .filter(Boolean)
            .map(Number);
          return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 1];
        }
        const s = /color\(srgb ([^)]+)\)/.exec(c);
        if (s) {
          const p = s[1]!
            .split(/[\s/]+/)
            .filter(Boolean)
            .map(Number);
          return [(p[0] ?? 0) * 255, (p[1] ?? 0) * 255, (p[2] ?? 0) * 255, p[3] ?? 1];
        }
        return [0, 0, 0, 0];
      };
      const over = (top: Rgba, under: Rgba): Rgba => {
        const a = top[3];
        return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
      };
      const background = (el: Element | null): Rgba => {
        const layers: Rgba[] = [];
        for (let e = el; e; e = e.parentElement) {
          const c = parse(getComputedStyle(e).backgroundColor);
          if (c[3] > 0) layers.push(c);
          if (c[3] >= 1) break;
        }
        let acc: Rgba = [255, 255, 255, 1];
        if (layers.length && layers[layers.length - 1]![3] >= 1) acc = layers.pop()!;
        for (const l of layers.reverse()) acc = over(l, acc);
        return acc;
      };
      const lum = (c: Rgba): number => {
        const ch = (v: number) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2]);
      };
      const ratio = (a: Rgba, b: Rgba): number => {
        const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p) as [number, number];
        return (x + 0.05) / (y + 0.05);
      };
      const css = (c: Rgba) =>
        `rgb(${c
          .slice(0, 3)
          .map((v) => Math.round(v))
          .join(', ')})`;
      const measure = (el: Element, what: string) => {
        const bg = background(el);
        const fg = over(parse(getComputedStyle(el).color), bg);
        return { what, fg: css(fg), bg: css(bg), ratio: ratio(fg, bg) };
      };
      const visible = (el: Element) =>
        (el as HTMLElement).offsetParent !== null && (el.textContent ?? '').trim() !== '';
      const code = [...body.querySelectorAll('code')]
        .filter(visible)
        .slice(0, 40)
        .map((el) => measure(el, `code "${(el.textContent ?? '').slice(0, 30)}"`));
      const text = selectors.flatMap((sel) =>
        [...body.querySelectorAll(sel)]
          .filter(visible)
          .slice(0, 4)
          .map((el) => measure(el, `${sel} "${(el.textContent ?? '').trim().slice(0, 30)}"`)),
      );
      const probe = (v: string): Rgba => {
        const d = document.createElement('div');
        d.style.backgroundColor = `var(${v})`;
        body.appendChild(d);
        const c = parse(getComputedStyle(d).backgroundColor);
        d.remove();
        return c;
      };
      const pos = probe('--pos');
      const neg = probe('--neg');
      const distance = Math.hypot(pos[0] - neg[0], pos[1] - neg[1], pos[2] - neg[2]);
      return { code, text, scale: { pos: css(pos), neg: css(neg), distance } };
    }, TEXT_SELECTORS);
}
