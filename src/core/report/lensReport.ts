// The head lens in the Markdown report: the probability per label across layers as an SVG line chart with the
// settle point, the numbers as a table, the sourced paragraph on why the dense layer exists and what the lens
// shows for this input (the same wording as the panel: ../head/lensStory via terms.ts).
import type { Inspection, LensEntry } from '../types';
import { mdText, xml } from './escape';
import { mdTable, type Section } from './markdown';
import { fmt, frame, reportPalette, text } from './svg';
import type { ReportTerms } from './terms';
import { stageText } from '../present/stageText';
import { lensSummary } from '../head/lensStory';
import { mdExplanation } from './richText';
import { pct } from '../present/format';

/** Fixed series colours (the report cannot read a theme); the first two match the other charts. */
const SERIES = [reportPalette.positive, reportPalette.negative, '#1a7f37', '#8250df', '#cf222e', '#9a6700'];

const layerName = (layer: number): string => (layer === 0 ? 'embeddings' : `block ${layer}`);

/** Probability (or score) per label after each layer, with a dashed line where the label settles. */
export function lensChart(ins: Inspection, lens: LensEntry[], settledAt: number, title: string): string {
  const labels = ins.model.labels;
  const regression = ins.model.problemType === 'regression';
  const val = (e: LensEntry, li: number) => (regression ? (e.logits[li] ?? 0) : (e.probabilities[li] ?? 0));
  const values = lens.flatMap((e) => labels.map((_, li) => val(e, li)));
  const lo = regression ? Math.min(0, ...values) : 0;
  const hi = regression ? Math.max(1e-9, ...values) : 1;
  const m = { l: 48, r: 16, t: 12, b: 36 };
  const plotW = Math.max(240, 70 * (lens.length - 1));
  const plotH = 160;
  const legendH = 20 * Math.ceil(labels.length / 4);
  const x = (k: number) => m.l + (lens.length === 1 ? 0 : (k / (lens.length - 1)) * plotW);
  const y = (v: number) => m.t + (1 - (v - lo) / (hi - lo || 1)) * plotH;
  const body: string[] = [];
  for (const v of regression ? [lo, (lo + hi) / 2, hi] : [0, 0.5, 1]) {
    body.push(
      `<line x1="${m.l}" x2="${m.l + plotW}" y1="${y(v).toFixed(2)}" y2="${y(v).toFixed(2)}" stroke="${reportPalette.frame}"/>`,
    );
    body.push(text(m.l - 6, y(v) + 4, regression ? fmt(v) : `${Math.round(v * 100)}%`, 'text-anchor="end"'));
  }
  lens.forEach((e, k) =>
    body.push(text(x(k), m.t + plotH + 18, e.layer === 0 ? 'emb' : String(e.layer), 'text-anchor="middle"')),
  );
  const sk = Math.max(
    0,
    lens.findIndex((e) => e.layer === settledAt),
  );
  body.push(
    `<line class="settle" x1="${x(sk).toFixed(2)}" x2="${x(sk).toFixed(2)}" y1="${m.t}" y2="${m.t + plotH}" stroke="${reportPalette.text}" stroke-dasharray="4 3"><title>${xml(`settles at ${layerName(settledAt)}`)}</title></line>`,
  );
  const end = sk === lens.length - 1;
  body.push(
    text(
      x(sk) + (end ? -4 : 4),
      m.t + 12,
      `settles: ${layerName(settledAt)}`,
      `text-anchor="${end ? 'end' : 'start'}"`,
    ),
  );
  labels.forEach((label, li) => {
    const colour = SERIES[li % SERIES.length]!;
    const points = lens.map((e, k) => `${x(k).toFixed(2)},${y(val(e, li)).toFixed(2)}`).join(' ');
    body.push(
      `<g class="series" data-label="${xml(label)}"><polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2"/>`,
    );
    lens.forEach((e, k) =>
      body.push(
        `<circle cx="${x(k).toFixed(2)}" cy="${y(val(e, li)).toFixed(2)}" r="3" fill="${colour}"><title>${xml(`${label} after ${layerName(e.layer)}: ${fmt(val(e, li))}`)}</title></circle>`,
      ),
    );
    body.push('</g>');
    const lx = m.l + (li % 4) * 130;
    const ly = m.t + plotH + 30 + Math.floor(li / 4) * 20;
    body.push(
      `<rect x="${lx}" y="${ly}" width="14" height="4" fill="${colour}"/>`,
      text(lx + 20, ly + 6, label.length > 14 ? `${label.slice(0, 13)}…` : label),
    );
  });
  const desc = `${regression ? 'Score' : 'Probability'} per label after the embeddings and each block: ${labels
    .map((l, li) => `${l} ${lens.map((e) => fmt(val(e, li))).join(', ')}`)
    .join('; ')}. The label settles at ${layerName(settledAt)}.`;
  return frame(m.l + plotW + m.r + 40, m.t + plotH + 30 + legendH, title, desc, body);
}

/** The lens section of window `index`; nothing for inspections made before the lens existed. */
export function lensSection(ins: Inspection, index: number, t: ReportTerms): Section {
  return (ctx) => {
    const w = ins.windows[index];
    const lens = w?.lens;
    if (!w || !lens || lens.length === 0) return undefined;
    const many = ins.windows.length > 1;
    const where = many ? ` (window ${index + 1})` : '';
    const settledAt = w.lensSettledAt ?? lens[lens.length - 1]!.layer;
    const labels = ins.model.labels;
    const regression = ins.model.problemType === 'regression';
    const title = `Head lens${where}: ${regression ? 'score' : 'probability'} per label after each layer`;
    const rows = lens.map((e) => [
      layerName(e.layer) + (e.layer === settledAt ? ' (settles)' : ''),
      ...labels.map((_, li) => (regression ? fmt(e.logits[li] ?? 0) : pct(e.probabilities[li] ?? 0, 2))),
      mdText(e.label),
      `${e.activeUnits} / ${ins.model.dim}`,
    ]);
    return [
      `### 7. Head lens${where}: the ${mdText(t.family)} head after every block`,
      mdExplanation(stageText.whyDense(t)),
      mdText(lensSummary(lens, settledAt, labels, ins.model.problemType)),
      ctx.image(`w${index + 1}-lens.svg`, lensChart(ins, lens, settledAt, title), title),
      mdTable(['layer', ...labels.map((l) => mdText(regression ? l : `P(${l})`)), 'label', 'active units'], rows, [
        false,
        ...labels.map(() => true),
        false,
        true,
      ]),
    ].join('\n\n');
  };
}
