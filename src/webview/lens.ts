// The head lens card: probability per label across layers (one chart, the settle point marked), the same numbers
// as a table, and the token lens strip (or the button that asks for it). Series colours are CSS classes on
// --vscode-charts-* variables (media/inspector.css), so every theme applies.
import { lensSummary } from '../core/head/lensStory';
import type { Inspection, LensEntry, WindowResult } from '../core/types';
import { exact, h, int, num, pct, s, scrollX, svgTitle } from './dom';
import { explainLens } from './explain';
import type { HeadTerms } from './heads';

/** Series classes defined in inspector.css; more labels reuse them in turn. */
export const SERIES = 6;

/** What the lens card asks of the host. */
export interface LensCallbacks {
  /** Re-runs the shown text with the token lens; absent where the host cannot (then no button). */
  tokenLens?(): void;
}

const layerName = (layer: number): string => (layer === 0 ? 'embeddings' : `block ${layer}`);

/** Chart values: probabilities, or the raw score for a regression head. */
function valueOf(ins: Inspection, e: LensEntry, li: number): number {
  return ins.model.problemType === 'regression' ? (e.logits[li] ?? 0) : (e.probabilities[li] ?? 0);
}

/** Probability (score) per label across layers as an SVG line chart, with the settle point marked. */
export function lensChart(ins: Inspection, lens: LensEntry[], settledAt: number): SVGElement {
  const W = 460;
  const H = 190;
  const m = { l: 40, r: 14, t: 14, b: 34 };
  const labels = ins.model.labels;
  const regression = ins.model.problemType === 'regression';
  const values = lens.flatMap((e) => labels.map((_, li) => valueOf(ins, e, li)));
  const lo = regression ? Math.min(0, ...values) : 0;
  const hi = regression ? Math.max(1e-9, ...values) : 1;
  const x = (k: number) => m.l + (lens.length === 1 ? 0 : (k / (lens.length - 1)) * (W - m.l - m.r));
  const y = (v: number) => m.t + (1 - (v - lo) / (hi - lo || 1)) * (H - m.t - m.b);
  const svg = s('svg', {
    class: 'lens-chart',
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'data-testid': 'lens-chart',
    'aria-label': `${regression ? 'Score' : 'Probability'} per label after each layer; the label settles at ${layerName(settledAt)}. The table below has the numbers.`,
  });
  for (const v of regression ? [lo, (lo + hi) / 2, hi] : [0, 0.5, 1]) {
    svg.appendChild(s('line', { class: 'lens-grid', x1: m.l, x2: W - m.r, y1: y(v), y2: y(v) }));
    svg.appendChild(
      s(
        'text',
        { class: 'lens-axis', x: m.l - 6, y: y(v) + 4, 'text-anchor': 'end' },
        regression ? num(v) : `${Math.round(v * 100)}%`,
      ),
    );
  }
  lens.forEach((e, k) =>
    svg.appendChild(
      s(
        'text',
        { class: 'lens-axis', x: x(k), y: H - m.b + 16, 'text-anchor': 'middle' },
        e.layer === 0 ? 'emb' : String(e.layer),
      ),
    ),
  );
  const sk = Math.max(
    0,
    lens.findIndex((e) => e.layer === settledAt),
  );
  svg.appendChild(
    s(
      'line',
      { class: 'lens-settle', 'data-testid': 'lens-settle', x1: x(sk), x2: x(sk), y1: m.t, y2: H - m.b },
      svgTitle(`settles at ${layerName(settledAt)}`),
    ),
  );
  svg.appendChild(
    s(
      'text',
      {
        class: 'lens-settle-text',
        x: x(sk) + (sk === lens.length - 1 ? -4 : 4),
        y: m.t + 10,
        'text-anchor': sk === lens.length - 1 ? 'end' : 'start',
      },
      `settles: ${layerName(settledAt)}`,
    ),
  );
  labels.forEach((label, li) => {
    const cls = `series-${li % SERIES}`;
    const points = lens.map((e, k) => `${x(k).toFixed(1)},${y(valueOf(ins, e, li)).toFixed(1)}`).join(' ');
    const g = s(
      'g',
      { class: `lens-series ${cls}`, 'data-label': label },
      s('polyline', { class: 'lens-line', points }),
    );
    lens.forEach((e, k) => {
      const v = valueOf(ins, e, li);
      g.appendChild(
        s(
          'circle',
          { class: 'lens-dot', cx: x(k), cy: y(v), r: 3.2 },
          svgTitle(
            `${label} after ${layerName(e.layer)}: ${regression ? exact(v) : pct(v)} (logit ${exact(e.logits[li] ?? 0)})`,
          ),
        ),
      );
    });
    svg.appendChild(g);
  });
  return svg;
}

