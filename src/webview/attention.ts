// The attention view: the [CLS] row of every layer x head as a grid of small strips (plus each layer's mean of
// heads and the rollout), and a head view (query x key matrix) for the layer/head picked in the grid. Canvas,
// one pixel per token and per cell: a 512-token window is 512 x 512 pixels, drawn with one putImageData.
import { assertNever, type AttentionState, type AttentionView } from '../shared/protocol';
import { h, int, num } from './dom';
import type { Palette } from './theme';

export interface AttentionCallbacks {
  /** Open the view (no arguments) or pick the head view's layer and head (-1: the mean of the layer's heads). */
  attention(layer?: number, head?: number): void;
}

export function attentionButton(state: AttentionState | undefined, cb: AttentionCallbacks): HTMLElement {
  const b = h(
    'button',
    {
      type: 'button',
      'data-testid': 'attention-open',
      'data-focus-key': 'attention-open',
      disabled: state?.kind === 'running',
      title: 'Attention probabilities of every layer and head (first window)',
    },
    state?.kind === 'running' ? 'Reading attention…' : 'Attention',
  );
  b.addEventListener('click', () => cb.attention());
  return b;
}

export function attentionSection(
  state: AttentionState | undefined,
  palette: Palette,
  cb: AttentionCallbacks,
): HTMLElement | null {
  if (!state) return null;
  switch (state.kind) {
    case 'running':
      return h(
        'p',
        { class: 'status running', role: 'status', 'aria-busy': 'true', 'data-testid': 'attention-status' },
        'Reading the attention of every layer and head…',
      );
    case 'error':
      return h('pre', { class: 'error', 'data-testid': 'attention-error' }, state.message);
    case 'done':
      return attentionCard(state.view, state.latencyMs, palette, cb);
    default:
      return assertNever(state, 'attention state');
  }
}

