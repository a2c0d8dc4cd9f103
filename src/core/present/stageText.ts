// The plain-language explanation of every stage of the head, as data: the one source of this text. The panel
// renders it to DOM (src/webview/explain.ts), the Markdown report to Markdown (src/core/report/richText.ts).
// Wording follows the head's own names (headTerms), so a BERT or RoBERTa model is explained in its terms.
import type { HeadTerms } from '../head/headTerms';
import { whyDense as whyDenseStory } from '../head/lensStory';
import { SOURCES, type Source } from './sources';
import type { ProblemType } from '../types';

/** A run of text: plain, inline code, emphasis, a link, or a sentence about the panel's controls (not in reports). */
export type Inline =
  string | { code: string } | { strong: string } | { link: string; text: string } | { panelOnly: string };
/** One paragraph of an explanation. */
export type Paragraph = Inline[];
/** A stage's explanation: one or more paragraphs. */
export type Explanation = Paragraph[];

export { SOURCES };

const code = (s: string): Inline => ({ code: s });
const strong = (s: string): Inline => ({ strong: s });
const link = (s: Source): Inline => ({ link: s.url, text: s.title });

function tokens(t: HeadTerms): Explanation {
  const bpe = t.kind === 'roberta';
  return [
    [
      'The tokenizer splits the text into word pieces (',
      code(bpe ? 'Ġ' : '##'),
      bpe ? ' marks a piece that starts a new word) and adds ' : ' marks a piece that continues a word) and adds ',
      code(t.first),
      ' in front and ',
      code(bpe ? '</s>' : '[SEP]'),
      ' at the end.',
      {
        panelOnly:
          ' Hover a piece for its vocabulary id and character range; click it (or press Enter) to select that text in the editor.',
      },
    ],
  ];
}

function layers(t: HeadTerms, nLayers: number): Explanation {
  return [
    [
      `${t.family} passes every token through ${nLayers} transformer blocks (self-attention, then a feed-forward network, each followed by LayerNorm). `,
      `Each row is the ${t.first} token's vector after one block. `,
      code(t.first),
      ' means nothing by itself; fine-tuning teaches the model to gather what the classifier needs at that position. Only the last row enters the head.',
    ],
  ];
}

function cls(t: HeadTerms, dim: number): Explanation {
  const first = t.kind === 'roberta' ? "<s> (RoBERTa's [CLS])" : '[CLS]';
  return [
    [
      code('hidden_state[:, 0]'),
      `: the last block's output at the ${first} position, ${dim} numbers. It is the only position the classification head reads; the other tokens' vectors are not used.`,
    ],
  ];
}

function dense(t: HeadTerms, dim: number): Explanation {
  if (t.kind === 'bert') {
    return [
      [
        code(`bert.pooler.dense = Linear(${dim}, ${dim})`),
        ": BERT's pooler, a full matrix multiply plus bias on [CLS], followed by tanh.",
      ],
      [
        strong('What it is. '),
        'The pooler comes with the pretrained encoder: BERT trained it on next-sentence prediction, so fine-tuning starts from a layer that already summarises a sequence pair. ',
        'DistilBERT has no such layer (no next-sentence prediction), which is why it adds pre_classifier. See the comparison below.',
      ],
      ['Sources: ', link(SOURCES.bert), ' (BertPooler, BertForSequenceClassification).'],
    ];
  }
  if (t.kind === 'roberta') {
    return [
      [
        code(`classifier.dense = Linear(${dim}, ${dim})`),
        ': the first layer of RobertaClassificationHead, on <s> after a dropout, followed by tanh.',
      ],
      [
        strong('What it is. '),
        "RoBERTa is pretrained without next-sentence prediction, so its pooler is not used for classification; the head brings this dense layer, newly initialised when fine-tuning starts, like DistilBERT's pre_classifier (which uses ReLU instead of tanh).",
      ],
      ['Sources: ', link(SOURCES.roberta), ' (RobertaClassificationHead).'],
    ];
  }
  return [
    [
      code(`pre_classifier = Linear(${dim}, ${dim})`),
      ': a full matrix multiply plus bias that mixes all units of the [CLS] vector.',
    ],
    [
      strong('What it is. '),
      "pre_classifier is DistilBERT's counterpart of BERT's pooler. In BERT the pooler is a dense layer followed by ",
      code('tanh'),
      ' on [CLS], pretrained with next-sentence prediction. DistilBERT drops next-sentence prediction, so there is no pretrained pooler: ',
      code('DistilBertForSequenceClassification'),
      ' adds a dense layer followed by ',
      code('ReLU'),
      " that is newly initialised when fine-tuning starts, which keeps the head the same size (the same parameter count) as BERT's pooler + classifier.",
    ],
    [
      'Sources: ',
      link(SOURCES.distilbert),
      ' (DistilBertForSequenceClassification), ',
      link(SOURCES.bert),
      ' (BertPooler), and the DistilBERT paper, ',
      link(SOURCES.paper),
      '.',
    ],
  ];
}

