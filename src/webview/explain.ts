// Plain-language notes for each stage, with links to the sources they paraphrase.
import { h, link } from './dom';
import type { ProblemType } from '../core/types';
import type { HeadTerms } from './heads';
import { whyDense } from '../core/head/lensStory';

export const sources = {
  distilbert: 'https://github.com/huggingface/transformers/blob/main/src/transformers/models/distilbert/modeling_distilbert.py',
  bert: 'https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/modeling_bert.py',
  roberta: 'https://github.com/huggingface/transformers/blob/main/src/transformers/models/roberta/modeling_roberta.py',
  paper: 'https://arxiv.org/abs/1910.01108',
} as const;

const p = (...parts: (string | Node)[]): HTMLParagraphElement => h('p', { class: 'explain' }, ...parts);
const code = (t: string): HTMLElement => h('code', {}, t);

export function explainTokens(): HTMLElement {
  return p(
    'The tokenizer splits the text into word pieces (',
    code('##'),
    ' marks a piece that continues a word) and adds ',
    code('[CLS]'),
    ' in front and ',
    code('[SEP]'),
    ' at the end. Hover a piece for its vocabulary id and character range; click it (or press Enter) to select that text in the editor.',
  );
}

export function explainLayers(nLayers: number, family = 'DistilBERT'): HTMLElement {
  return p(
    `${family} passes every token through ${nLayers} transformer blocks (self-attention, then a feed-forward network, each followed by LayerNorm). `,
    "Each row is the [CLS] token's vector after one block. ",
    code('[CLS]'),
    ' means nothing by itself; fine-tuning teaches the model to gather what the classifier needs at that position. Only the last row enters the head.',
  );
}

export function explainCls(dim: number, t?: HeadTerms): HTMLElement {
  const first = t?.kind === 'roberta' ? '<s> (RoBERTa\'s [CLS])' : '[CLS]';
  return p(
    code('hidden_state[:, 0]'),
    `: the last block's output at the ${first} position, ${dim} numbers. It is the only position the classification head reads; the other tokens' vectors are not used.`,
  );
}

export function explainPreClassifier(dim: number, t?: HeadTerms): HTMLElement {
  if (t && t.kind === 'bert') {
    return h(
      'div',
      { class: 'explain' },
      p(code(`bert.pooler.dense = Linear(${dim}, ${dim})`), ': BERT\'s pooler, a full matrix multiply plus bias on [CLS], followed by tanh.'),
      p(
        h('strong', {}, 'What it is. '),
        'The pooler comes with the pretrained encoder: BERT trained it on next-sentence prediction, so fine-tuning starts from a layer that already summarises a sequence pair. ',
        "DistilBERT has no such layer (no next-sentence prediction), which is why it adds pre_classifier. See the comparison below.",
      ),
      p('Sources: ', link(sources.bert, 'modeling_bert.py'), ' (BertPooler, BertForSequenceClassification).'),
    );
  }
  if (t && t.kind === 'roberta') {
    return h(
      'div',
      { class: 'explain' },
      p(code(`classifier.dense = Linear(${dim}, ${dim})`), ': the first layer of RobertaClassificationHead, on <s> after a dropout, followed by tanh.'),
      p(
        h('strong', {}, 'What it is. '),
        'RoBERTa is pretrained without next-sentence prediction, so its pooler is not used for classification; the head brings this dense layer, newly initialised when fine-tuning starts, like DistilBERT\'s pre_classifier (which uses ReLU instead of tanh).',
      ),
      p('Sources: ', link(sources.roberta, 'modeling_roberta.py'), ' (RobertaClassificationHead).'),
    );
  }
  return h(
    'div',
    { class: 'explain' },
    p(code(`pre_classifier = Linear(${dim}, ${dim})`), ': a full matrix multiply plus bias that mixes all units of the [CLS] vector.'),
    p(
      h('strong', {}, 'What it is. '),
      "pre_classifier is DistilBERT's counterpart of BERT's pooler. In BERT the pooler is a dense layer followed by ",
      code('tanh'),
      ' on [CLS], pretrained with next-sentence prediction. DistilBERT drops next-sentence prediction, so there is no pretrained pooler: ',
      code('DistilBertForSequenceClassification'),
      ' adds a dense layer followed by ',
      code('ReLU'),
      ' that is newly initialised when fine-tuning starts, which keeps the head the same size (the same parameter count) as BERT\'s pooler + classifier.',
    ),
    p(
      'Sources: ',
      link(sources.distilbert, 'modeling_distilbert.py'),
      ' (DistilBertForSequenceClassification), ',
      link(sources.bert, 'modeling_bert.py'),
      ' (BertPooler), and the DistilBERT paper, ',
      link(sources.paper, 'arXiv 1910.01108'),
      '.',
    ),
  );
}

export function explainRelu(t?: HeadTerms): HTMLElement {
  if (t?.activation === 'tanh') {
    return p(
      code('tanh(x)'),
      ` per unit squashes each ${t.dense} output into (−1, 1). Unlike ReLU nothing becomes exactly 0; instead large inputs saturate near ±1, where the unit says "very much yes/no" and its exact input no longer matters.`,
    );
  }
  return p(
    code('ReLU(x) = max(0, x)'),
    ' per unit: every negative pre_classifier output becomes exactly 0 and contributes nothing to the logits. Zeroed units show as gaps.',
  );
}

export function explainDropout(prob: number | undefined, t?: HeadTerms): HTMLElement {
  const key = t && t.kind !== 'distilbert' ? 'classifier_dropout (else hidden_dropout_prob)' : 'seq_classif_dropout';
  const pText = prob === undefined ? `p = config.json's ${key}` : `p = ${prob}`;
  return p(
    h('strong', {}, 'Identity at inference: '),
    `the vector passes through unchanged. Dropout (${pText}) only acts while training, where it zeroes a random fraction p of the units and scales the rest by 1/(1−p). `,
    'Nothing is computed here, so this stage has no picture.',
  );
}

export function explainClassifier(dim: number, labels: string[], problemType: ProblemType, t?: HeadTerms): HTMLElement {
  const name = t?.classifier ?? 'classifier';
  const act = t?.activation === 'tanh' ? 'tanh' : 'relu';
  const to =
    problemType === 'multi_label_classification'
      ? 'Each probability is sigmoid(logit), independently per label (multi-label: several can be high at once).'
      : problemType === 'regression'
        ? 'This is a regression head: the logit is the predicted value, no probabilities.'
        : 'Probabilities are softmax(logits): only differences between logits matter, so a unit that pushes every logit up equally changes nothing.';
  return p(
    code(`${name} = Linear(${dim}, ${labels.length})`),
    ': one logit per label, ',
    code(`logit[l] = bias[l] + Σu W[l,u]·${act}[u]`),
    `. Each term W[l,u]·${act}[u] is one unit's exact share, so the bars below add up to the logit. `,
    to,
  );
}

/** Why the head has a dense layer at all (sourced), and what the head lens does; the report words it the same (whyDense). */
export function explainLens(t: HeadTerms): HTMLElement {
  const why = whyDense(t);
  return h(
    'div',
    { class: 'explain', 'data-testid': 'why-dense' },
    p(why.text),
    p('Sources: ', ...why.sources.flatMap((src, i) => [i > 0 ? ', ' : '', link(src.url, src.title)]), '.'),
  );
}
