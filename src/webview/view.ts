// The whole page as a pure function of the persisted state: summary at the top, the window list, status, and
// the selected window's stages. main.ts re-renders on every state change (results are small enough).
import type { Inspection } from '../core/types';
import {
  assertNever,
  type AttentionState,
  type CompareState,
  type ExplanationState,
  type ModelNote,
  type OcclusionState,
  type PanelSource,
  type PersistedState,
} from '../shared/protocol';
import { compareButton, compareSection } from './variantCompare';
import { h, int, num, pct } from './dom';
import { occlusionButtons, occlusionSection } from './occlusion';
import type { OcclusionUnit } from '../core/attribution/occlusion';
import type { AttributionMethod } from '../core/attribution/explain';
import { attentionButton, attentionSection } from './attention';
import { explanationSection, methodPicker, type AttributionCallbacks } from './attribution';
import { windowStages } from './stages';
import { comparisonView } from './textComparison';
import type { Palette } from './theme';
import { exportMarkdownButton } from './exportButtons';
import type { WhatIfCallbacks } from './whatIf';
import { modelNoteLine } from './announce';

export interface ViewCallbacks {
  selectWindow(index: number): void;
  reveal(start: number, end: number): void;
  exportJson(): void;
  /** Export Markdown; optional so callers written before it still type-check (no button without it). */
  exportMarkdown?(): void;
  /** "Compare fp32 / int8" on the shown result. */
  compareVariants(): void;
  /** "Explain by occlusion" on the shown result; optional so older callers need not offer it. */
  occlude?(unit: OcclusionUnit): void;
  /** "Compare Two Texts": reveal side A (0) or B (1) in the editor (optional so older callers type-check). */
  revealCompared?(side: 0 | 1): void;
  /** Re-run the shown result with the token lens (optional: no button without it). */
  tokenLens?(): void;
  /** The what-if experiment's state (optional: no what-if card without it). */
  whatIf?: WhatIfCallbacks;
  /** The method picker (occlusion / SHAP / rollout) and the attention view; optional like occlude. */
  explain?(method: AttributionMethod): void;
  attention?(layer?: number, head?: number): void;
  /** The model note's card link and full-size switch (optional: no note without them). */
  openModelCard?(): void;
  switchModel?(): void;
}

function probabilityText(
  ins: Inspection,
  label: string,
  probabilities: Record<string, number>,
  logits: number[],
): string {
  if (ins.model.problemType === 'regression') return `score ${num(logits[0] ?? 0)}`;
  return pct(probabilities[label] ?? 0);
}

function coverageText(ins: Inspection): string {
  const c = ins.coverage;
  const windows = ins.windows.length;
  const per = windows > 1 ? ` in ${windows} windows of ≤ ${int(c.windowTokens)} tokens` : '';
  if (c.complete) return `Complete: all ${int(c.textLength)} characters read (${int(c.tokens)} tokens${per}).`;
  return `Truncated: the model read ${int(c.coveredChars)} of ${int(c.textLength)} characters (${int(c.tokens)} tokens${per}); the rest was not classified.`;
}

function noteFor(ins: Inspection, note: ModelNote | undefined, cb: ViewCallbacks): HTMLElement | null {
  if (!note || note.modelPath !== ins.model.path || !cb.openModelCard || !cb.switchModel) return null;
  return modelNoteLine(note, { openModelCard: () => cb.openModelCard?.(), switchModel: () => cb.switchModel?.() });
}

function summary(
  ins: Inspection,
  source: PanelSource,
  cb: ViewCallbacks,
  compare: CompareState | undefined,
  occlusion?: OcclusionState,
  extra?: { explanation?: ExplanationState; attention?: AttentionState },
  note?: ModelNote,
): HTMLElement {
  const a = ins.aggregate;
  const many = ins.windows.length > 1;
  const what = `${source.selection ? 'Selection in' : 'Whole file'} ${source.fileName}`;
  return h(
    'header',
    { class: 'summary' },
    h(
      'div',
      { class: 'verdict' },
      h('span', { class: 'result-label', 'data-testid': 'result-label' }, a.label),
      h(
        'span',
        { class: 'result-probability', 'data-testid': 'result-probability' },
        probabilityText(ins, a.label, a.probabilities, a.logits),
      ),
      many ? h('span', { class: 'muted' }, `over ${ins.windows.length} windows (${a.method})`) : null,
    ),
    h('p', { class: 'meta' }, `${what} · model ${ins.model.name} · ${int(Math.round(ins.timing.totalMs))} ms`),
    noteFor(ins, note, cb),
    h('p', { class: `coverage${ins.coverage.complete ? '' : ' warn'}`, 'data-testid': 'coverage' }, coverageText(ins)),
    h(
      'div',
      { class: 'actions' },
      exportButton(cb),
      exportMarkdownButton('inspection', cb.exportMarkdown?.bind(cb)),
      compare ? compareButton(compare, () => cb.compareVariants()) : null,
      ...(cb.occlude ? occlusionButtons(occlusion, occlusionCallbacks(cb)) : []),
      ...(cb.explain && cb.attention
        ? [
            methodPicker(extra?.explanation, occlusion?.kind === 'done', attributionCallbacks(cb)),
            attentionButton(extra?.attention, { attention: (l, hd) => cb.attention?.(l, hd) }),
          ]
        : []),
    ),
    compare ? compareSection(ins, compare) : null,
  );
}

function occlusionCallbacks(cb: ViewCallbacks): {
  occlude(unit: OcclusionUnit): void;
  reveal(start: number, end: number): void;
} {
  return { occlude: (unit) => cb.occlude?.(unit), reveal: (start, end) => cb.reveal(start, end) };
}

