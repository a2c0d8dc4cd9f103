// The stages of one window as cards, in the order the data flows: tokens -> [CLS] per block -> [CLS] entering
// the head -> pre_classifier -> ReLU -> dropout -> classifier -> logits -> probabilities.
import type { Inspection, LogitContribution, UnitShare, WindowResult } from '../core/types';
import { barList, matrixHeatmap, vectorHeatmap, waterfall, type Step } from './charts';
import { exact, h, int, num, pct } from './dom';
import * as ex from './explain';
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
    h('header', {}, h('span', { class: 'step', 'aria-hidden': 'true' }, String(step)), h('h3', { id }, title), h('span', { class: 'shape' }, shape)),
    ...body,
  );
}

const fact = (...parts: (string | Node)[]): HTMLElement => h('p', { class: 'fact' }, ...parts);

/** Top units toward/against a label: the core's list when present, else computed from the contributions. */
export function topUnitsFor(w: WindowResult, label: string, c: LogitContribution, k = 5): { toward: UnitShare[]; against: UnitShare[] } {
  const given = w.head.topUnits[label];
  const all = c.units.map((value, unit) => ({ unit, value }));
  const toward = (given?.toward ?? all.filter((x) => x.value > 0).sort((a, b) => b.value - a.value).slice(0, k))
    .filter((x) => x.value > 0)
    .sort((a, b) => b.value - a.value);
  const against = (given?.against ?? all.filter((x) => x.value < 0).sort((a, b) => a.value - b.value).slice(0, k))
    .filter((x) => x.value < 0)
    .sort((a, b) => a.value - b.value);
  return { toward, against };
}

/** Waterfall steps for one logit: bias, units toward (largest first), units against (most negative first), the rest, the sum. */
export function logitSteps(w: WindowResult, label: string, logit: number, act = 'relu'): Step[] | undefined {
  const c = w.contributions[label];
  if (!c) return undefined;
  const { toward, against } = topUnitsFor(w, label, c);
  const shown = new Set([...toward, ...against].map((x) => x.unit));
  let rest = 0;
  let restActive = 0;
  c.units.forEach((v, u) => {
    if (shown.has(u)) return;
    rest += v;
    if (v !== 0) restActive++;
  });
  const unitStep = (x: UnitShare, kind: 'toward' | 'against'): Step => {
    const r = w.stages.relu[x.unit] ?? 0;
    const weight = r === 0 ? 0 : x.value / r;
    return { label: `unit ${x.unit}`, delta: x.value, kind, title: `unit ${x.unit}: W = ${exact(weight)} × ${act} = ${exact(r)} → ${exact(x.value)}` };
  };
  const sum = c.bias + c.units.reduce((a, b) => a + b, 0);
  return [
    { label: 'bias', delta: c.bias, kind: 'bias', title: `bias for ${label}: ${exact(c.bias)}` },
    ...toward.map((x) => unitStep(x, 'toward')),
    ...against.map((x) => unitStep(x, 'against')),
    { label: `${restActive} other units`, delta: rest, kind: 'rest', title: `the other ${restActive} non-zero units together: ${exact(rest)}` },
    { label: `logit ${label}`, delta: logit, kind: 'total', title: `logit ${label} = ${exact(logit)} (bias + all units = ${exact(sum)})` },
  ];
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
          labels.map((l) => ({ label: l, value: w.probabilities[l] ?? 0, text: pct(w.probabilities[l] ?? 0), emphasis: l === winner })),
          { signed: false, max: 1, testid: 'probabilities', caption: 'probabilities' },
        );
  const decomposition = h('div', { class: 'contributions', 'data-testid': 'contributions' });
  labels.forEach((l, i) => {
    const steps = logitSteps(w, l, w.logits[i] ?? 0, t.activation);
    if (!steps) return;
    decomposition.appendChild(
      h('div', { class: 'contribution', 'data-label': l }, h('h4', {}, `Where the logit of ${l} comes from`), waterfall(steps, { caption: `decomposition of logit ${l}` })),
    );
  });
  const dim = ins.model.dim;
  return card(
    'stage-classifier',
    6,
    `${t.classifier} → logits → probabilities`,
    `${dim} → ${labels.length}`,
    ex.explainClassifier(dim, labels, ins.model.problemType, t),
    h('div', { class: 'pair' }, h('div', {}, h('h4', {}, 'Logits'), logits), h('div', {}, h('h4', {}, 'Probabilities'), probs)),
    decomposition,
  );
}

