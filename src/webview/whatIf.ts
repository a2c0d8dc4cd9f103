// What-if on the head's units: switch units off (click one, or the top k toward a label), keep only the top k,
// bypass the dense layer, or drop the activation, and read the logits and probabilities of that experiment. The
// classifier is linear in the activation's output, so unit experiments are exact sums of the window's
// contributions; the two head variants come computed by the core. Always labelled an experiment, not the model.
import { allBut, runWhatIf, topToward, type WhatIf } from '../core/head/whatIf';
import type { Inspection, WindowResult } from '../core/types';
import { barList } from './charts';
import { exact, h, int, num, pct, signed } from './dom';
import type { HeadTerms } from './heads';

/** The experiment on show and the controls' values; kept by main.ts per result and window, never persisted. */
export interface WhatIfState {
  /** Which result and window it belongs to ("requestId:window"); another key starts over. */
  key: string;
  what: WhatIf;
  k: number;
  label: string;
}

/** Where the what-if state lives (main.ts), read and replaced by the card. */
export interface WhatIfCallbacks {
  get(): WhatIfState | undefined;
  set(next: WhatIfState | undefined): void;
}

/** Units listed as switches: the ones with the largest terms in any logit. */
const LISTED = 16;

function describe(what: WhatIf, t: HeadTerms): string {
  if (what.kind === 'bypassDense')
    return `${t.dense} bypassed: ${t.classifier} applied to ${t.act}(${t.first}) directly`;
  if (what.kind === 'noActivation') return `no ${t.act}: ${t.classifier} applied to ${t.dense}'s raw output`;
  return what.off.length === 0
    ? 'no unit switched off'
    : `${int(what.off.length)} unit${what.off.length === 1 ? '' : 's'} switched off`;
}

