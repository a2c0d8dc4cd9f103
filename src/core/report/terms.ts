// One plain sentence per stage, for the Markdown report: a small core copy of the webview's explain.ts wording
// (that builds DOM nodes, and the core must not import webview code). The head's names are shared: ../head/headTerms.
import { headTerms, type HeadTerms } from '../head/headTerms';
import { lensSummary, whyDense, type Source } from '../head/lensStory';
import type { LensEntry, ProblemType } from '../types';

/** The report names the head like the panel does. */
export type ReportTerms = HeadTerms;
export const reportTerms = headTerms;

/** One sentence per stage, in data-flow order. */
export const explain = {
  tokens: (t: ReportTerms): string =>
    `The tokenizer splits the text into word pieces and adds ${t.first} in front and ${t.kind === 'roberta' ? '</s>' : '[SEP]'} at the end; only the ${t.first} position feeds the classification head.`,
  layers: (t: ReportTerms, n: number): string =>
    `${t.family} passes every token through ${n} transformer blocks (self-attention, then a feed-forward network, each followed by LayerNorm); each row is the ${t.first} vector after one block, and only the last row enters the head.`,
  cls: (t: ReportTerms, dim: number): string =>
    `hidden_state[:, 0]: the last block's output at the ${t.first} position, ${dim} numbers, the only position the head reads.`,
  dense: (t: ReportTerms, dim: number): string => {
    if (t.kind === 'bert') {
      return `bert.pooler.dense = Linear(${dim}, ${dim}) followed by tanh: BERT's pooler, pretrained with next-sentence prediction and only adjusted by fine-tuning.`;
    }
    if (t.kind === 'roberta') {
      return `classifier.dense = Linear(${dim}, ${dim}) followed by tanh: the first layer of RobertaClassificationHead, newly initialised when fine-tuning starts (RoBERTa drops next-sentence prediction, so its pooler is unused).`;
    }
    return `pre_classifier = Linear(${dim}, ${dim}) followed by ReLU: DistilBERT's counterpart of BERT's pooler (dense + tanh, pretrained with next-sentence prediction); DistilBERT has no next-sentence prediction, so this dense layer starts fresh at fine-tuning.`;
  },
  activation: (t: ReportTerms): string =>
    t.activation === 'relu'
      ? 'ReLU(x) = max(0, x) per unit: every negative output becomes exactly 0 and contributes nothing to the logits.'
      : `tanh per unit squashes each ${t.dense} output into (−1, 1); nothing becomes exactly 0, but units near ±1 are saturated.`,
  dropout: (t: ReportTerms, p: number | undefined): string =>
    `Dropout (p = ${p ?? (t.kind === 'distilbert' ? "config.json's seq_classif_dropout" : "config.json's classifier_dropout")}) is the identity at inference: the vector passes through unchanged.`,
  classifier: (t: ReportTerms, dim: number, labels: number, problemType: ProblemType): string => {
    const to =
      problemType === 'multi_label_classification'
        ? 'each probability is sigmoid(logit), independently per label'
        : problemType === 'regression'
          ? 'this is a regression head: the logit is the predicted value'
          : 'probabilities are softmax(logits)';
    return `${t.classifier} = Linear(${dim}, ${labels}): logit[l] = bias[l] + Σu W[l,u]·${t.activation}[u], so each unit's term is its exact share of the logit; ${to}.`;
  },
  /** Why the head has a dense layer (the panel's explainLens paragraph) and the sources it paraphrases. */
  whyDense: (t: ReportTerms): { text: string; sources: Source[] } => whyDense(t),
  /** What the head lens shows for this input (the panel's lens summary). */
  lens: (lens: LensEntry[], settledAt: number | undefined, labels: string[], problemType: ProblemType): string => lensSummary(lens, settledAt, labels, problemType),
};