/** "#3794ff" or "rgb(55, 148, 255)" -> [r, g, b]; anything else falls back to the default blue. */
export function rgb(color: string): [number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(color.trim());
  if (hex) return [0, 2, 4].map((i) => parseInt(hex[1]!.slice(i, i + 2), 16)) as [number, number, number];
  const m = /^rgba?\((\d+)[ ,]+(\d+)[ ,]+(\d+)/i.exec(color.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [55, 148, 255];
}

/** Paints `values` (rows x cols, row-major) as the theme colour at alpha value / max. */
export function paint(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  color: [number, number, number],
): void {
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext?.('2d');
  if (!ctx) return; // no canvas (DOM-only test environment): the structure and labels are still there
  let max = 1e-12;
  for (let i = 0; i < rows * cols; i++) max = Math.max(max, values[i]!);
  const img = ctx.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    img.data[4 * i] = color[0];
    img.data[4 * i + 1] = color[1];
    img.data[4 * i + 2] = color[2];
    img.data[4 * i + 3] = Math.round((values[i]! / max) * 255);
  }
  ctx.putImageData(img, 0, 0);
}

const headName = (head: number) => (head === -1 ? 'mean of heads' : `head ${head + 1}`);

function strip(
  values: ArrayLike<number>,
  seq: number,
  color: [number, number, number],
  label: string,
  attrs: Record<string, string | number>,
): HTMLCanvasElement {
  const c = h('canvas', {
    class: 'attention-strip',
    role: 'img',
    'aria-label': label,
    title: label,
    ...attrs,
  }) as HTMLCanvasElement;
  paint(c, values, 1, seq, color);
  return c;
}

function attentionCard(v: AttentionView, latencyMs: number, palette: Palette, cb: AttentionCallbacks): HTMLElement {
  const color = rgb(palette.positive);
  const { layers, heads, seq } = v;
  const row = (l: number, hd: number) => v.cls.slice((l * heads + hd) * seq, (l * heads + hd + 1) * seq);
  const mean = (l: number) => {
    const out = new Float64Array(seq);
    for (let hd = 0; hd < heads; hd++)
      for (let k = 0; k < seq; k++) out[k]! += v.cls[(l * heads + hd) * seq + k]! / heads;
    return out;
  };
  const grid = h('div', {
    class: 'attention-grid',
    'data-testid': 'attention-grid',
    role: 'grid',
    'aria-label': `[CLS] attention, ${layers} layers x ${heads} heads`,
  });
  grid.style.gridTemplateColumns = `auto repeat(${heads + 1}, minmax(24px, 1fr))`;
  grid.appendChild(h('span', {}));
  for (let hd = -1; hd < heads; hd++)
    grid.appendChild(h('span', { class: 'muted attention-col' }, hd === -1 ? 'mean' : `h${hd + 1}`));
  for (let l = 0; l < layers; l++) {
    grid.appendChild(h('span', { class: 'muted attention-row' }, `layer ${l + 1}`));
    for (let hd = -1; hd < heads; hd++) {
      const values = hd === -1 ? mean(l) : row(l, hd);
      const picked = v.matrix.layer === l && v.matrix.head === hd;
      const c = strip(
        values,
        seq,
        color,
        `layer ${l + 1}, ${headName(hd)}: [CLS] attends most to “${v.tokens[argmax(values)] ?? ''}”`,
        {
          'data-testid': 'attention-strip',
          'data-layer': l,
          'data-head': hd,
          tabindex: 0,
          class: `attention-strip${picked ? ' picked' : ''}`,
        },
      );
      const pick = () => cb.attention(l, hd);
      c.addEventListener('click', pick);
      c.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') pick();
      });
      grid.appendChild(c);
    }
  }
  grid.appendChild(h('span', { class: 'muted attention-row' }, 'rollout'));
  const roll = strip(
    v.rollout,
    seq,
    color,
    'attention rollout: how much of each token reaches [CLS] through all layers',
    { 'data-testid': 'attention-rollout' },
  );
  roll.style.gridColumn = `2 / span ${heads + 1}`;
  grid.appendChild(roll);

  const matrix = h('canvas', {
    class: 'attention-matrix',
    'data-testid': 'attention-matrix',
    role: 'img',
    'aria-label': `layer ${v.matrix.layer + 1}, ${headName(v.matrix.head)}: ${seq} x ${seq} attention matrix (rows: query tokens, columns: key tokens)`,
  }) as HTMLCanvasElement;
  paint(matrix, v.matrix.values, seq, seq, color);
  const readout = h(
    'p',
    { class: 'meta', 'data-testid': 'attention-readout', 'aria-live': 'polite' },
    'Hover the matrix: query token → key token, probability.',
  );
  matrix.addEventListener('mousemove', (e) => {
    const r = matrix.getBoundingClientRect();
    const q = Math.min(seq - 1, Math.floor(((e.clientY - r.top) / r.height) * seq));
    const k = Math.min(seq - 1, Math.floor(((e.clientX - r.left) / r.width) * seq));
    readout.textContent = `“${v.tokens[q]}” (#${q}) → “${v.tokens[k]}” (#${k}): ${num(v.matrix.values[q * seq + k] ?? 0)}`;
  });
  const tokens =
    seq <= 64 ? h('p', { class: 'meta attention-tokens' }, v.tokens.map((t, i) => `${i}:${t}`).join('  ')) : null;
  return h(
    'section',
    { class: 'card attention', 'data-testid': 'attention', 'aria-labelledby': 'card-attention' },
    h(
      'header',
      {},
      h('h3', { id: 'card-attention' }, 'Attention'),
      h(
        'span',
        { class: 'shape' },
        `${layers} layers x ${heads} heads, ${int(seq)} tokens · 1 forward pass, ${int(Math.round(v.inferenceMs))} ms`,
      ),
    ),
    h(
      'p',
      { class: 'fact' },
      'Each strip is the [CLS] row of one head: how much [CLS] attends to each token (darker = more; scaled per strip). Pick a strip for its full matrix below.',
    ),
    grid,
    h(
      'h4',
      { 'data-testid': 'attention-matrix-title' },
      `Head view: layer ${v.matrix.layer + 1}, ${headName(v.matrix.head)} (rows: query, columns: key)`,
    ),
    matrix,
    readout,
    tokens,
    v.coveredEnd < v.textLength
      ? h('p', { class: 'coverage warn' }, `First window only: chars 0–${int(v.coveredEnd)} of ${int(v.textLength)}.`)
      : null,
    h(
      'p',
      { class: 'meta' },
      `Shown ${int(Math.round(latencyMs))} ms after the request. Attention weights are not explanations on their own; see the rollout and the attribution methods above.`,
    ),
  );
}

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}
