// "Compare Two Texts": A and B side by side (every difference is B − A). The texts, their labels, the logits
// with their difference, one row per stage (cosine, norms, ‖B − A‖, a heat strip of the Δ vector, the units
// that moved most), and per label the units whose contribution to the logit moved most.
// Not the fp32 / int8 card (variantCompare.ts): that compares two graphs on one text; this compares two texts on one graph.
import {
  stageTitle,
  type ComparedSide,
  type StageDiff,
  type TextComparison,
  type UnitDelta,
} from '../core/compare/textCompare';
import type { ComparedText } from '../shared/protocol';
import { barList, cellPaint, robustScale } from './charts';
import { exact, h, int, num, pct, pctPoints, s, scrollX, signed } from './dom';
import { headTerms, type HeadTerms } from './heads';
import type { Palette } from './theme';
import { exportMarkdownButton } from './exportButtons';

export interface ComparisonCallbacks {
  /** Reveal side A (0) or B (1) in the editor. */
  revealCompared?(side: 0 | 1): void;
  /** Export this comparison as a Markdown report (no button without it). */
  exportMarkdown?(): void;
}

const SIDES = ['A', 'B'] as const;

/** One copy of the stage names, shared with the Markdown report. */
export const stageName = stageTitle;

function probText(c: TextComparison, side: ComparedSide): string {
  return c.problemType === 'regression'
    ? `score ${num(side.logits[0] ?? 0)}`
    : pct(side.probabilities[side.label] ?? 0);
}

function meanNote(side: ComparedSide): string {
  return side.mean
    ? `${side.windows} windows: its vectors and contributions are token-weighted means over them`
    : 'one window';
}

function textColumn(c: TextComparison, i: 0 | 1, text: ComparedText, cb: ComparisonCallbacks): HTMLElement {
  const side = i === 0 ? c.a : c.b;
  const cut = text.excerpt.length < text.length;
  const reveal =
    text.uri !== undefined && cb.revealCompared
      ? h(
          'button',
          {
            type: 'button',
            class: 'link-button',
            'data-testid': `reveal-${SIDES[i]}`,
            'data-focus-key': `reveal-${i}`,
            title: `Select ${text.what} in the editor`,
          },
          'Show in editor',
        )
      : null;
  reveal?.addEventListener('click', () => cb.revealCompared?.(i));
  return h(
    'section',
    { class: 'compared-text', 'data-testid': `text-${SIDES[i]}`, 'aria-label': `Text ${SIDES[i]}: ${text.what}` },
    h(
      'header',
      {},
      h('span', { class: 'side-badge', 'aria-hidden': 'true' }, SIDES[i]),
      h('span', { class: 'compared-what' }, text.what),
      reveal,
    ),
    h(
      'p',
      { class: 'verdict' },
      h('span', { class: 'side-label', 'data-testid': `label-${SIDES[i]}` }, side.label),
      h('span', { class: 'result-probability' }, probText(c, side)),
    ),
    h(
      'p',
      { class: 'meta' },
      `${int(text.length)} characters, ${int(side.tokens)} tokens, ${meanNote(side)}.${side.complete ? '' : ' Truncated: only the start was read.'}`,
    ),
    h(
      'pre',
      { class: 'excerpt', 'data-testid': `excerpt-${SIDES[i]}`, tabindex: 0, 'aria-label': `Text ${SIDES[i]}` },
      text.excerpt + (cut ? '…' : ''),
    ),
  );
}

function logitBlock(c: TextComparison): HTMLElement {
  const labels = c.model.labels;
  const probs = c.problemType !== 'regression';
  const max = Math.max(1e-12, ...c.a.logits.map(Math.abs), ...c.b.logits.map(Math.abs), ...c.logitDelta.map(Math.abs));
  const rows = labels.map((label, i) => {
    const a = c.a.logits[i] ?? 0;
    const b = c.b.logits[i] ?? 0;
    const d = c.logitDelta[i] ?? 0;
    const pa = c.a.probabilities[label] ?? 0;
    const pb = c.b.probabilities[label] ?? 0;
    const dp = c.probabilityDelta[label] ?? 0;
    return h(
      'div',
      { class: 'logit-compare', 'data-label': label, 'data-testid': 'logit-compare' },
      h(
        'h4',
        {},
        label,
        probs
          ? h(
              'span',
              { class: 'muted', title: `A ${exact(pa)} → B ${exact(pb)} (Δ ${exact(dp)})` },
              ` probability ${pct(pa)} → ${pct(pb)} (${pctPoints(dp)})`,
            )
          : null,
      ),
      barList(
        [
          { label: 'A', value: a, title: `A: logit ${label} = ${exact(a)}` },
          { label: 'B', value: b, title: `B: logit ${label} = ${exact(b)}` },
          { label: 'Δ (B − A)', value: d, text: signed(d), title: `Δ logit ${label} = ${exact(d)}`, emphasis: true },
        ],
        { signed: true, max, caption: `logit ${label}: A, B and their difference`, testid: 'logit-bars' },
      ),
    );
  });
  return h('div', { class: 'logit-grid' }, ...rows);
}