/** The what-if card's body: the controls, the unit switches and the experiment's logits and probabilities. */
export function whatIfBody(
  ins: Inspection,
  w: WindowResult,
  t: HeadTerms,
  key: string,
  cb: WhatIfCallbacks,
): HTMLElement {
  const labels = ins.model.labels;
  const dim = ins.model.dim;
  const cur = cb.get();
  const st: WhatIfState =
    cur && cur.key === key ? cur : { key, what: { kind: 'units', off: [] }, k: 5, label: w.label };
  const set = (what: WhatIf, patch: Partial<WhatIfState> = {}) => cb.set({ ...st, ...patch, what });
  const off = new Set(st.what.kind === 'units' ? st.what.off : []);

  const labelSelect = h(
    'select',
    {
      'data-testid': 'whatif-label',
      'data-focus-key': 'whatif-label',
      'aria-label': 'Label for the top-k experiments',
    },
    ...labels.map((l) => h('option', { value: l, selected: l === st.label }, l)),
  );
  labelSelect.addEventListener('change', () => cb.set({ ...st, label: labelSelect.value }));
  const kInput = h('input', {
    type: 'number',
    min: 1,
    max: dim,
    value: st.k,
    'data-testid': 'whatif-k',
    'data-focus-key': 'whatif-k',
    'aria-label': 'k, how many units',
  });
  const k = (): number => Math.max(1, Math.min(dim, Math.floor(Number(kInput.value)) || 1));
  kInput.addEventListener('change', () => cb.set({ ...st, k: k() }));
  const button = (testid: string, text: string, title: string, run: () => void, pressed?: boolean): HTMLElement => {
    const b = h(
      'button',
      {
        type: 'button',
        'data-testid': testid,
        'data-focus-key': testid,
        title,
        'aria-pressed': pressed === undefined ? undefined : String(pressed),
      },
      text,
    );
    b.addEventListener('click', run);
    return b;
  };
  const controls = h(
    'div',
    { class: 'whatif-controls' },
    h('label', {}, 'top ', kInput, ' toward ', labelSelect),
    button('whatif-off-top', 'Switch off the top k', 'Switch off the k units that push this label up the most', () =>
      set(
        { kind: 'units', off: topToward(w.contributions, labelSelect.value, k()) },
        { k: k(), label: labelSelect.value },
      ),
    ),
    button(
      'whatif-keep-top',
      'Keep only the top k',
      'Switch off every unit except the k that push this label up the most',
      () =>
        set(
          { kind: 'units', off: allBut(dim, topToward(w.contributions, labelSelect.value, k())) },
          { k: k(), label: labelSelect.value },
        ),
    ),
    button(
      'whatif-bypass',
      `Bypass ${t.dense}`,
      `${t.classifier} on ${t.act}(${t.first})`,
      () => set({ kind: 'bypassDense' }),
      st.what.kind === 'bypassDense',
    ),
    button(
      'whatif-noact',
      `No ${t.act}`,
      `${t.classifier} on ${t.dense}'s raw output`,
      () => set({ kind: 'noActivation' }),
      st.what.kind === 'noActivation',
    ),
    button('whatif-reset', 'Reset', 'Back to the model as it is', () => set({ kind: 'units', off: [] })),
  );

  // The units with the largest terms in any logit, as switches (click or Enter/Space toggles one).
  const weight = (u: number) => Math.max(...labels.map((l) => Math.abs(w.contributions[l]?.units[u] ?? 0)));
  const listed = Array.from({ length: dim }, (_, u) => u)
    .filter((u) => weight(u) > 0)
    .sort((a, b) => weight(b) - weight(a))
    .slice(0, LISTED);
  const toggle = (u: number) => {
    const next = new Set(off);
    if (next.has(u)) next.delete(u);
    else next.add(u);
    set({ kind: 'units', off: [...next].sort((a, b) => a - b) });
  };
  const units = h(
    'div',
    {
      class: 'whatif-units',
      role: 'group',
      'aria-label': `Units with the largest terms; press one to switch it ${off.size ? 'off or back on' : 'off'}`,
    },
    ...listed.map((u) =>
      button(
        `whatif-unit-${u}`,
        `#${u} ${labels.map((l) => signed(w.contributions[l]?.units[u] ?? 0)).join(' / ')}${off.has(u) ? ' (off)' : ''}`,
        `unit ${u}: ${labels.map((l) => `${l} ${exact(w.contributions[l]?.units[u] ?? 0)}`).join(', ')}; ${t.act} = ${exact(w.stages.activation[u] ?? 0)}`,
        () => toggle(u),
        off.has(u),
      ),
    ),
  );
  const unitInput = h('input', {
    type: 'number',
    min: 0,
    max: dim - 1,
    'data-testid': 'whatif-unit-input',
    'data-focus-key': 'whatif-unit-input',
    'aria-label': 'Unit number to switch',
  });
  const anyUnit = h(
    'label',
    {},
    'any unit # ',
    unitInput,
    button('whatif-unit-toggle', 'Switch', 'Switch this unit off, or back on', () => {
      const u = Math.floor(Number(unitInput.value));
      if (Number.isInteger(u) && u >= 0 && u < dim) toggle(u);
    }),
  );

  const result = runWhatIf(w, labels, ins.model.problemType, st.what);
  const changed = result && result.label !== w.label;
  const outcome = result
    ? h(
        'div',
        { class: 'whatif-result', 'data-testid': 'whatif-result', role: 'status' },
        h(
          'p',
          { class: 'fact' },
          h('strong', {}, 'Experiment, not the model: '),
          describe(st.what, t),
          '. ',
          changed
            ? h('strong', { 'data-testid': 'whatif-flip' }, `The label becomes ${result.label}.`)
            : `The label stays ${result.label}.`,
        ),
        h(
          'div',
          { class: 'pair' },
          h(
            'div',
            {},
            h('h4', {}, 'Logits (experiment)'),
            barList(
              labels.map((l, i) => ({
                label: l,
                value: result.logits[i] ?? 0,
                text: `${num(result.logits[i] ?? 0)} (${signed((result.logits[i] ?? 0) - (w.logits[i] ?? 0))})`,
                emphasis: l === result.label,
              })),
              { signed: true, testid: 'whatif-logits', caption: 'experiment logits' },
            ),
          ),
          ins.model.problemType === 'regression'
            ? null
            : h(
                'div',
                {},
                h('h4', {}, 'Probabilities (experiment)'),
                barList(
                  labels.map((l, i) => ({
                    label: l,
                    value: result.probabilities[i] ?? 0,
                    text: pct(result.probabilities[i] ?? 0),
                    emphasis: l === result.label,
                  })),
                  { signed: false, max: 1, testid: 'whatif-probabilities', caption: 'experiment probabilities' },
                ),
              ),
        ),
      )
    : h(
        'p',
        { class: 'muted' },
        'This result was saved before the head experiments existed; classify again to run them.',
      );
  const caption = h(
    'p',
    { class: 'explain' },
    `The ${listed.length} units with the largest terms (their terms in ${labels.join(' / ')}); press one to switch it off, again to switch it back on.`,
  );
  return h('div', { class: 'whatif', 'data-testid': 'whatif' }, controls, caption, units, anyUnit, outcome);
}
