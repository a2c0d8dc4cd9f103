// Standalone SVG charts for the Markdown report: bars (logits, probabilities), heat strips of dim-sized vectors,
// a heat matrix ([CLS] after each block) and a logit waterfall. Unlike the panel's charts they cannot read the
// theme, so they carry a fixed palette on an explicit white background: readable in light and dark Markdown
// viewers alike. Every chart has <title> and <desc> for screen readers; every text goes through xml().
import { xml } from './escape';
import { decimal4 } from '../present/format';
import { robustScale } from '../present/scale';
import { waterfallSpans, type LogitStep } from '../present/logitSteps';

/** Blue/orange rather than green/red: distinguishable for the common colour-vision deficiencies. */
export const reportPalette = {
  background: '#ffffff',
  text: '#1f2328',
  muted: '#57606a',
  axis: '#8c959f',
  positive: '#0969da',
  negative: '#bc4c00',
  neutral: '#6e7781',
  frame: '#d0d7de',
} as const;

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12"';

/** A number as the charts print it (the one definition: ../present/format). */
export const fmt = decimal4;

/** Height of the visible caption band at the top of every chart (the chart may be opened on its own). */
const CAPTION = 24;

/** The outer <svg> with its accessible name, description, background and visible caption. */
export function frame(width: number, height: number, title: string, desc: string, body: string[]): string {
  // Each chart is its own file, so fixed ids are unique where it matters (and the output is deterministic).
  const id = 'chart';
  const w = Math.ceil(Math.max(width, textWidth(title) + 16));
  const h = Math.ceil(height) + CAPTION;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-labelledby="${id}-t ${id}-d" ${FONT}>`,
    `<title id="${id}-t">${xml(title)}</title>`,
    `<desc id="${id}-d">${xml(desc)}</desc>`,
    `<rect width="${w}" height="${h}" fill="${reportPalette.background}"/>`,
    `<text x="8" y="17" fill="${reportPalette.text}" font-weight="bold" aria-hidden="true">${xml(title)}</text>`,
    `<g transform="translate(0 ${CAPTION})">`,
    ...body,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}

const r2 = (v: number): string => (Math.round(v * 100) / 100).toString();

export function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r2(x)}" y="${r2(y)}" fill="${reportPalette.text}"${attrs ? ` ${attrs}` : ''}>${xml(s)}</text>`;
}

/** Labels longer than `max` characters are cut with an ellipsis (the full one stays in the bar's <title>). */
function clip(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** Generous width of a label in the 12px sans-serif font (capitals run ~8px), enough to lay out a column. */
const textWidth = (s: string): number => Array.from(s).length * 8;

export interface BarDatum {
  label: string;
  value: number;
  /** The winning label: drawn in full colour, the others lighter. */
  emphasis?: boolean;
}

/** Horizontal bars, one per datum: signed around a zero axis (logits), or from 0 to `max` (probabilities). */
export function barChart(
  bars: BarDatum[],
  opts: { title: string; desc: string; signed: boolean; max?: number },
): string {
  const labelW = Math.min(200, Math.max(40, ...bars.map((b) => textWidth(clip(b.label, 28))))) + 12;
  const plotW = 360;
  const valueW = 90;
  const rowH = 22;
  const top = 8;
  const width = labelW + plotW + valueW;
  const height = top * 2 + bars.length * rowH;
  const maxAbs = opts.max ?? Math.max(1e-9, ...bars.map((b) => Math.abs(b.value)));
  const hasNeg = opts.signed && bars.some((b) => b.value < 0);
  const hasPos = !opts.signed || bars.some((b) => b.value > 0);
  // Zero sits in the middle only when both signs occur; else at the side the bars grow from.
  const zeroX = labelW + (hasNeg && hasPos ? plotW / 2 : hasNeg ? plotW : 0);
  const scale = (hasNeg && hasPos ? plotW / 2 : plotW) / maxAbs;
  const body: string[] = [];
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const len = Math.min(Math.abs(b.value), maxAbs) * scale;
    const x = b.value >= 0 ? zeroX : zeroX - len;
    const colour = b.value >= 0 ? reportPalette.positive : reportPalette.negative;
    body.push(text(labelW - 8, y + 15, clip(b.label, 28), 'text-anchor="end"'));
    body.push(
      `<rect class="bar" data-label="${xml(b.label)}" data-value="${b.value}" x="${r2(x)}" y="${y + 4}" width="${r2(Math.max(len, 0.5))}" height="${rowH - 8}" fill="${colour}" fill-opacity="${b.emphasis ? 1 : 0.55}"><title>${xml(`${b.label}: ${b.value}`)}</title></rect>`,
    );
    body.push(text(labelW + plotW + 6, y + 15, fmt(b.value), b.emphasis ? 'font-weight="bold"' : ''));
  });
  body.push(
    `<line x1="${r2(zeroX)}" y1="${top}" x2="${r2(zeroX)}" y2="${height - top}" stroke="${reportPalette.axis}"/>`,
  );
  return frame(width, height, opts.title, opts.desc, body);
}

