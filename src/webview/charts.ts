// Pictures: heatmaps of dim-sized vectors (SVG, colours from the theme), bar lists and a logit waterfall.
// Every mark carries its exact value in a tooltip; heatmaps are also readable by keyboard (arrow keys move a
// cursor and an aria-live readout states the value), because 768 tooltips are not keyboard reachable.
import { exact, h, num, s, signed, svgTitle } from './dom';
import type { Palette } from './theme';

/** Colour scale half-width: the 99th percentile of |v|, so one outlier unit does not wash out the rest. */
export function robustScale(values: number[]): number {
  const abs = values.map(Math.abs).filter((v) => v > 0).sort((a, b) => a - b);
  if (abs.length === 0) return 1;
  return abs[Math.min(abs.length - 1, Math.floor(abs.length * 0.99))] ?? 1;
}

function cellPaint(v: number, scale: number, p: Palette): { fill: string; opacity: string } {
  const t = Math.min(1, Math.abs(v) / scale);
  // Zero stays empty (the background), so ReLU's zeroed units read as gaps.
  return { fill: v >= 0 ? p.positive : p.negative, opacity: v === 0 ? '0' : (0.12 + 0.88 * t).toFixed(3) };
}

export interface HeatmapSpec {
  /** What the values are, for the readout and screen readers, e.g. "[CLS] entering pre_classifier". */
  name: string;
  rows: number[][];
  /** Names of the rows (e.g. "block 1"); a single vector has one unnamed row. */
  rowNames?: string[];
  /** Wrap a single vector into rows of this many cells (a matrix is drawn one row per row). */
  wrap?: number;
  palette: Palette;
  testid?: string;
}

/** A heatmap with one <rect data-unit> per value, a legend, and a keyboard/mouse readout. */
export function heatmap(spec: HeatmapSpec): HTMLElement {
  const { rows, palette } = spec;
  const wrap = rows.length === 1 ? (spec.wrap ?? 48) : undefined;
  const flat = rows.flat();
  const scale = robustScale(flat);
  const dim = rows[0]?.length ?? 0;
  const cell = wrap ? 12 : 1;
  const gap = wrap ? 1 : 0;
  const rowH = wrap ? 12 : 14;
  const cols = wrap ? Math.min(wrap, dim) : dim;
  const gridRows = wrap ? Math.ceil(dim / wrap) : rows.length;
  const width = cols * (cell + gap);
  const height = gridRows * (rowH + (wrap ? gap : 2));
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width: wrap ? width : '100%',
    height,
    preserveAspectRatio: wrap ? 'xMinYMin meet' : 'none',
    'shape-rendering': 'crispEdges',
    'aria-hidden': 'true',
    class: wrap ? 'heatmap-svg' : 'heatmap-svg matrix',
  });
  const rects: SVGElement[][] = [];
  rows.forEach((row, r) => {
    const rowRects: SVGElement[] = [];
    row.forEach((v, u) => {
      const x = wrap ? (u % wrap) * (cell + gap) : u;
      const y = wrap ? Math.floor(u / wrap) * (rowH + gap) : r * (rowH + 2);
      const paint = cellPaint(v, scale, palette);
      const where = spec.rowNames?.[r] ? `${spec.rowNames[r]}, unit ${u}` : `unit ${u}`;
      const rect = s(
        'rect',
        { x, y, width: cell, height: rowH, fill: paint.fill, 'fill-opacity': paint.opacity, 'data-unit': u, 'data-row': r },
        svgTitle(`${where}: ${exact(v)}`),
      );
      if (palette.outline && v !== 0 && wrap) rect.setAttribute('stroke', palette.outline);
      svg.appendChild(rect);
      rowRects.push(rect);
    });
    rects.push(rowRects);
  });
  const cursor = s('rect', { class: 'heatmap-cursor', width: cell, height: rowH, fill: 'none', visibility: 'hidden' });
  svg.appendChild(cursor);

  const readout = h('output', { class: 'heatmap-readout', 'aria-live': 'polite' }, 'Hover or use the arrow keys to read a value.');
  const box = h(
    'div',
    {
      class: 'heatmap',
      tabindex: 0,
      role: 'group',
      'aria-label': `${spec.name}: ${flat.length} values; arrow keys move through them`,
      'data-testid': spec.testid,
      'data-scale': scale,
    },
    svg,
  );
  let at = { r: 0, u: 0 };
  const show = (r: number, u: number): void => {
    const v = rows[r]?.[u];
    const rect = rects[r]?.[u];
    if (v === undefined || !rect) return;
    at = { r, u };
    readout.textContent = `${spec.rowNames?.[r] ? `${spec.rowNames[r]}, ` : ''}unit ${u}: ${exact(v)}`;
    for (const a of ['x', 'y', 'width', 'height']) cursor.setAttribute(a, rect.getAttribute(a) ?? '0');
    cursor.setAttribute('visibility', 'visible');
  };
  svg.addEventListener('mousemove', (e) => {
    const t = e.target as Element | null;
    const u = Number(t?.getAttribute('data-unit'));
    const r = Number(t?.getAttribute('data-row'));
    if (Number.isInteger(u) && Number.isInteger(r) && t?.getAttribute('data-unit') !== null) show(r, u);
  });
  box.addEventListener('focus', () => show(at.r, at.u));
  box.addEventListener('blur', () => cursor.setAttribute('visibility', 'hidden'));
  box.addEventListener('keydown', (e) => {
    const step = wrap ? { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [0, -wrap], ArrowDown: [0, wrap] } : {
      ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0],
    };
    const d = (step as Record<string, number[]>)[e.key];
    if (d) {
      e.preventDefault();
      const r = Math.max(0, Math.min(rows.length - 1, at.r + (d[0] ?? 0)));
      const u = Math.max(0, Math.min(dim - 1, at.u + (d[1] ?? 0)));
      show(r, u);
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      show(at.r, e.key === 'Home' ? 0 : dim - 1);
    }
  });
  const legend = h(
    'div',
    { class: 'legend' },
    h('span', { class: 'swatch neg' }),
    ` ≤ −${num(scale)}`,
    h('span', { class: 'swatch zero' }),
    ' 0',
    h('span', { class: 'swatch pos' }),
    ` ≥ +${num(scale)}`,
    h('span', { class: 'muted' }, ' (scale: 99th percentile of |value|)'),
  );
  return h('div', { class: 'heatmap-block' }, box, h('div', { class: 'heatmap-foot' }, legend, readout));
}