function attributionCallbacks(cb: ViewCallbacks): AttributionCallbacks {
  return { explain: (m) => cb.explain?.(m), reveal: (start, end) => cb.reveal(start, end) };
}

function exportButton(cb: ViewCallbacks): HTMLElement {
  const b = h(
    'button',
    {
      type: 'button',
      'data-testid': 'export-json',
      'data-focus-key': 'export',
      title: 'Save this inspection as a JSON file',
    },
    'Export JSON',
  );
  b.addEventListener('click', () => cb.exportJson());
  return b;
}

function windowList(ins: Inspection, selected: number, cb: ViewCallbacks): HTMLElement {
  const list = h('ol', { class: 'windows', 'data-testid': 'window-list', 'aria-label': 'Windows of the text' });
  ins.windows.forEach((w, i) => {
    const p = w.probabilities[w.label] ?? 0;
    const meter = h('span', { class: 'meter' }, h('span', { class: 'meter-fill' }));
    (meter.firstChild as HTMLElement).style.width = `${Math.round(p * 100)}%`;
    // A <button>: click and Enter/Space work natively, and it is in the tab order.
    const item = h(
      'button',
      {
        type: 'button',
        class: `window-item${i === selected ? ' selected' : ''}`,
        'data-testid': 'window-item',
        'data-focus-key': `window-${i}`,
        'aria-current': i === selected ? 'true' : undefined,
        title: `Show window ${i + 1} and select chars ${w.start}–${w.end} in the editor`,
      },
      h('span', { class: 'win-index' }, `#${i + 1}`),
      h('span', { class: 'win-range' }, `chars ${int(w.start)}–${int(w.end)}`),
      h('span', { class: 'win-label' }, w.label),
      meter,
      h('span', { class: 'win-prob' }, probabilityText(ins, w.label, w.probabilities, w.logits)),
      h('span', { class: 'muted' }, `${int(w.tokenCount)} tokens`),
    );
    item.addEventListener('click', () => cb.selectWindow(i));
    list.appendChild(h('li', {}, item));
  });
  return list;
}

function placeholder(note: string | undefined): HTMLElement {
  return h(
    'div',
    { class: 'placeholder' },
    note ? h('p', { 'data-testid': 'status' }, note) : null,
    h(
      'p',
      {},
      'Select some text and run “DistilBERT: Classify Selection” (or “DistilBERT: Classify File”) to see how the model reaches its label, layer by layer.',
    ),
  );
}

/** The neutral line above a result a cancelled run handed back ("Cancelled at window 3 of 9; ..."). */
function noticeLine(notice: string | undefined): HTMLElement | null {
  return notice ? h('p', { class: 'notice', 'data-testid': 'notice' }, notice) : null;
}

export function renderApp(st: PersistedState, palette: Palette, cb: ViewCallbacks, note?: ModelNote): HTMLElement {
  const view = st.panel.view;
  switch (view.kind) {
    case 'empty':
      return placeholder(view.note);
    case 'running':
      return h(
        'div',
        { class: 'status running', 'data-testid': 'status', 'aria-busy': 'true' },
        h('span', { class: 'spinner', 'aria-hidden': 'true' }),
        view.total
          ? `Running: ${view.what}… window ${int(view.done ?? 0)} of ${int(view.total)} done. The result appears here when it is ready.`
          : `Running: ${view.what}… The result appears here when it is ready.`,
      );
    case 'error':
      return h(
        'div',
        { class: 'status failed' },
        h('p', { 'data-testid': 'status' }, 'Classification failed.'),
        h('pre', { class: 'error', 'data-testid': 'error' }, view.message),
      );
    case 'result': {
      const ins = view.inspection;
      const selected = Math.min(st.selectedWindow, ins.windows.length - 1);
      const w = ins.windows[selected];
      const many = ins.windows.length > 1;
      return h(
        'div',
        { class: 'result' },
        noticeLine(view.notice),
        summary(ins, view.source, cb, view.compare, view.occlusion, view, note),
        occlusionSection(view.occlusion, occlusionCallbacks(cb)),
        explanationSection(view.explanation, attributionCallbacks(cb)),
        attentionSection(view.attention, palette, { attention: (l, hd) => cb.attention?.(l, hd) }),
        many ? windowList(ins, selected, cb) : null,
        many && w
          ? h(
              'h2',
              { class: 'window-heading' },
              `Window ${selected + 1} of ${ins.windows.length}: ${w.label} ${pct(w.probabilities[w.label] ?? 0)}, chars ${int(w.start)}–${int(w.end)}`,
            )
          : null,
        w
          ? windowStages(ins, w, palette, cb, ins.model.dropout, {
              key: `${view.requestId}:${selected}`,
              ...(cb.tokenLens ? { tokenLens: () => cb.tokenLens?.() } : {}),
              ...(cb.whatIf ? { whatIf: cb.whatIf } : {}),
            })
          : null,
        h(
          'p',
          { class: 'meta', 'data-testid': 'model-meta' },
          `Model folder: ${ins.model.path}. Graph: ${ins.model.variant ?? 'fp32'} (${ins.model.onnxFile}${ins.model.variantReason ? `; ${ins.model.variantReason}` : ''}). Tokenize ${num(ins.timing.tokenizeMs)} ms, inference ${num(ins.timing.inferenceMs)} ms.`,
        ),
      );
    }
    case 'comparison': {
      const shown = comparisonView(view.comparison, view.texts, palette, cb);
      const notice = noticeLine(view.notice);
      if (notice) shown.prepend(notice);
      return shown;
    }
    default:
      return assertNever(view, 'view');
  }
}