/** A one-row heat strip of a Δ vector; hover or arrow keys read one unit's exact A, B and Δ. */
function deltaStrip(d: StageDiff, name: string, palette: Palette): HTMLElement {
  const n = d.delta.length;
  const scale = robustScale(d.delta);
  const svg = s('svg', {
    viewBox: `0 0 ${n} 1`,
    preserveAspectRatio: 'none',
    class: 'delta-strip-svg',
    'aria-hidden': 'true',
  });
  d.delta.forEach((v, u) => {
    const paint = cellPaint(v, scale, palette);
    svg.appendChild(
      s('rect', {
        x: u,
        y: 0,
        width: 1,
        height: 1,
        fill: paint.fill,
        'fill-opacity': paint.opacity,
        'data-unit': u,
        'data-value': v,
      }),
    );
  });
  const cursor = s('rect', { x: 0, y: 0, width: 1, height: 1, class: 'strip-cursor', fill: 'none' });
  svg.appendChild(cursor);
  const readout = h('output', { class: 'strip-readout', 'aria-live': 'polite' });
  // The comparison carries Δ for every unit and A, B only for the top units (full A and B vectors would triple its size).
  const top = new Map(d.top.map((x) => [x.unit, x]));
  const describe = (u: number): string => {
    const x = top.get(u);
    return `unit ${u}: Δ ${exact(d.delta[u] ?? 0)}${x ? ` (A ${exact(x.a)} → B ${exact(x.b)})` : ''}`;
  };
  let at = 0;
  const show = (u: number): void => {
    at = Math.max(0, Math.min(n - 1, u));
    readout.textContent = describe(at);
    cursor.setAttribute('x', String(at));
    box.title = describe(at);
  };
  const box = h(
    'div',
    {
      class: 'delta-strip',
      tabindex: 0,
      role: 'group',
      'data-testid': 'delta-strip',
      'aria-label': `Δ of ${name}: ${n} units; arrow keys move through them`,
      title: `Δ = B − A per unit; colour scale ±${num(scale)}`,
    },
    svg,
  );
  box.addEventListener('mousemove', (e) => {
    const rect = box.getBoundingClientRect();
    if (rect.width > 0) show(Math.floor(((e.clientX - rect.left) / rect.width) * n));
  });
  box.addEventListener('focus', () => show(at));
  box.addEventListener('keydown', (e) => {
    const step =
      e.key === 'ArrowRight'
        ? 1
        : e.key === 'ArrowLeft'
          ? -1
          : e.key === 'PageDown'
            ? 16
            : e.key === 'PageUp'
              ? -16
              : 0;
    if (step) show(at + step);
    else if (e.key === 'Home') show(0);
    else if (e.key === 'End') show(n - 1);
    else return;
    e.preventDefault();
  });
  return h('div', { class: 'delta-strip-block' }, box, readout);
}

function unitChips(top: UnitDelta[], what: string, count: number): HTMLElement {
  return h(
    'ul',
    { class: 'unit-chips', 'aria-label': `units whose ${what} changed most` },
    ...top.slice(0, count).map((t) =>
      h(
        'li',
        {
          class: `unit-chip ${t.delta >= 0 ? 'pos' : 'neg'}`,
          title: `unit ${t.unit}: A ${exact(t.a)} → B ${exact(t.b)} (Δ ${exact(t.delta)})`,
        },
        `u${t.unit} ${signed(t.delta)}`,
      ),
    ),
  );
}

function stageTable(c: TextComparison, t: HeadTerms, palette: Palette): HTMLElement {
  const head = ['stage', 'cosine', '‖A‖', '‖B‖', '‖B − A‖'];
  // One <tbody> per stage: the figures on one line, the Δ strip and the top units full width below them, so the
  // table fits a panel beside the editor.
  const groups = c.stages.map((d) => {
    const name = stageName(d.stage, t);
    return h(
      'tbody',
      { 'data-testid': 'stage-row', 'data-stage': d.stage.kind === 'layer' ? `layer${d.stage.layer}` : d.stage.kind },
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, name),
        h(
          'td',
          {
            class: 'num',
            'data-testid': 'cosine',
            title: d.cosine === null ? 'undefined: a vector is all zeros' : `cos(A, B) = ${exact(d.cosine)}`,
          },
          d.cosine === null ? '—' : d.cosine.toFixed(4),
        ),
        h('td', { class: 'num', title: `‖A‖₂ = ${exact(d.normA)}` }, num(d.normA)),
        h('td', { class: 'num', title: `‖B‖₂ = ${exact(d.normB)}` }, num(d.normB)),
        h('td', { class: 'num', 'data-testid': 'distance', title: `‖B − A‖₂ = ${exact(d.distance)}` }, num(d.distance)),
      ),
      h(
        'tr',
        { class: 'stage-detail' },
        h(
          'td',
          { colspan: head.length },
          h('div', { class: 'stage-detail-grid' }, deltaStrip(d, name, palette), unitChips(d.top, name, 4)),
        ),
      ),
    );
  });
  return scrollX(
    'How far apart each stage is',
    h(
      'table',
      { class: 'head-table stage-compare', 'data-testid': 'stage-table' },
      h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))),
      ...groups,
    ),
  );
}

