// Pictures: heatmaps of dim-sized vectors (SVG, colours from the theme), bar lists and a logit waterfall.
// Every mark shows its exact value on hover; heatmaps are also readable by keyboard (arrow keys move a cursor
// and an aria-live readout states the value), because hundreds of cells cannot each be a tab stop.
import { exact, h, num, s, signed } from './dom';
import type { Palette } from './theme';
import { robustScale, tintPercent } from '../core/present/scale';
import { waterfallSpans } from '../core/present/logitSteps';

/** The heat maps' colour scale, shared with the report's charts. */
export { robustScale };

/** Tints a word of an attribution strip by its score: the theme's chart colour mixed in by strength. */
export function tintWord(el: HTMLElement, v: number, scale: number): void {
  // CSSOM styles are allowed under the panel's CSP.
  el.style.backgroundColor = `color-mix(in srgb, var(${v >= 0 ? '--pos' : '--neg'}) ${tintPercent(v, scale)}%, transparent)`;
}

/** A heat-map cell's colour and opacity: the theme's positive/negative colour, stronger with |v| / scale. */
export function cellPaint(v: number, scale: number, p: Palette): { fill: string; opacity: string } {
  const t = Math.min(1, Math.abs(v) / scale);
  // Zero stays empty (the background), so ReLU's zeroed units read as gaps.
  return { fill: v >= 0 ? p.positive : p.negative, opacity: v === 0 ? '0' : (0.12 + 0.88 * t).toFixed(3) };
}

export interface HeatmapSpec {
  /** What the values are, for the readout and screen readers, e.g. "[CLS] entering pre_classifier". */
  name: string;
  palette: Palette;
  testid?: string;
}

/** Mouse and keyboard readout shared by both heatmap kinds: a floating tooltip and an aria-live line. */
function interactive(
  spec: HeatmapSpec,
  rows: number[][],
  rowNames: string[] | undefined,
  surface: Element,
  moves: Record<string, [number, number]>,
  locate: (e: MouseEvent) => { r: number; u: number } | undefined,
  mark: (r: number, u: number) => void,
): HTMLElement {
  const dim = rows[0]?.length ?? 0;
  const count = rows.length * dim;
  const tip = h('div', { class: 'tip', role: 'presentation', hidden: true });
  const readout = h(
    'output',
    { class: 'heatmap-readout', 'aria-live': 'polite' },
    'Hover, or focus and use the arrow keys, to read exact values.',
  );
  const box = h(
    'div',
    {
      class: 'heatmap',
      tabindex: 0,
      role: 'group',
      'aria-label': `${spec.name}: ${count} values; arrow keys move through them`,
      'data-testid': spec.testid,
    },
    surface,
    tip,
  );
  let at = { r: 0, u: 0 };
  const describe = (r: number, u: number): string =>
    `${rowNames?.[r] ? `${rowNames[r]}, ` : ''}unit ${u}: ${exact(rows[r]?.[u] ?? 0)}`;
  const show = (r: number, u: number): void => {
    if (rows[r]?.[u] === undefined) return;
    at = { r, u };
    readout.textContent = describe(r, u);
    mark(r, u);
  };
  box.addEventListener('mousemove', (e) => {
    const hit = locate(e);
    if (!hit) return;
    show(hit.r, hit.u);
    const rect = box.getBoundingClientRect();
    tip.textContent = describe(hit.r, hit.u);
    tip.hidden = false;
    tip.style.left = `${Math.min(e.clientX - rect.left + 12, Math.max(0, rect.width - 200))}px`;
    tip.style.top = `${e.clientY - rect.top + 16}px`;
  });
  box.addEventListener('mouseleave', () => {
    tip.hidden = true;
  });
  box.addEventListener('focus', () => show(at.r, at.u));
  box.addEventListener('keydown', (e) => {
    const d = moves[e.key];
    let r = at.r;
    let u = at.u;
    if (d) {
      r = Math.max(0, Math.min(rows.length - 1, r + d[0]));
      u = Math.max(0, Math.min(dim - 1, u + d[1]));
    } else if (e.key === 'Home' || e.key === 'End') {
      u = e.key === 'Home' ? 0 : dim - 1;
    } else return;
    e.preventDefault();
    show(r, u);
  });
  return h(
    'div',
    { class: 'heatmap-block' },
    box,
    h('div', { class: 'heatmap-foot' }, legend(robustScale(rows.flat())), readout),
  );
}

function legend(scale: number): HTMLElement {
  return h(
    'div',
    { class: 'legend' },
    h('span', { class: 'swatch neg' }),
    ` ≤ −${num(scale)}`,
    h('span', { class: 'swatch zero' }),
    ' 0',
    h('span', { class: 'swatch pos' }),
    ` ≥ +${num(scale)}`,
  );
}

/**
 * One dim-sized vector wrapped into rows of `wrap` cells: one <rect data-unit data-value> per unit. Exact
 * values show in a tooltip and the readout (not per-cell <title>s: 768 extra nodes per map made rendering slow).
 */
