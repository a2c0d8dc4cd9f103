// The stages of one window as cards, in the order the data flows: tokens -> [CLS] per block -> [CLS] entering
// the head -> pre_classifier -> ReLU -> dropout -> classifier -> logits -> probabilities.
import type { Inspection, WindowResult } from '../core/types';
import { logitSteps as modelSteps, type LogitStep } from '../core/present/logitSteps';
import { stageText } from '../core/present/stageText';
import { barList, matrixHeatmap, vectorHeatmap, waterfall, type Step } from './charts';
import { exact, h, int, num, pct } from './dom';
import { explainView } from './explain';
import { headComparison, headTerms, saturatedUnits, type HeadTerms } from './heads';
import type { Palette } from './theme';
import { tokenChips, type TokenCallbacks } from './tokens';
import { lensBody, type LensCallbacks } from './lens';
import { whatIfBody, type WhatIfCallbacks } from './whatIf';

/** The head lens card's button and the what-if state (main.ts keeps it per result and window). */
export interface HeadLensOptions extends LensCallbacks {
  whatIf?: WhatIfCallbacks;
  /** Which result and window the what-if state belongs to. */
  key: string;
}

function card(testid: string, step: number, title: string, shape: string, ...body: (Node | null)[]): HTMLElement {
  const id = `card-${testid}`;
  return h(
    'section',
    { class: 'card', 'data-testid': testid, 'aria-labelledby': id },
    h(
      'header',
      {},
      h('span', { class: 'step', 'aria-hidden': 'true' }, String(step)),
      h('h3', { id }, title),
      h('span', { class: 'shape' }, shape),
    ),
    ...body,
  );
}

const fact = (...parts: (string | Node)[]): HTMLElement => h('p', { class: 'fact' }, ...parts);

/** The presentation model's steps of one logit (the report draws the same), with the panel's hover texts. */
export function logitSteps(w: WindowResult, label: string, logit: number, act = 'relu'): Step[] | undefined {
  return modelSteps(w, label, logit)?.map((st): Step => ({
    label: st.label,
    delta: st.delta,
    kind: st.kind,
    title: stepTitle(st, label, act),
  }));
}

function stepTitle(st: LogitStep, label: string, act: string): string {
  switch (st.kind) {
    case 'bias':
      return `bias for ${label}: ${exact(st.delta)}`;
    case 'toward':
    case 'against':
      return `unit ${st.unit}: W = ${exact(st.weight ?? 0)} × ${act} = ${exact(st.input ?? 0)} → ${exact(st.delta)}`;
    case 'rest':
      return `the other ${st.count} non-zero units together: ${exact(st.delta)}`;
    case 'total':
      return `logit ${label} = ${exact(st.delta)} (bias + all units = ${exact(st.sum ?? st.delta)})`;
  }
}

function classifierCard(ins: Inspection, w: WindowResult, t: HeadTerms): HTMLElement {
  const labels = ins.model.labels;
  const winner = w.label;
  const logits = barList(
    labels.map((l, i) => ({ label: l, value: w.logits[i] ?? 0, emphasis: l === winner })),
    { signed: true, testid: 'logits', caption: 'logits' },
  );
  const probs =
    ins.model.problemType === 'regression'
      ? h('p', { class: 'muted', 'data-testid': 'probabilities' }, 'Regression: no probabilities.')
      : barList(
          labels.map((l) => ({
            label: l,
            value: w.probabilities[l] ?? 0,
            text: pct(w.probabilities[l] ?? 0),
            emphasis: l === winner,
          })),
          { signed: false, max: 1, testid: 'probabilities', caption: 'probabilities' },
        );
  const decomposition = h('div', { class: 'contributions', 'data-testid': 'contributions' });
  labels.forEach((l, i) => {
    const steps = logitSteps(w, l, w.logits[i] ?? 0, t.activation);
    if (!steps) return;
    decomposition.appendChild(
      h(
        'div',
        { class: 'contribution', 'data-label': l },
        h('h4', {}, `Where the logit of ${l} comes from`),
        waterfall(steps, { caption: `decomposition of logit ${l}` }),
      ),
    );
  });
  const dim = ins.model.dim;
  return card(
    'stage-classifier',
    6,
    `${t.classifier} → logits → probabilities`,
    `${dim} → ${labels.length}`,
    explainView(stageText.classifier(t, dim, labels.length, ins.model.problemType)),
    h(
      'div',
      { class: 'pair' },
      h('div', {}, h('h4', {}, 'Logits'), logits),
      h('div', {}, h('h4', {}, 'Probabilities'), probs),
    ),
    decomposition,
  );
}