function activation(t: HeadTerms): Explanation {
  if (t.activation === 'tanh') {
    return [
      [
        code('tanh(x)'),
        ` per unit squashes each ${t.dense} output into (−1, 1). Unlike ReLU nothing becomes exactly 0; instead large inputs saturate near ±1, where the unit says "very much yes/no" and its exact input no longer matters.`,
      ],
    ];
  }
  return [
    [
      code('ReLU(x) = max(0, x)'),
      ' per unit: every negative pre_classifier output becomes exactly 0 and contributes nothing to the logits. Zeroed units show as gaps.',
    ],
  ];
}

function dropout(t: HeadTerms, prob: number | undefined): Explanation {
  const key = t.kind !== 'distilbert' ? 'classifier_dropout (else hidden_dropout_prob)' : 'seq_classif_dropout';
  const pText = prob === undefined ? `p = config.json's ${key}` : `p = ${prob}`;
  return [
    [
      strong('Identity at inference: '),
      `the vector passes through unchanged. Dropout (${pText}) only acts while training, where it zeroes a random fraction p of the units and scales the rest by 1/(1−p). `,
      'Nothing is computed here, so this stage has no picture.',
    ],
  ];
}

function classifier(t: HeadTerms, dim: number, nLabels: number, problemType: ProblemType): Explanation {
  const act = t.activation;
  const to =
    problemType === 'multi_label_classification'
      ? 'Each probability is sigmoid(logit), independently per label (multi-label: several can be high at once).'
      : problemType === 'regression'
        ? 'This is a regression head: the logit is the predicted value, no probabilities.'
        : 'Probabilities are softmax(logits): only differences between logits matter, so a unit that pushes every logit up equally changes nothing.';
  return [
    [
      code(`${t.classifier} = Linear(${dim}, ${nLabels})`),
      ': one logit per label, ',
      code(`logit[l] = bias[l] + Σu W[l,u]·${act}[u]`),
      `. Each term W[l,u]·${act}[u] is one unit's exact share, so the bars below add up to the logit. `,
      to,
    ],
  ];
}

/** Why the head has a dense layer at all, with the sources it paraphrases (the head lens card and report section). */
function whyDense(t: HeadTerms): Explanation {
  const why = whyDenseStory(t);
  return [[why.text], ['Sources: ', ...why.sources.flatMap((s, i) => [i > 0 ? ', ' : '', link(s)]), '.']];
}

/** Each stage's explanation, in data-flow order. */
export const stageText = { tokens, layers, cls, dense, activation, dropout, classifier, whyDense };

/** The explanation's words, paragraphs joined by blank lines; panel-only sentences only when `panel` is set. */
export function plainText(e: Explanation, panel = false): string {
  const word = (x: Inline): string =>
    typeof x === 'string'
      ? x
      : 'code' in x
        ? x.code
        : 'strong' in x
          ? x.strong
          : 'link' in x
            ? x.text
            : panel
              ? x.panelOnly
              : '';
  return e.map((p) => p.map(word).join('')).join('\n\n');
}