function contributionBlock(c: TextComparison, t: HeadTerms): HTMLElement {
  return h(
    'div',
    { class: 'pair contribution-moves' },
    ...c.contributions.map((cd) => {
      // Scaled to the listed units: the rest is often many small moves adding up to more than any one of them,
      // and as a bar it would flatten the units this card is about; it is stated as a number instead.
      const max = Math.max(1e-12, ...cd.top.map((x) => Math.abs(x.delta)));
      const others = c.model.dim - cd.top.length;
      return h(
        'div',
        { 'data-testid': 'contribution-moves', 'data-label': cd.label },
        h('h4', {}, `Logit ${cd.label}: Δ ${signed(cd.logitDelta)}`),
        barList(
          cd.top.map((x) => ({
            label: `unit ${x.unit}`,
            value: x.delta,
            text: signed(x.delta),
            title: `unit ${x.unit}: ${t.classifier} weight × ${t.act} contributed ${exact(x.a)} in A, ${exact(x.b)} in B (Δ ${exact(x.delta)})`,
          })),
          {
            signed: true,
            max,
            caption: `units whose contribution to logit ${cd.label} moved most`,
            testid: 'contribution-bars',
          },
        ),
        h(
          'p',
          {
            class: 'meta',
            'data-testid': 'contribution-rest',
            'data-value': cd.rest,
            title: `the other ${others} units together: Δ ${exact(cd.rest)}`,
          },
          `The other ${others} units together: Δ ${signed(cd.rest)}.`,
        ),
      );
    }),
  );
}

/** The comparison's Export Markdown, in its own actions row. */
function exportRow(cb: ComparisonCallbacks): HTMLElement | null {
  const b = exportMarkdownButton('comparison', cb.exportMarkdown?.bind(cb));
  return b && h('div', { class: 'actions' }, b);
}

export function comparisonView(
  c: TextComparison,
  texts: [ComparedText, ComparedText],
  palette: Palette,
  cb: ComparisonCallbacks,
): HTMLElement {
  const t = headTerms(c.model);
  const anyMean = c.a.mean || c.b.mean;
  const verdict = c.labelChanged
    ? `The label changes: A is ${c.a.label}, B is ${c.b.label}.`
    : `Both are ${c.a.label}.`;
  const maxDelta = Math.max(...c.logitDelta.map(Math.abs));
  return h(
    'div',
    { class: 'result text-comparison', 'data-testid': 'text-comparison' },
    h(
      'header',
      { class: 'summary compare-summary' },
      h('h2', {}, 'Compare two texts'),
      h(
        'p',
        { class: 'fact', 'data-testid': 'comparison-verdict' },
        `${verdict} Largest logit change ${num(maxDelta)}. Every Δ is B − A.`,
      ),
      h('p', { class: 'meta' }, `model ${c.model.name} · ${t.family} head`),
      exportRow(cb),
      anyMean
        ? h(
            'p',
            { class: 'coverage warn', 'data-testid': 'mean-note' },
            'A side read in several windows is summarised by the token-weighted mean of its windows (the same weights as its aggregate logits, so its mean contributions add up to them); the mean activation vector is not the activation of the mean.',
          )
        : null,
    ),
    h('div', { class: 'pair compared-texts' }, textColumn(c, 0, texts[0], cb), textColumn(c, 1, texts[1], cb)),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'card-cmp-logits' },
      h(
        'header',
        {},
        h('h3', { id: 'card-cmp-logits' }, 'Logits and probabilities'),
        h('span', { class: 'shape' }, `${c.model.labels.length} labels`),
      ),
      logitBlock(c),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'card-cmp-stages' },
      h(
        'header',
        {},
        h('h3', { id: 'card-cmp-stages' }, 'How far apart each stage is'),
        h('span', { class: 'shape' }, `${c.stages.length} stages × ${c.model.dim}`),
      ),
      h(
        'p',
        { class: 'explain' },
        `Cosine 1 means the two vectors point the same way; ‖B − A‖ is how far apart they are. The strip colours each unit's change (blue up, orange down); hover it or focus it and use the arrow keys for exact values.`,
      ),
      stageTable(c, t, palette),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'card-cmp-contrib' },
      h(
        'header',
        {},
        h('h3', { id: 'card-cmp-contrib' }, `${t.act} units whose contribution moved most`),
        h('span', { class: 'shape' }, `top ${c.topUnits} per label`),
      ),
      h(
        'p',
        { class: 'explain' },
        `Each unit adds ${t.classifier} weight × ${t.act} value to a logit. These are the units whose share changed most from A to B; together with all the others they make up the logit's change exactly (the bias cancels).`,
      ),
      contributionBlock(c, t),
    ),
  );
}
