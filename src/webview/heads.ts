// The classification head in its own terms (DistilBERT pre_classifier + ReLU, BERT pooler + tanh, RoBERTa
// classifier.dense + tanh) and the card comparing the three, answering "why does DistilBERT need
// pre_classifier where BERT has a pooler". Parameter counts are computed from the shown model's own dim and
// labels, so the table is about this model, not a textbook one.
import { HEAD_FAMILY, headTerms, saturatedUnits, type HeadTerms } from '../core/head/headTerms';
import type { HeadKind, ModelInfo } from '../core/types';
import { h, int, link, scrollX } from './dom';
import { SOURCES } from '../core/present/sources';

export const headSources: Record<HeadKind, { file: string; url: string; cls: string }> = {
  distilbert: {
    file: SOURCES.distilbert.title,
    url: SOURCES.distilbert.url,
    cls: 'DistilBertForSequenceClassification',
  },
  bert: { file: SOURCES.bert.title, url: SOURCES.bert.url, cls: 'BertForSequenceClassification' },
  roberta: { file: SOURCES.roberta.title, url: SOURCES.roberta.url, cls: 'RobertaForSequenceClassification' },
};

/** Whether each family's dense layer comes pretrained, and why (the card's answer); the other facts: HEAD_FAMILY. */
const WHY: Record<HeadKind, string> = {
  distilbert:
    'no: distillation drops next-sentence prediction, so there is no pooler to inherit; it starts fresh when fine-tuning',
  bert: 'yes: the pooler is trained with next-sentence prediction during pretraining',
  roberta: 'no: RoBERTa drops next-sentence prediction; its pooler is unused and the head brings its own dense layer',
};
const FAMILY = Object.fromEntries(
  (Object.keys(HEAD_FAMILY) as HeadKind[]).map((k) => [k, { ...HEAD_FAMILY[k], why: WHY[k] }]),
) as Record<HeadKind, (typeof HEAD_FAMILY)[HeadKind] & { why: string }>;

export { headTerms, saturatedUnits, type HeadTerms };

export function denseParams(dim: number): number {
  return dim * dim + dim;
}

export function classifierParams(dim: number, labels: number): number {
  return labels * dim + labels;
}

const code = (t: string): HTMLElement => h('code', {}, t);
const ORDER: HeadKind[] = ['distilbert', 'bert', 'roberta'];

/** The comparison card's body: the answer in prose, then one table row per family, this model's row marked. */
export function headComparison(model: ModelInfo): HTMLElement {
  const t = headTerms(model);
  const dim = model.dim;
  const labels = model.labels.length;
  const dp = model.head?.denseParams ?? denseParams(dim);
  const cp = model.head?.classifierParams ?? classifierParams(dim, labels);
  const table = h(
    'table',
    { class: 'head-table', 'data-testid': 'head-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...[
          'family',
          'counterpart layer',
          'activation',
          'pretrained?',
          `dense params (${dim}·${dim}+${dim})`,
          `classifier params (${labels}·${dim}+${labels})`,
          'source',
        ].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      ...ORDER.map((kind) => {
        const f = FAMILY[kind];
        const src = headSources[kind];
        const current = kind === t.kind;
        return h(
          'tr',
          { class: current ? 'current' : undefined, 'data-head': kind, 'aria-current': current ? 'true' : undefined },
          h('th', { scope: 'row' }, current ? `${f.family} (this model)` : f.family),
          h('td', {}, code(current ? t.dense : f.dense), ' → ', code(current ? t.classifier : f.classifier)),
          h('td', {}, f.activation === 'relu' ? 'ReLU' : 'tanh'),
          h('td', { 'data-testid': `pretrained-${kind}` }, f.why),
          h('td', { class: 'num' }, int(current ? dp : denseParams(dim))),
          h('td', { class: 'num' }, int(current ? cp : classifierParams(dim, labels))),
          h('td', {}, link(src.url, src.file), ' ', h('span', { class: 'muted' }, `(${src.cls})`)),
        );
      }),
    ),
  );
  const own = FAMILY[t.kind];
  const answer =
    t.kind === 'distilbert'
      ? h(
          'p',
          { class: 'explain' },
          h('strong', {}, 'Why pre_classifier? '),
          "BERT's classifier reads the pooler's output: a dense layer + tanh on [CLS] that BERT pretrains with next-sentence prediction. ",
          'DistilBERT is distilled without next-sentence prediction, so it has no pretrained pooler; ',
          code('DistilBertForSequenceClassification'),
          ' puts a freshly initialised dense layer (',
          code('pre_classifier'),
          ') with ReLU in its place, keeping the head the same shape and size. RoBERTa, which also drops next-sentence prediction, does the same with ',
          code('classifier.dense'),
          ' + tanh.',
        )
      : h(
          'p',
          { class: 'explain' },
          h('strong', {}, `This is a ${own.family} head. `),
          'Its ',
          code(t.dense),
          ` + ${t.act} plays the part of DistilBERT's pre_classifier + ReLU`,
          t.pretrained
            ? ', but it came pretrained (next-sentence prediction) and was only adjusted by fine-tuning.'
            : ', and like pre_classifier it started fresh when fine-tuning began.',
          ' DistilBERT needs pre_classifier because distillation drops next-sentence prediction, leaving no pretrained pooler to reuse.',
        );
  return h(
    'div',
    { class: 'head-comparison' },
    answer,
    scrollX('Heads of DistilBERT, BERT and RoBERTa compared', table),
  );
}
