// The classification head in its own terms (DistilBERT pre_classifier + ReLU, BERT pooler + tanh, RoBERTa
// classifier.dense + tanh). One pure copy shared by the panel (src/webview/heads.ts) and the Markdown report.
import type { HeadActivation, HeadKind, ModelInfo } from '../types';

/** How each family builds its head (transformers' modeling files): fixed facts, not read from the model. */
export const HEAD_FAMILY: Record<
  HeadKind,
  {
    family: string;
    dense: string;
    activation: HeadActivation;
    classifier: string;
    pretrained: boolean;
    modelClass: string;
  }
> = {
  distilbert: {
    family: 'DistilBERT',
    dense: 'pre_classifier',
    activation: 'relu',
    classifier: 'classifier',
    pretrained: false,
    modelClass: 'DistilBertForSequenceClassification',
  },
  bert: {
    family: 'BERT',
    dense: 'bert.pooler.dense',
    activation: 'tanh',
    classifier: 'classifier',
    pretrained: true,
    modelClass: 'BertForSequenceClassification',
  },
  roberta: {
    family: 'RoBERTa',
    dense: 'classifier.dense',
    activation: 'tanh',
    classifier: 'classifier.out_proj',
    pretrained: false,
    modelClass: 'RobertaForSequenceClassification',
  },
};

/** What this model's head and its stages are called. */
export interface HeadTerms {
  kind: HeadKind;
  family: string;
  /** Parameter name of the dense layer: pre_classifier, bert.pooler.dense or classifier.dense. */
  dense: string;
  activation: HeadActivation;
  /** 'ReLU' or 'tanh' as written in titles. */
  act: string;
  classifier: string;
  pretrained: boolean;
  quantized: boolean;
  /** The first token the head reads: [CLS], or <s> for RoBERTa. */
  first: string;
  /** The transformers class of the whole model. */
  modelClass: string;
}

/** DistilBERT's names when the core did not say (inspections exported before model.head existed). */
export function headTerms(model: ModelInfo): HeadTerms {
  const head = model.head;
  const kind = head?.kind ?? 'distilbert';
  const f = HEAD_FAMILY[kind];
  const activation = head?.activation ?? f.activation;
  return {
    kind,
    family: f.family,
    dense: head?.denseName ?? f.dense,
    activation,
    act: activation === 'relu' ? 'ReLU' : 'tanh',
    classifier: head?.classifierName ?? f.classifier,
    pretrained: head?.pretrainedDense ?? f.pretrained,
    quantized: head?.quantized ?? false,
    first: kind === 'roberta' ? '<s>' : '[CLS]',
    modelClass: f.modelClass,
  };
}

/** Units of a tanh output at the flat ends (|x| > 0.99, as the CLI counts them): the gradient is nearly zero there. */
export function saturatedUnits(values: number[]): number {
  return values.filter((x) => Math.abs(x) > 0.99).length;
}
