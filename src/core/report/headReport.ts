// One detailed window in the report, stage by stage through the classification head: word pieces, the first
// token after each block, dense, activation, dropout, classifier, then the units behind each logit and each
// label's waterfall. The same explanations as the panel (stageText) and the same top-unit rule (topUnitsFor).
import type { Inspection, UnitShare } from '../types';
import { fenced, mdText } from './escape';
import { mdTable, type Section } from './markdown';
import { fmt, heatMatrix, heatStrip, waterfall } from './svg';
import { saturatedUnits } from '../head/headTerms';
import type { ReportTerms } from './terms';
import { stageText } from '../present/stageText';
import { mdExplanation } from './richText';
import { int } from '../present/format';
import { logitSteps, topUnitsFor } from '../present/logitSteps';
import { isRegression, resultHead, resultRows } from './resultTable';

const MAX_PIECES = 512;
/** Above this many labels a window's decomposition shows the labels with the highest logits only. */
const MAX_WATERFALLS = 8;

/** The units pushing most toward / against a label (topUnitsFor: the panel's rule too), each as "unit u +share". */
function shares(list: UnitShare[] | undefined): string {
  if (!list || list.length === 0) return '—';
  return list.map((s) => `unit ${s.unit} ${s.value >= 0 ? '+' : ''}${fmt(s.value)}`).join(', ');
}

/** The stage-by-stage part of window `index` (0-based); nothing when there is no such window. */
export function windowSection(ins: Inspection, index: number, t: ReportTerms, dropout: number | undefined): Section {
  return (ctx) => {
    const w = ins.windows[index];
    if (!w) return undefined;
    const many = ins.windows.length > 1;
    const prefix = `w${index + 1}-`;
    const where = many ? ` (window ${index + 1})` : '';
    const dim = ins.model.dim;
    const norms = w.head.norms;
    const first = mdText(t.first);
    const dense = mdText(t.dense);
    const parts: string[] = [
      many
        ? `## Window ${index + 1} of ${ins.windows.length}: ${mdText(w.label)}, characters ${w.start}–${w.end}, ${w.tokenCount} tokens`
        : '## The head, stage by stage',
    ];

    const pieces = w.tokens
      .slice(0, MAX_PIECES)
      .map((p) => p.text)
      .join(' ');
    parts.push(
      `### 0. Input word pieces`,
      `${mdExplanation(stageText.tokens(t))} ${int(w.tokens.length)} tokens${w.truncated ? ", truncated to the model's maximum" : ''}${w.tokens.length > MAX_PIECES ? `; the first ${MAX_PIECES} are listed` : ''}.`,
      fenced(pieces),
    );

    const blocks = w.stages.layers.map((_, i) => `block ${i + 1}`);
    parts.push(
      `### 1. ${first} after each transformer block`,
      mdExplanation(stageText.layers(t, w.stages.layers.length)),
      mdTable(
        ['block', 'L2 norm'],
        blocks.map((b, i) => [b, fmt(norms.layers[i] ?? 0)]),
        [false, true],
      ),
      ctx.image(
        `${prefix}layers.svg`,
        heatMatrix(w.stages.layers, blocks, { title: `${t.first} after each block${where}` }),
        `${t.first} after each block${where}`,
      ),
    );

    parts.push(
      `### 2. ${first} entering ${dense}`,
      mdExplanation(stageText.cls(t, dim)),
      `L2 norm ${fmt(norms.cls)}.`,
      ctx.image(
        `${prefix}cls.svg`,
        heatStrip(w.stages.cls, { title: `${t.first} entering ${t.dense}${where}` }),
        `${t.first} entering ${t.dense}${where}`,
      ),
    );

    const positive = w.stages.preClassifier.filter((v) => v > 0).length;
    parts.push(
      `### 3. ${dense} (dense${t.quantized ? ', int8' : ''}), ${dim} → ${dim}`,
      mdExplanation(stageText.dense(t, dim)),
      `L2 norm ${fmt(norms.preClassifier)}; ${positive} of ${dim} units are positive.`,
      ctx.image(
        `${prefix}dense.svg`,
        heatStrip(w.stages.preClassifier, { title: `${t.dense} output${where}` }),
        `${t.dense} output${where}`,
      ),
    );

    const saturated = saturatedUnits(w.stages.activation);
    parts.push(
      `### 4. ${t.act}`,
      mdExplanation(stageText.activation(t)),
      t.activation === 'relu'
        ? `${w.head.zeroedUnits} of ${dim} units are zeroed, ${w.head.activeUnits} stay active; L2 norm ${fmt(norms.relu)}.`
        : `${saturated} of ${dim} units are saturated (|tanh| > 0.99); none is zeroed; L2 norm ${fmt(norms.relu)}.`,
      ctx.image(
        `${prefix}activation.svg`,
        heatStrip(w.stages.activation, { title: `${t.act} output${where}` }),
        `${t.act} output${where}`,
      ),
    );

    parts.push(`### 5. dropout (identity)`, mdExplanation(stageText.dropout(t, dropout)));

    const labels = ins.model.labels;
    parts.push(
      `### 6. ${mdText(t.classifier)} → logits${isRegression(ins) ? '' : ' → probabilities'}`,
      mdExplanation(stageText.classifier(t, dim, labels.length, ins.model.problemType)),
    );
    if (many) {
      const { head, right } = resultHead(ins);
      parts.push(mdTable(head, resultRows(ins, w.probabilities, w.logits, w.label), right));
    }
    parts.push(
      `Units pushing each logit up (toward) and down (against), the ${t.activation === 'relu' ? 'ReLU' : 'tanh'} value times the classifier weight:`,
      mdTable(
        ['label', 'toward', 'against'],
        labels.map((l) => [mdText(l), shares(topUnitsFor(w, l).toward), shares(topUnitsFor(w, l).against)]),
      ),
    );
    const order = labels.map((l, i) => ({ l, i, v: w.logits[i] ?? 0 }));
    const drawn =
      labels.length > MAX_WATERFALLS
        ? [...order]
            .sort((a, b) => b.v - a.v)
            .slice(0, MAX_WATERFALLS)
            .sort((a, b) => a.i - b.i)
        : order;
    if (drawn.length < labels.length)
      parts.push(`Decompositions of the ${MAX_WATERFALLS} labels with the highest logits:`);
    for (const { l, i, v } of drawn) {
      const steps = logitSteps(w, l, v);
      if (!steps) continue;
      const title = `Where the logit of ${l} comes from${where}`;
      const desc = `logit ${l} = ${steps
        .slice(0, -1)
        .map((s) => `${s.label} ${fmt(s.delta)}`)
        .join(' + ')} = ${fmt(v)}`;
      parts.push(
        `#### ${mdText(title)}`,
        ctx.image(`${prefix}logit-${i}.svg`, waterfall(steps, { title, desc }), title),
      );
    }
    return parts.join('\n\n');
  };
}
