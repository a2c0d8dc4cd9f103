// The method picker (occlusion / partition SHAP / attention rollout) and the picked method's heat strip. Every
// strip says its method, its cost and its faithfulness ("masking the top 20% words drops POSITIVE by 0.41").
import {
  METHOD_NAMES,
  describeCost,
  type AttributionMethod,
  type AttributionResult,
} from '../core/attribution/explain';
import { assertNever, type ExplanationState } from '../shared/protocol';
import { exact, h, int, rovingList } from './dom';
import { tintWord } from './charts';
import { faithfulnessFact } from './occlusion';
import { maxAbsScale } from '../core/present/scale';

export interface AttributionCallbacks {
  explain(method: AttributionMethod): void;
  reveal(start: number, end: number): void;
}

const PICKS: [AttributionMethod, string, string][] = [
  ['occlusion', 'Occlusion', 'Delete each word in turn (one forward pass per word)'],
  ['shap', 'SHAP', 'Partition SHAP: Owen values over words -> phrases -> sentences, at most 500 forward passes'],
  ['rollout', 'Rollout', 'Attention rollout: the attention flow from each word to [CLS] (one forward pass)'],
];

/** "Explain by: Occlusion | SHAP | Rollout"; the shown method is pressed, all disabled while one runs. */
export function methodPicker(
  state: ExplanationState | undefined,
  occlusionShown: boolean,
  cb: AttributionCallbacks,
): HTMLElement {
  const running = state?.kind === 'running';
  const shown = state?.kind === 'done' ? state.result.method : occlusionShown ? 'occlusion' : undefined;
  return h(
    'div',
    { class: 'method-picker', role: 'group', 'aria-label': 'Explain the result by', 'data-testid': 'method-picker' },
    h('span', { class: 'muted' }, 'Explain by'),
    ...PICKS.map(([method, label, title]) => {
      const b = h(
        'button',
        {
          type: 'button',
          'data-testid': `method-${method}`,
          'data-focus-key': `method-${method}`,
          'aria-pressed': shown === method ? 'true' : 'false',
          disabled: running,
          title,
        },
        label,
      );
      b.addEventListener('click', () => cb.explain(method));
      return b;
    }),
  );
}

/** The picked method's card (SHAP, rollout); null when none was picked. */
export function explanationSection(state: ExplanationState | undefined, cb: AttributionCallbacks): HTMLElement | null {
  if (!state) return null;
  switch (state.kind) {
    case 'running': {
      const progress = state.total > 0 ? ` ${int(state.done)} of about ${int(state.total)} forward passes.` : '';
      return h(
        'p',
        { class: 'status running', 'data-testid': 'explanation-status', role: 'status', 'aria-busy': 'true' },
        `Explaining by ${METHOD_NAMES[state.method]}…${progress}`,
      );
    }
    case 'cancelled':
      return h('p', { class: 'muted', 'data-testid': 'explanation-status', role: 'status' }, 'Explanation cancelled.');
    case 'error':
      return h('pre', { class: 'error', 'data-testid': 'explanation-error' }, state.message);
    case 'done':
      return explanationCard(state.result, cb);
    default:
      return assertNever(state, 'explanation state');
  }
}

function explanationCard(r: AttributionResult, cb: AttributionCallbacks): HTMLElement {
  const scale = maxAbsScale(r.items.map((it) => it.score));
  const strip = h('div', {
    class: 'heat-strip',
    role: 'list',
    'data-testid': 'explanation-strip',
    'aria-label': `${r.items.length} words, coloured by ${METHOD_NAMES[r.method]} for ${r.label}`,
  });
  r.items.forEach((it, i) => {
    const prev = r.items[i - 1];
    const cell = h(
      'span',
      {
        class: `heat-cell ${it.score >= 0 ? 'toward' : 'against'}${prev && prev.end >= it.start ? ' joined' : ''}`,
        role: 'listitem',
        tabindex: i === 0 ? 0 : -1,
        title: `${it.text} · ${METHOD_NAMES[r.method]} ${exact(it.score)} · chars ${it.start}–${it.end}`,
        'data-testid': 'explanation-cell',
        'data-start': it.start,
        'data-end': it.end,
        'data-value': it.score,
      },
      it.text,
    );
    tintWord(cell, it.score, scale);
    strip.appendChild(cell);
  });
  rovingList(strip, '.heat-cell', (el) =>
    cb.reveal(Number(el.getAttribute('data-start')), Number(el.getAttribute('data-end'))),
  );
  const c = r.coverage;
  const shap = r.shap
    ? ` ${r.shap.exact ? (r.shap.hierarchy === 'flat' ? 'Exact Shapley values.' : 'Exact Owen values.') : `Budget of ${int(r.shap.budget)} passes reached: some phrases share their value evenly.`}`
    : '';
  return h(
    'section',
    { class: 'card explanation', 'data-testid': 'explanation', 'aria-labelledby': 'card-explanation' },
    h(
      'header',
      {},
      h('h3', { id: 'card-explanation' }, `Which words drove the decision: ${METHOD_NAMES[r.method]}`),
      h('span', { class: 'shape', 'data-testid': 'explanation-cost' }, describeCost(r)),
    ),
    h('p', { class: 'fact' }, `Score: ${r.scoreMeaning}.${shap}`),
    strip,
    faithfulnessFact(r.faithfulness, 'explanation-faithfulness'),
    c.complete
      ? null
      : h(
          'p',
          { class: 'coverage warn' },
          `Covers the first window only: chars 0–${int(c.coveredEnd)} of ${int(c.textLength)}.`,
        ),
  );
}