/** White at 0, full blue (positive) or orange (negative) at |v| >= scale. */
function cellColour(v: number, scale: number): string {
  if (v === 0 || !Number.isFinite(v)) return reportPalette.background;
  const t = Math.min(1, Math.abs(v) / scale);
  const target = v > 0 ? reportPalette.positive : reportPalette.negative;
  const mix = (i: number): string => {
    const c = parseInt(target.slice(1 + 2 * i, 3 + 2 * i), 16);
    return Math.round(255 + (c - 255) * (0.1 + 0.9 * t))
      .toString(16)
      .padStart(2, '0');
  };
  return `#${mix(0)}${mix(1)}${mix(2)}`;
}

function legend(x: number, y: number, scale: number): string[] {
  const sw = (dx: number, fill: string): string =>
    `<rect x="${r2(x + dx)}" y="${y - 10}" width="12" height="12" fill="${fill}" stroke="${reportPalette.frame}"/>`;
  return [
    sw(0, reportPalette.negative),
    text(x + 16, y, `≤ −${fmt(scale)}`),
    sw(110, reportPalette.background),
    text(x + 126, y, '0'),
    sw(150, reportPalette.positive),
    text(x + 166, y, `≥ +${fmt(scale)}`),
  ];
}

function stats(values: number[]): string {
  let min = Infinity;
  let max = -Infinity;
  let sq = 0;
  let zeros = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sq += v * v;
    if (v === 0) zeros++;
  }
  return `${values.length} values from ${fmt(min)} to ${fmt(max)}, L2 norm ${fmt(Math.sqrt(sq))}, ${zeros} exactly zero.`;
}

/** One dim-sized vector as rows of `wrap` cells (unit u at row u / wrap, column u % wrap), one <rect> per unit. */
export function heatStrip(values: number[], opts: { title: string; wrap?: number }): string {
  const wrap = Math.max(1, Math.min(opts.wrap ?? 64, values.length));
  const cell = 10;
  const left = 44;
  const top = 8;
  const rows = Math.ceil(values.length / wrap);
  const scale = robustScale(values);
  const body: string[] = [];
  for (let r = 0; r < rows; r++)
    body.push(
      text(left - 6, top + r * cell + 9, String(r * wrap), 'text-anchor="end" font-size="9" fill-opacity="0.8"'),
    );
  values.forEach((v, u) => {
    const x = left + (u % wrap) * cell;
    const y = top + Math.floor(u / wrap) * cell;
    body.push(
      `<rect class="cell" data-unit="${u}" data-value="${v}" x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${cellColour(v, scale)}"><title>unit ${u}: ${v}</title></rect>`,
    );
  });
  body.push(
    `<rect x="${left}" y="${top}" width="${wrap * cell}" height="${rows * cell}" fill="none" stroke="${reportPalette.frame}"/>`,
  );
  const footY = top + rows * cell + 20;
  body.push(...legend(left, footY, scale));
  return frame(
    left + wrap * cell + 8,
    footY + 8,
    opts.title,
    `${opts.title}: ${stats(values)} Unit u is row u / ${wrap}, column u mod ${wrap}.`,
    body,
  );
}