export interface Bar {
  label: string;
  value: number;
  /** Text shown after the bar (defaults to the value). */
  text?: string;
  title?: string;
  emphasis?: boolean;
}

/** Horizontal bars. Signed bars grow from a centred zero line; unsigned ones from the left edge. */
export function barList(bars: Bar[], opts: { signed: boolean; max?: number; testid?: string; caption: string }): HTMLElement {
  const max = opts.max ?? Math.max(1e-12, ...bars.map((b) => Math.abs(b.value)));
  const list = h('div', { class: `bars${opts.signed ? ' signed' : ''}`, role: 'list', 'aria-label': opts.caption, 'data-testid': opts.testid });
  for (const b of bars) {
    const frac = Math.min(1, Math.abs(b.value) / max);
    const fill = h('div', { class: `bar-fill ${b.value >= 0 ? 'pos' : 'neg'}${b.emphasis ? ' emphasis' : ''}` });
    // CSSOM writes are allowed by the CSP (style-src covers style attributes in markup, not these).
    if (opts.signed) {
      fill.style.left = b.value >= 0 ? '50%' : `${50 - frac * 50}%`;
      fill.style.width = `${frac * 50}%`;
    } else {
      fill.style.left = '0';
      fill.style.width = `${frac * 100}%`;
    }
    list.appendChild(
      h(
        'div',
        { class: `bar-row${b.emphasis ? ' emphasis' : ''}`, role: 'listitem', title: b.title ?? `${b.label}: ${exact(b.value)}`, 'data-value': b.value },
        h('span', { class: 'bar-label' }, b.label),
        h('div', { class: 'bar-track' }, fill),
        h('span', { class: 'bar-value' }, b.text ?? num(b.value)),
      ),
    );
  }
  return list;
}

export interface Step {
  label: string;
  delta: number;
  kind: 'bias' | 'toward' | 'against' | 'rest' | 'total';
  title: string;
}

/** A logit waterfall: each step's bar spans the running total before and after it; the last row is the sum. */
export function waterfall(steps: Step[], opts: { testid?: string; caption: string }): HTMLElement {
  let total = 0;
  const spans = steps.map((st) => {
    if (st.kind === 'total') return { st, a: 0, b: st.delta };
    const a = total;
    total += st.delta;
    return { st, a, b: total };
  });
  const lo = Math.min(0, ...spans.map((x) => Math.min(x.a, x.b)));
  const hi = Math.max(0, ...spans.map((x) => Math.max(x.a, x.b)));
  const range = hi - lo || 1;
  const at = (v: number): number => ((v - lo) / range) * 100;
  const list = h('div', { class: 'waterfall', role: 'list', 'aria-label': opts.caption, 'data-testid': opts.testid });
  for (const { st, a, b } of spans) {
    const fill = h('div', { class: `bar-fill ${st.kind === 'total' || st.kind === 'bias' ? 'neutral' : st.delta >= 0 ? 'pos' : 'neg'}` });
    fill.style.left = `${at(Math.min(a, b))}%`;
    fill.style.width = `${Math.max(0.4, Math.abs(at(b) - at(a)))}%`;
    const zero = h('div', { class: 'zero-line' });
    zero.style.left = `${at(0)}%`;
    list.appendChild(
      h(
        'div',
        { class: `bar-row step-${st.kind}`, role: 'listitem', title: st.title, 'data-kind': st.kind, 'data-value': st.delta },
        h('span', { class: 'bar-label' }, st.label),
        h('div', { class: 'bar-track' }, zero, fill),
        h('span', { class: 'bar-value' }, st.kind === 'total' ? `= ${num(st.delta)}` : signed(st.delta)),
      ),
    );
  }
  return list;
}