export function windowStages(
  ins: Inspection,
  w: WindowResult,
  palette: Palette,
  cb: TokenCallbacks,
  dropoutP: number | undefined,
  lens?: HeadLensOptions,
): HTMLElement {
  const dim = ins.model.dim;
  const norms = w.head.norms;
  const layerNames = w.stages.layers.map((_, i) => `block ${i + 1}`);
  const zeroed = w.head.zeroedUnits;
  const positive = w.stages.preClassifier.filter((v) => v > 0).length;
  const t = headTerms(ins.model);
  return h(
    'div',
    { class: 'stages' },
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'card-tokens' },
      h(
        'header',
        {},
        h('span', { class: 'step', 'aria-hidden': 'true' }, '0'),
        h('h3', { id: 'card-tokens' }, 'Input word pieces'),
        h('span', { class: 'shape' }, `${int(w.tokens.length)} tokens`),
      ),
      explainView(stageText.tokens(t)),
      tokenChips(w, ins.coverage.textLength, cb),
    ),
    card(
      'stage-layers',
      1,
      `${t.first} after each transformer block`,
      `${w.stages.layers.length} × ${dim}`,
      explainView(stageText.layers(t, w.stages.layers.length)),
      h(
        'div',
        { class: 'layers' },
        matrixHeatmap(w.stages.layers, layerNames, {
          name: `${t.first} after each block`,
          palette,
          testid: 'heatmap-layers',
        }),
        barList(
          layerNames.map((n, i) => ({
            label: n,
            value: norms.layers[i] ?? 0,
            title: `‖${n}‖₂ = ${exact(norms.layers[i] ?? 0)}`,
          })),
          { signed: false, caption: 'L2 norm per block' },
        ),
      ),
    ),
    card(
      'stage-cls',
      2,
      `${t.first} entering ${t.dense}`,
      `${dim}`,
      explainView(stageText.cls(t, dim)),
      fact(`‖cls‖₂ = ${num(norms.cls)}`),
      vectorHeatmap(w.stages.cls, { name: `${t.first} entering ${t.dense}`, palette, testid: 'heatmap-cls' }),
    ),
    card(
      'stage-pre-classifier',
      3,
      `${t.dense} (dense${t.quantized ? ', int8' : ''})`,
      `${dim} → ${dim}`,
      explainView(stageText.dense(t, dim)),
      fact(`‖output‖₂ = ${num(norms.preClassifier)}; ${positive} of ${dim} units are positive.`),
      vectorHeatmap(w.stages.preClassifier, { name: `${t.dense} output`, palette, testid: 'heatmap-pre' }),
    ),
    card(
      'stage-relu',
      4,
      t.act,
      `${dim} → ${dim}`,
      activationFact(w, t, dim, zeroed, norms.relu),
      explainView(stageText.activation(t)),
      vectorHeatmap(w.stages.activation, { name: `${t.act} output`, palette, testid: 'heatmap-relu' }),
    ),
    card('stage-dropout', 5, 'dropout', 'identity', explainView(stageText.dropout(t, dropoutP))),
    classifierCard(ins, w, t),
    ...lensCards(ins, w, t, lens),
    card(
      'head-comparison',
      9,
      `Why ${t.dense}? The head next to ${t.kind === 'distilbert' ? "BERT's and RoBERTa's" : 'the other families'}`,
      `${t.family} head`,
      headComparison(ins.model),
    ),
  );
}

/** The head lens (7) and the what-if experiments (8); none for results saved before the lens existed. */
function lensCards(ins: Inspection, w: WindowResult, t: HeadTerms, opts: HeadLensOptions | undefined): HTMLElement[] {
  const body = lensBody(ins, w, t, opts ?? {});
  if (!body) return [];
  const cards = [
    card(
      'stage-lens',
      7,
      `Head lens: the ${t.family} head after every block`,
      `${w.lens!.length} × ${t.dense} → ${t.act} → ${t.classifier}`,
      body,
    ),
  ];
  if (opts?.whatIf) {
    cards.push(
      card(
        'stage-whatif',
        8,
        `What if? Experiments on the ${t.act} units`,
        `${ins.model.dim} units`,
        whatIfBody(ins, w, t, opts.key, opts.whatIf),
      ),
    );
  }
  return cards;
}

/** ReLU: how many units are exactly zero. tanh never zeroes a unit; what matters is how many sit at ±1. */
function activationFact(w: WindowResult, t: HeadTerms, dim: number, zeroed: number, norm: number): HTMLElement {
  if (t.activation === 'relu') {
    return fact(
      h('strong', { 'data-testid': 'zeroed' }, `${zeroed} of ${dim}`),
      ` units are zero (${pct(zeroed / Math.max(1, dim))}); ${dim - zeroed} stay active. ‖relu‖₂ = ${num(norm)}`,
    );
  }
  const sat = saturatedUnits(w.stages.activation);
  return fact(
    h('strong', { 'data-testid': 'saturated' }, `${sat} of ${dim}`),
    ` units are saturated (|tanh| > 0.99, ${pct(sat / Math.max(1, dim))}); none is zeroed. ‖tanh‖₂ = ${num(norm)}`,
  );
}
