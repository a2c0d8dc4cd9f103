// Tiny DOM builders. Every piece of data enters the page as textContent or an attribute value set through the
// DOM API, never as markup, so document text like `<img onerror=...>` or `</script>` stays inert text.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined>;

const svgNs = 'http://www.w3.org/2000/svg';

function fill(el: Element, attrs: Attrs, children: Child[]): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** An HTML element; `attrs` are set with setAttribute (class, data-testid, tabindex, aria-*, title...). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  fill(el, attrs, children);
  return el;
}

/** An SVG element. */
export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(svgNs, tag) as SVGElement;
  fill(el, attrs, children);
  return el;
}

/** A native tooltip on an SVG shape (SVG ignores the title attribute). */
export function svgTitle(text: string): SVGElement {
  return s('title', {}, text);
}

/**
 * A horizontal scroller for content wider than a narrow panel (a table of many columns): a named tab stop, so the
 * keyboard can scroll it and a screen reader says what it holds.
 */
export function scrollX(label: string, child: Node): HTMLElement {
  return h('div', { class: 'scroll-x', role: 'region', tabindex: 0, 'aria-label': label }, child);
}

/** External links open in the browser: VS Code intercepts link clicks inside webviews. */
export function link(href: string, text: string): HTMLAnchorElement {
  return h('a', { href, title: href }, text);
}

// Number formats live in one module for the panel, the report and the CLI; the panel's modules import them here.
export { exact, int, num, pct, pctPoints, signedNum as signed } from '../core/present/format';

/**
 * A list the keyboard walks as one tab stop (the roving tabindex pattern): arrows, Home and End move between the
 * items matching `selector`; click, Enter and Space activate one.
 */
export function rovingList(list: HTMLElement, selector: string, activate: (el: HTMLElement) => void): void {
  const itemOf = (e: Event) => (e.target as Element | null)?.closest?.(selector) as HTMLElement | null;
  list.addEventListener('click', (e) => {
    const el = itemOf(e);
    if (el) activate(el);
  });
  list.addEventListener('keydown', (e) => {
    const el = itemOf(e);
    if (!el) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      activate(el);
      return;
    }
    const all = Array.from(list.querySelectorAll<HTMLElement>(selector));
    const i = all.indexOf(el);
    const j = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: all.length - 1 }[e.key];
    const next = j === undefined ? undefined : all[Math.max(0, Math.min(all.length - 1, j))];
    if (next) {
      e.preventDefault();
      el.tabIndex = -1;
      next.tabIndex = 0;
      next.focus();
    }
  });
}