function legend(labels: string[]): HTMLElement {
  return h(
    'ul',
    { class: 'lens-legend', 'aria-label': 'Series' },
    ...labels.map((l, li) =>
      h('li', {}, h('span', { class: `swatch series-${li % SERIES}`, 'aria-hidden': 'true' }), l),
    ),
  );
}

function lensTable(ins: Inspection, lens: LensEntry[], settledAt: number): HTMLElement {
  const labels = ins.model.labels;
  const regression = ins.model.problemType === 'regression';
  return scrollX(
    'Head lens table',
    h(
      'table',
      { class: 'lens-table', 'data-testid': 'lens-table' },
      h('caption', {}, `The head on ${ins.model.head?.kind === 'roberta' ? '<s>' : '[CLS]'} after each layer`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'layer'),
          ...labels.map((l) => h('th', { scope: 'col' }, regression ? l : `P(${l})`)),
          h('th', { scope: 'col' }, 'label'),
          h('th', { scope: 'col' }, 'active units'),
        ),
      ),
      h(
        'tbody',
        {},
        ...lens.map((e) =>
          h(
            'tr',
            { class: e.layer === settledAt ? 'settle' : undefined, 'data-layer': e.layer },
            h('th', { scope: 'row' }, layerName(e.layer) + (e.layer === settledAt ? ' (settles)' : '')),
            ...labels.map((_, li) =>
              h(
                'td',
                { title: `logit ${exact(e.logits[li] ?? 0)}` },
                regression ? num(e.logits[li] ?? 0) : pct(e.probabilities[li] ?? 0),
              ),
            ),
            h('td', {}, e.label),
            h('td', {}, `${int(e.activeUnits)} / ${int(ins.model.dim)}`),
          ),
        ),
      ),
    ),
  );
}

/** The token lens strip, or the button that asks for it. */
function tokenLensPart(ins: Inspection, w: WindowResult, cb: LensCallbacks): HTMLElement | null {
  const heading = h('h4', {}, 'Token lens: what the head would read if it looked here instead of [CLS]');
  const note = h(
    'p',
    { class: 'explain' },
    "An experiment on the head, not the model: the model only ever reads [CLS]. Each piece shows the label and probability the same head gives that piece's final hidden state.",
  );
  const tl = w.tokenLens;
  if (!tl) {
    if (!cb.tokenLens) return null;
    const b = h(
      'button',
      {
        type: 'button',
        'data-testid': 'token-lens-button',
        'data-focus-key': 'token-lens',
        title: 'Runs this text again and applies the head at every word piece',
      },
      'Show token lens',
    );
    b.addEventListener('click', () => cb.tokenLens?.());
    return h('div', { class: 'token-lens' }, heading, note, b);
  }
  const labels = ins.model.labels;
  const strip = h('ol', {
    class: 'token-lens-strip',
    'data-testid': 'token-lens',
    'aria-label': 'Token lens: label and probability per word piece',
  });
  w.tokens.forEach((t, i) => {
    const e = tl[i];
    if (!e) return;
    const li = Math.max(0, labels.indexOf(e.label));
    const p = e.probabilities[li] ?? 0;
    const fill = h('span', { class: `tl-fill series-${li % SERIES}` });
    fill.style.width = `${Math.round(p * 100)}%`;
    strip.appendChild(
      h(
        'li',
        {
          class: 'tl-item',
          title: `${t.text}: ${labels.map((l, j) => `${l} ${pct(e.probabilities[j] ?? 0)}`).join(', ')}`,
        },
        h('span', { class: 'tl-piece' }, t.text),
        h(
          'span',
          { class: 'tl-label' },
          `${e.label} ${ins.model.problemType === 'regression' ? num(e.logits[0] ?? 0) : pct(p)}`,
        ),
        h('span', { class: 'tl-meter', 'aria-hidden': 'true' }, fill),
      ),
    );
  });
  return h('div', { class: 'token-lens' }, heading, note, strip);
}

/** The whole lens card body; null when the window carries no lens (inspections saved before it existed). */
export function lensBody(ins: Inspection, w: WindowResult, t: HeadTerms, cb: LensCallbacks): HTMLElement | null {
  const lens = w.lens;
  if (!lens || lens.length === 0) return null;
  const settledAt = w.lensSettledAt ?? lens[lens.length - 1]!.layer;
  return h(
    'div',
    { class: 'lens' },
    explainLens(t),
    h(
      'p',
      { class: 'fact', 'data-testid': 'lens-summary' },
      lensSummary(lens, settledAt, ins.model.labels, ins.model.problemType),
    ),
    h('figure', { class: 'lens-figure' }, lensChart(ins, lens, settledAt), legend(ins.model.labels)),
    lensTable(ins, lens, settledAt),
    tokenLensPart(ins, w, cb),
  );
}
