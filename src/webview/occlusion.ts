// "Which words drove the decision" in the panel: the occlusion of the shown result as a heat strip over its words
// (or word pieces). Each cell is coloured by how much removing it lowers the predicted label's logit: blue (the
// theme's "toward" colour) when the word pushed toward the label, orange when it pushed against it; the
// strength is |Δ| relative to the largest |Δ| of the run. Hover (title) gives the exact values for every label.
import { describeFaithfulness } from '../core/attribution/faithfulness';
import type { OcclusionItem, OcclusionResult, OcclusionUnit } from '../core/attribution/occlusion';
import { assertNever, type OcclusionState } from '../shared/protocol';
import { exact, h, int, num, rovingList, signed } from './dom';
import { tintWord } from './charts';
import type { Faithfulness } from '../core/attribution/faithfulness';
import { maxAbsScale } from '../core/present/scale';

export interface OcclusionCallbacks {
  occlude(unit: OcclusionUnit): void;
  reveal(start: number, end: number): void;
}

/** The two "explain" buttons: by word, and by word piece. Disabled while a run is going. */
export function occlusionButtons(state: OcclusionState | undefined, cb: OcclusionCallbacks): HTMLElement[] {
  const running = state?.kind === 'running';
  const make = (unit: OcclusionUnit, label: string, title: string): HTMLElement => {
    const b = h(
      'button',
      {
        type: 'button',
        'data-testid': `occlude-${unit}`,
        'data-focus-key': `occlude-${unit}`,
        disabled: running,
        title,
      },
      label,
    );
    b.addEventListener('click', () => cb.occlude(unit));
    return b;
  };
  return [
    make(
      'word',
      running && state.unit === 'word' ? 'Explaining…' : 'Explain by occlusion',
      'Remove each word in turn and measure how the logits move (one forward pass per word)',
    ),
    make(
      'piece',
      running && state.unit === 'piece' ? 'Explaining pieces…' : 'by word piece',
      'Remove each word piece in turn instead of whole words',
    ),
  ];
}

/** The occlusion card, or null when none was asked for. */
export function occlusionSection(state: OcclusionState | undefined, cb: OcclusionCallbacks): HTMLElement | null {
  if (!state) return null;
  switch (state.kind) {
    case 'running': {
      const what = state.unit === 'word' ? 'word' : 'word piece';
      const progress = state.total > 0 ? ` ${int(state.done)} of ${int(state.total)} forward passes.` : '';
      return h(
        'p',
        { class: 'status running', 'data-testid': 'occlusion-status', role: 'status', 'aria-busy': 'true' },
        `Removing each ${what} in turn…${progress}`,
      );
    }
    case 'cancelled':
      return h('p', { class: 'muted', 'data-testid': 'occlusion-status', role: 'status' }, 'Occlusion cancelled.');
    case 'error':
      return h('pre', { class: 'error', 'data-testid': 'occlusion-error' }, state.message);
    case 'done':
      return occlusionCard(state.result, state.latencyMs, cb);
    default:
      return assertNever(state, 'occlusion state');
  }
}

/** How much an item supports the predicted label: minus the change of its logit when the item is removed. */
export function support(result: OcclusionResult, item: OcclusionItem): number {
  const k = Math.max(0, result.labels.indexOf(result.label));
  return -(item.deltaLogits[k] ?? 0);
}

/** The cell's tooltip: the exact changes for every label. */
function cellTitle(result: OcclusionResult, item: OcclusionItem, shown: string): string {
  const lines = [
    `${shown} · chars ${item.start}–${item.end} · ${item.tokenIndices.length} piece${item.tokenIndices.length === 1 ? '' : 's'} removed`,
  ];
  result.labels.forEach((label, i) => {
    const dl = item.deltaLogits[i] ?? 0;
    const dp = item.deltaProbabilities[i] ?? 0;
    lines.push(
      `${label}: Δ logit ${exact(dl)} (${exact(result.baselineLogits[i] ?? 0)} → ${exact(item.logits[i] ?? 0)}), Δ prob ${exact(dp)}`,
    );
  });
  return lines.join('\n');
}

