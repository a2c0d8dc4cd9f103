// The sources the explanations cite, in one place: the stage texts (stageText.ts), the head lens paragraph
// (../head/lensStory.ts) and the panel's head comparison card link the same pages.

/** A cited source: text to show and where it is. */
export interface Source {
  title: string;
  url: string;
}

/** transformers' modeling files, the DistilBERT paper and the issue on why pre_classifier exists. */
export const SOURCES = {
  distilbert: {
    title: 'modeling_distilbert.py',
    url: 'https://github.com/huggingface/transformers/blob/main/src/transformers/models/distilbert/modeling_distilbert.py',
  },
  bert: {
    title: 'modeling_bert.py',
    url: 'https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/modeling_bert.py',
  },
  roberta: {
    title: 'modeling_roberta.py',
    url: 'https://github.com/huggingface/transformers/blob/main/src/transformers/models/roberta/modeling_roberta.py',
  },
  paper: { title: 'arXiv 1910.01108', url: 'https://arxiv.org/abs/1910.01108' },
  issue1535: {
    title: 'huggingface/transformers issue 1535 (V. Sanh, 2019)',
    url: 'https://github.com/huggingface/transformers/issues/1535',
  },
} satisfies Record<string, Source>;