export function vectorHeatmap(values: number[], spec: HeatmapSpec & { wrap?: number }): HTMLElement {
  const wrap = Math.min(spec.wrap ?? 48, Math.max(1, values.length));
  const scale = robustScale(values);
  const size = 12;
  const pitch = size + 1;
  const width = wrap * pitch;
  const height = Math.ceil(values.length / wrap) * pitch;
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    class: 'heatmap-svg',
    'shape-rendering': 'crispEdges',
    'aria-hidden': 'true',
  });
  values.forEach((v, u) => {
    const paint = cellPaint(v, scale, spec.palette);
    const rect = s('rect', {
      x: (u % wrap) * pitch,
      y: Math.floor(u / wrap) * pitch,
      width: size,
      height: size,
      fill: paint.fill,
      'fill-opacity': paint.opacity,
      'data-unit': u,
      'data-value': v,
    });
    if (spec.palette.outline && v !== 0) rect.setAttribute('stroke', spec.palette.outline);
    svg.appendChild(rect);
  });
  const cursor = s('rect', { class: 'heatmap-cursor', width: size, height: size, fill: 'none', visibility: 'hidden' });
  svg.appendChild(cursor);
  return interactive(
    spec,
    [values],
    undefined,
    svg,
    { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [0, -wrap], ArrowDown: [0, wrap] },
    (e) => {
      const u = Number((e.target as Element | null)?.getAttribute?.('data-unit') ?? NaN);
      return Number.isInteger(u) ? { r: 0, u } : undefined;
    },
    (_r, u) => {
      cursor.setAttribute('x', String((u % wrap) * pitch));
      cursor.setAttribute('y', String(Math.floor(u / wrap) * pitch));
      cursor.setAttribute('visibility', 'visible');
    },
  );
}

/**
 * A rows x dim matrix (the [CLS] vector after each block) drawn one canvas pixel per value and stretched to
 * the card's width: thousands of values, no DOM node each.
 */
export function matrixHeatmap(rows: number[][], rowNames: string[], spec: HeatmapSpec): HTMLElement {
  const dim = rows[0]?.length ?? 0;
  const scale = robustScale(rows.flat());
  const canvas = h('canvas', {
    width: dim,
    height: rows.length,
    class: 'heatmap-canvas',
    'aria-hidden': 'true',
    'data-rows': rows.length,
    'data-dim': dim,
  });
  canvas.style.height = `${rows.length * 18}px`;
  const ctx = typeof canvas.getContext === 'function' ? canvas.getContext('2d') : null;
  if (ctx) {
    ctx.fillStyle = spec.palette.background;
    ctx.fillRect(0, 0, dim, rows.length);
    rows.forEach((row, r) =>
      row.forEach((v, u) => {
        if (v === 0) return;
        const paint = cellPaint(v, scale, spec.palette);
        ctx.globalAlpha = Number(paint.opacity);
        ctx.fillStyle = paint.fill;
        ctx.fillRect(u, r, 1, 1);
      }),
    );
  }
  const cursor = h('div', { class: 'matrix-cursor', hidden: true });
  const surface = h('div', { class: 'matrix' }, canvas, cursor);
  return interactive(
    spec,
    rows,
    rowNames,
    surface,
    { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] },
    (e) => {
      const b = canvas.getBoundingClientRect();
      if (e.clientX < b.left || e.clientX >= b.right || e.clientY < b.top || e.clientY >= b.bottom) return undefined;
      return {
        u: Math.floor(((e.clientX - b.left) / b.width) * dim),
        r: Math.floor(((e.clientY - b.top) / b.height) * rows.length),
      };
    },
    (r, u) => {
      cursor.hidden = false;
      cursor.style.left = `${(u / dim) * 100}%`;
      cursor.style.top = `${(r / rows.length) * 100}%`;
      cursor.style.height = `${100 / rows.length}%`;
    },
  );
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
export function barList(
  bars: Bar[],
  opts: { signed: boolean; max?: number; testid?: string; caption: string },
): HTMLElement {
  const max = opts.max ?? Math.max(1e-12, ...bars.map((b) => Math.abs(b.value)));
  const list = h('div', {
    class: `bars${opts.signed ? ' signed' : ''}`,
    role: 'list',
    'aria-label': opts.caption,
    'data-testid': opts.testid,
  });
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
        {
          class: `bar-row${b.emphasis ? ' emphasis' : ''}`,
          role: 'listitem',
          title: b.title ?? `${b.label}: ${exact(b.value)}`,
          'data-value': b.value,
        },
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
  const { spans, lo, hi } = waterfallSpans(steps);
  const range = hi - lo || 1;
  const at = (v: number): number => ((v - lo) / range) * 100;
  const list = h('div', { class: 'waterfall', role: 'list', 'aria-label': opts.caption, 'data-testid': opts.testid });
  for (const { step: st, from: a, to: b } of spans) {
    const fill = h('div', {
      class: `bar-fill ${st.kind === 'total' || st.kind === 'bias' ? 'neutral' : st.delta >= 0 ? 'pos' : 'neg'}`,
    });
    fill.style.left = `${at(Math.min(a, b))}%`;
    fill.style.width = `${Math.max(0.4, Math.abs(at(b) - at(a)))}%`;
    const zero = h('div', { class: 'zero-line' });
    zero.style.left = `${at(0)}%`;
    list.appendChild(
      h(
        'div',
        {
          class: `bar-row step-${st.kind}`,
          role: 'listitem',
          title: st.title,
          'data-kind': st.kind,
          'data-value': st.delta,
        },
        h('span', { class: 'bar-label' }, st.label),
        h('div', { class: 'bar-track' }, zero, fill),
        h('span', { class: 'bar-value' }, st.kind === 'total' ? `= ${num(st.delta)}` : signed(st.delta)),
      ),
    );
  }
  return list;
}