/** Several same-length vectors as rows of one heat map (e.g. the first token after each block). */
export function heatMatrix(rows: number[][], rowNames: string[], opts: { title: string }): string {
  const dim = rows[0]?.length ?? 0;
  const cw = Math.max(1, Math.min(12, 768 / Math.max(1, dim)));
  const rh = 16;
  const left = Math.max(...rowNames.map((n) => textWidth(n)), 40) + 12;
  const top = 8;
  const scale = robustScale(rows.flat());
  const body: string[] = [];
  rows.forEach((row, r) => {
    const y = top + r * rh;
    body.push(text(left - 6, y + 12, rowNames[r] ?? `row ${r + 1}`, 'text-anchor="end"'));
    body.push(`<g class="row" data-row="${r}">`);
    row.forEach((v, u) =>
      body.push(
        `<rect data-unit="${u}" data-value="${v}" x="${r2(left + u * cw)}" y="${y}" width="${r2(cw)}" height="${rh - 2}" fill="${cellColour(v, scale)}"/>`,
      ),
    );
    body.push('</g>');
  });
  const footY = top + rows.length * rh + 20;
  body.push(...legend(left, footY, scale));
  const desc = `${opts.title}: ${rows.length} rows of ${dim} values; ${rows.map((row, r) => `${rowNames[r] ?? r + 1}: ${stats(row)}`).join(' ')}`;
  return frame(left + dim * cw + 8, footY + 8, opts.title, desc, body);
}

/** One step of a logit's decomposition (the presentation model's LogitStep; the chart reads label, delta, kind). */
export type WaterfallStep = Pick<LogitStep, 'label' | 'delta' | 'kind'>;

/** Each step is a bar from the running sum before it to the running sum after it; 'total' runs from 0. */
export function waterfall(steps: WaterfallStep[], opts: { title: string; desc: string }): string {
  const labelW = Math.min(200, Math.max(60, ...steps.map((s) => textWidth(clip(s.label, 28))))) + 12;
  const plotW = 360;
  const valueW = 90;
  const rowH = 20;
  const top = 8;
  const { spans, lo, hi } = waterfallSpans(steps);
  const scale = plotW / Math.max(1e-9, hi - lo);
  const X = (v: number): number => labelW + (v - lo) * scale;
  const colour: Record<WaterfallStep['kind'], string> = {
    bias: reportPalette.neutral,
    toward: reportPalette.positive,
    against: reportPalette.negative,
    rest: reportPalette.axis,
    total: reportPalette.text,
  };
  const body: string[] = [];
  spans.forEach(({ step: s, from, to }, i) => {
    const y = top + i * rowH;
    const x0 = X(Math.min(from, to));
    const w = Math.max(0.5, Math.abs(to - from) * scale);
    body.push(
      text(
        labelW - 8,
        y + 14,
        clip(s.label, 28),
        `text-anchor="end"${s.kind === 'total' ? ' font-weight="bold"' : ''}`,
      ),
    );
    body.push(
      `<rect class="step" data-kind="${s.kind}" data-value="${s.delta}" x="${r2(x0)}" y="${y + 3}" width="${r2(w)}" height="${rowH - 6}" fill="${colour[s.kind]}"><title>${xml(`${s.label}: ${s.delta}`)}</title></rect>`,
    );
    const sign = s.kind === 'total' ? '= ' : s.delta >= 0 ? '+' : '';
    body.push(
      text(labelW + plotW + 6, y + 14, `${sign}${fmt(s.delta)}`, s.kind === 'total' ? 'font-weight="bold"' : ''),
    );
  });
  const height = top * 2 + steps.length * rowH;
  body.push(
    `<line x1="${r2(X(0))}" y1="${top}" x2="${r2(X(0))}" y2="${height - top}" stroke="${reportPalette.axis}" stroke-dasharray="3 2"/>`,
  );
  return frame(labelW + plotW + valueW, height, opts.title, opts.desc, body);
}
