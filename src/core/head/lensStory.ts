// The head lens in words, shared by the panel (src/webview/lens.ts, explain.ts) and the Markdown report
// (src/core/report/lensReport.ts, via ../present/stageText.ts): why the dense layer exists, with its sources, and what the lens shows for one input.
import type { LensEntry, ProblemType } from '../types';
import type { HeadTerms } from './headTerms';
import { pct } from '../present/format';
import { SOURCES, type Source } from '../present/sources';

export type { Source };

/** The sources the paragraph on the dense layer paraphrases. */
export const LENS_SOURCES = {
  issue1535: SOURCES.issue1535,
  distilbert: SOURCES.distilbert,
  paper: { ...SOURCES.paper, title: 'DistilBERT paper, arXiv 1910.01108' },
} satisfies Record<string, Source>;

/** Why the dense layer is there, in one paragraph, and the sources it paraphrases. */
export function whyDense(t: HeadTerms): { text: string; sources: Source[] } {
  const sources = [LENS_SOURCES.issue1535, LENS_SOURCES.distilbert, LENS_SOURCES.paper];
  const text =
    "Why a dense layer at all? BERT's pooler (dense + tanh on [CLS]) was trained for next-sentence prediction. DistilBERT dropped " +
    'next-sentence prediction, and with it the pooler; its author kept the Linear in DistilBertForSequenceClassification (pre_classifier, ' +
    'followed by ReLU and started fresh at fine-tuning) so that the classification heads of DistilBERT and BERT have the same number of ' +
    'parameters (transformers issue 1535).' +
    (t.kind === 'bert'
      ? ' This model is BERT: its dense layer is that pretrained pooler.'
      : t.kind === 'roberta'
        ? ' RoBERTa also dropped next-sentence prediction; its head brings its own fresh dense layer + tanh.'
        : '') +
    ` The head lens applies the whole head (${t.dense} → ${t.act} → ${t.classifier}) to ${t.first} after every block, so you can see when the answer forms.`;
  return { text, sources };
}

/** What the lens shows for this input: where the label settles and how the winner's confidence grows. */
export function lensSummary(
  lens: LensEntry[],
  settledAt: number | undefined,
  labels: string[],
  problemType: ProblemType,
): string {
  if (lens.length === 0) return '';
  const last = lens[lens.length - 1]!;
  const settle = settledAt ?? last.layer;
  const name = (layer: number) => (layer === 0 ? 'the embeddings' : `block ${layer}`);
  const li = labels.indexOf(last.label);
  const changes = lens.slice(1).filter((e, i) => e.label !== lens[i]!.label).length;
  const flips =
    changes === 0
      ? 'It never changes its mind.'
      : `It changes its mind ${changes} time${changes === 1 ? '' : 's'} on the way.`;
  if (problemType === 'regression') {
    return `For this input the head's score moves from ${lens[0]!.logits[0]!.toFixed(3)} after ${name(lens[0]!.layer)} to ${last.logits[0]!.toFixed(3)} after ${name(last.layer)}.`;
  }
  const p = (e: LensEntry) => pct(e.probabilities[li] ?? 0);
  const from = lens.find((e) => e.layer === settle) ?? last;
  const where = settle === lens[0]!.layer || settle === last.layer ? '' : `, ${p(from)} where it settles`;
  const decided =
    settle === last.layer
      ? `settles on ${last.label} only at ${name(settle)}, the last block`
      : `already reads ${last.label} after ${name(settle)} and keeps it to the end`;
  return `For this input the head ${decided}. ${flips} Its probability of ${last.label} is ${p(lens[0]!)} after ${name(lens[0]!.layer)}${where} and ${p(last)} after ${name(last.layer)}.`;
}