export function windowStages(ins: Inspection, w: WindowResult, palette: Palette, cb: TokenCallbacks, dropoutP: number | undefined, lens?: HeadLensOptions): HTMLElement {
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
      h('header', {}, h('span', { class: 'step', 'aria-hidden': 'true' }, '0'), h('h3', { id: 'card-tokens' }, 'Input word pieces'), h('span', { class: 'shape' }, `${int(w.tokens.length)} tokens`)),
      ex.explainTokens(),
      tokenChips(w, ins.coverage.textLength, cb),
    ),
    card(
      'stage-layers',
      1,
      `${t.first} after each transformer block`,
      `${w.stages.layers.length} × ${dim}`,
      ex.explainLayers(w.stages.layers.length, t.family),
      h(
        'div',
        { class: 'layers' },
        matrixHeatmap(w.stages.layers, layerNames, { name: `${t.first} after each block`, palette, testid: 'heatmap-layers' }),
        barList(
          layerNames.map((n, i) => ({ label: n, value: norms.layers[i] ?? 0, title: `‖${n}‖₂ = ${exact(norms.layers[i] ?? 0)}` })),
          { signed: false, caption: 'L2 norm per block' },
        ),
      ),
    ),
    card(
      'stage-cls',
      2,
      `${t.first} entering ${t.dense}`,
      `${dim}`,
      ex.explainCls(dim, t),
      fact(`‖cls‖₂ = ${num(norms.cls)}`),
      vectorHeatmap(w.stages.cls, { name: `${t.first} entering ${t.dense}`, palette, testid: 'heatmap-cls' }),
    ),
    card(
      'stage-pre-classifier',
      3,
      `${t.dense} (dense${t.quantized ? ', int8' : ''})`,
      `${dim} → ${dim}`,
      ex.explainPreClassifier(dim, t),
      fact(`‖output‖₂ = ${num(norms.preClassifier)}; ${positive} of ${dim} units are positive.`),
      vectorHeatmap(w.stages.preClassifier, { name: `${t.dense} output`, palette, testid: 'heatmap-pre' }),
    ),
    card(
      'stage-relu',
      4,
      t.act,
      `${dim} → ${dim}`,
      activationFact(w, t, dim, zeroed, norms.relu),
      ex.explainRelu(t),
      vectorHeatmap(w.stages.relu, { name: `${t.act} output`, palette, testid: 'heatmap-relu' }),
    ),
    card('stage-dropout', 5, 'dropout', 'identity', ex.explainDropout(dropoutP, t)),
    classifierCard(ins, w, t),
    ...lensCards(ins, w, t, lens),
    card('head-comparison', 9, `Why ${t.dense}? The head next to ${t.kind === 'distilbert' ? "BERT's and RoBERTa's" : 'the other families'}`, `${t.family} head`, headComparison(ins.model)),
  );
}

/** The head lens (7) and the what-if experiments (8); none for results saved before the lens existed. */
function lensCards(ins: Inspection, w: WindowResult, t: HeadTerms, opts: HeadLensOptions | undefined): HTMLElement[] {
  const body = lensBody(ins, w, t, opts ?? {});
  if (!body) return [];
  const cards = [card('stage-lens', 7, `Head lens: the ${t.family} head after every block`, `${w.lens!.length} × ${t.dense} → ${t.act} → ${t.classifier}`, body)];
  if (opts?.whatIf) {
    cards.push(card('stage-whatif', 8, `What if? Experiments on the ${t.act} units`, `${ins.model.dim} units`, whatIfBody(ins, w, t, opts.key, opts.whatIf)));
  }
  return cards;
}

/** ReLU: how many units are exactly zero. tanh never zeroes a unit; what matters is how many sit at ±1. */
function activationFact(w: WindowResult, t: HeadTerms, dim: number, zeroed: number, norm: number): HTMLElement {
  if (t.activation === 'relu') {
    return fact(h('strong', { 'data-testid': 'zeroed' }, `${zeroed} of ${dim}`), ` units are zero (${pct(zeroed / Math.max(1, dim))}); ${dim - zeroed} stay active. ‖relu‖₂ = ${num(norm)}`);
  }
  const sat = saturatedUnits(w.stages.relu);
  return fact(
    h('strong', { 'data-testid': 'saturated' }, `${sat} of ${dim}`),
    ` units are saturated (|tanh| > 0.99, ${pct(sat / Math.max(1, dim))}); none is zeroed. ‖tanh‖₂ = ${num(norm)}`,
  );
}
