// Small DOM helpers for the dataset webview: every text goes in through textContent, never as markup.

/** An element with a class, attributes and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

/** A table in a horizontal scroller (a named tab stop), so a narrow panel scrolls the table, not the page. */
export function table(head: string[], rows: (Node | string)[][], cls = 'grid'): HTMLElement {
  const t = el('table', cls);
  const tr = el('tr');
  for (const h of head) tr.append(el('th', undefined, h));
  t.append(tr);
  for (const r of rows) {
    const row = el('tr');
    for (const c of r) row.append(el('td', undefined, c));
    t.append(row);
  }
  const scroller = el('div', 'scroll-x', t);
  scroller.tabIndex = 0;
  scroller.setAttribute('role', 'region');
  scroller.setAttribute('aria-label', `Table: ${head.filter(Boolean).join(', ')}`);
  return scroller;
}

export const f3 = (x: number) => x.toFixed(3);
export { pct } from '../../core/present/format';

/** A theme colour from a --vscode-* variable (canvas drawing cannot use var()). */
export function cssColor(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}