function occlusionCard(result: OcclusionResult, latencyMs: number, cb: OcclusionCallbacks): HTMLElement {
  const values = result.items.map((it) => support(result, it));
  const scale = maxAbsScale(values);
  const piece = result.unit === 'piece';
  const strip = h('div', {
    class: 'heat-strip',
    role: 'list',
    'data-testid': 'heat-strip',
    'aria-label': `${result.items.length} ${piece ? 'word pieces' : 'words'}, coloured by their effect on ${result.label}`,
  });
  result.items.forEach((it, i) => {
    const v = values[i]!;
    // The piece as the tokenizer spells it ("##fe", "Ġgreat") in piece mode, the text's own word otherwise.
    const shown = piece ? (result.tokens[it.tokenIndices[0]!]?.text ?? it.text) : it.text;
    const prev = result.items[i - 1];
    const cell = h(
      'span',
      {
        class: `heat-cell ${v >= 0 ? 'toward' : 'against'}${prev && prev.end >= it.start ? ' joined' : ''}`,
        role: 'listitem',
        tabindex: i === 0 ? 0 : -1,
        title: cellTitle(result, it, shown),
        'data-testid': 'heat-cell',
        'data-index': i,
        'data-start': it.start,
        'data-end': it.end,
        'data-value': v,
      },
      shown,
    );
    tintWord(cell, v, scale);
    strip.appendChild(cell);
  });
  // One tab stop for the strip; arrows move, Enter/Space selects the word in the editor.
  rovingList(strip, '.heat-cell', (el) =>
    cb.reveal(Number(el.getAttribute('data-start')), Number(el.getAttribute('data-end'))),
  );

  const order = values.map((v, i) => i).sort((a, b) => values[b]! - values[a]!);
  const name = (i: number) => `“${result.items[i]!.text}” ${signed(values[i]!)}`;
  const toward = order.filter((i) => values[i]! > 0).slice(0, 3);
  const against = order
    .filter((i) => values[i]! < 0)
    .reverse()
    .slice(0, 3);
  const c = result.coverage;
  const passes = `${int(result.forwardPasses)} forward passes in ${int(Math.round(latencyMs))} ms`;
  return h(
    'section',
    { class: 'card occlusion', 'data-testid': 'occlusion', 'aria-labelledby': 'card-occlusion' },
    h(
      'header',
      {},
      h('h3', { id: 'card-occlusion' }, 'Which words drove the decision'),
      h('span', { class: 'shape' }, `occlusion · each ${piece ? 'word piece' : 'word'} removed`),
    ),
    h(
      'p',
      { class: 'fact' },
      `Colour: how much removing each ${piece ? 'piece' : 'word'} lowers the ${result.label} logit. `,
      h('span', { class: 'swatch pos' }),
      ' pushed toward ',
      result.label,
      ', ',
      h('span', { class: 'swatch neg' }),
      ' pushed against it; strongest |Δ| ',
      num(scale),
      '.',
    ),
    strip,
    h(
      'p',
      { class: 'fact', 'data-testid': 'occlusion-top' },
      toward.length
        ? `Most for ${result.label}: ${toward.map(name).join(', ')}. `
        : `No ${piece ? 'piece' : 'word'} pushed toward ${result.label}. `,
      against.length ? `Most against: ${against.map(name).join(', ')}.` : '',
    ),
    // Like every strip in the panel: how faithful the ranking is (ERASER comprehensiveness / sufficiency).
    faithfulnessFact(result.faithfulness, 'occlusion-faithfulness'),
    c.complete
      ? null
      : h(
          'p',
          { class: 'coverage warn', 'data-testid': 'occlusion-coverage' },
          `Covers the first window only: ${int(c.windowTokens)} tokens, chars 0–${int(c.coveredEnd)} of ${int(c.textLength)}; the ${int(c.textTokens - (c.windowTokens - 2))} pieces after that were not occluded.`,
        ),
    h(
      'p',
      { class: 'meta', 'data-testid': 'occlusion-cost' },
      `${passes} (${int(result.batches)} ONNX call${result.batches === 1 ? '' : 's'}${result.passGraph === 'cls-only' ? ' on a copy of the graph whose last block computes only the [CLS] row the logits read' : ''}; inference ${num(result.inferenceMs)} ms). `,
      `Each variant is the text with that ${piece ? 'piece' : 'word'} removed from the sequence (not masked); [CLS]/[SEP] always stay.`,
    ),
  );
}

/** A ranking's faithfulness line (ERASER comprehensiveness / sufficiency), shown under every attribution strip. */
export function faithfulnessFact(f: Faithfulness | undefined, testId: string): HTMLElement | null {
  return f
    ? h('p', { class: 'fact faithfulness', 'data-testid': testId }, `Faithfulness: ${describeFaithfulness(f)}.`)
    : null;
}
