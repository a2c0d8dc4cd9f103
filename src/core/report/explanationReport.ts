// The explanation on show in the panel (occlusion, partition SHAP or attention rollout) in the Markdown report:
// its method and cost, one bar per word, and its faithfulness (comprehensiveness and sufficiency for deletion
// and [MASK]) with the panel's one-line summary, so a shared report says how far the attribution can be trusted.
import type { AttributionResult } from '../attribution/explain';
import { describeCost, METHOD_NAMES } from '../attribution/explain';
import { describeFaithfulness, type Faithfulness } from '../attribution/faithfulness';
import { mdText } from './escape';
import { int } from '../present/format';
import { mdTable, type Section } from './markdown';
import { barChart, fmt } from './svg';

function faithfulnessPart(f: Faithfulness): string[] {
  const protocols: [string, Faithfulness['deletion'] | undefined][] = [
    ['deletion', f.deletion],
    ['[MASK]', f.mask],
  ];
  const shown = protocols.filter((p): p is [string, Faithfulness['deletion']] => p[1] !== undefined);
  return [
    `Faithfulness (ERASER, for ${mdText(f.label)}): ${mdText(describeFaithfulness(f))}. Comprehensiveness is the drop in the label's probability when the top words are taken out (higher is better); sufficiency the drop when only they are kept (lower is better). AOPC averages over the top ${f.fractions.map((x) => `${Math.round(x * 100)}`).join(', ')}% of the words; ${int(f.forwardPasses)} forward passes.`,
    mdTable(
      ['protocol', 'comprehensiveness AOPC', 'sufficiency AOPC'],
      shown.map(([name, s]) => [mdText(name), fmt(s.comprehensivenessAopc), fmt(s.sufficiencyAopc)]),
      [false, true, true],
    ),
    mdTable(
      [
        'top',
        'words',
        ...shown.flatMap(([name]) => [`comprehensiveness (${mdText(name)})`, `sufficiency (${mdText(name)})`]),
      ],
      f.fractions.map((x, i) => [
        `${Math.round(x * 100)}%`,
        String(f.counts[i] ?? ''),
        ...shown.flatMap(([, s]) => [fmt(s.comprehensiveness[i] ?? 0), fmt(s.sufficiency[i] ?? 0)]),
      ]),
      [false, true, ...shown.flatMap(() => [true, true])],
    ),
  ];
}

/** One explanation on show; `n` numbers its chart file (a panel can show occlusion and a picked method at once). */
export function explanationSection(r: AttributionResult, n: number): Section {
  return (ctx) => {
    const name = METHOD_NAMES[r.method];
    const title = `Which words drove the decision: ${name}`;
    const bars = r.items.map((it, i) => ({ label: `${i + 1}. ${it.text}`, value: it.score, emphasis: true }));
    const c = r.coverage;
    const parts = [
      `## ${mdText(title)}`,
      `${mdText(describeCost(r))}, explaining **${mdText(r.label)}**. Score: ${mdText(r.scoreMeaning)}.`,
      ctx.image(
        `explanation-${n}.svg`,
        barChart(bars, {
          title,
          desc: `${name} score per word, in text order: ${bars.map((b) => `${b.label} ${fmt(b.value)}`).join(', ')}.`,
          signed: true,
        }),
        title,
      ),
    ];
    if (!c.complete)
      parts.push(`Covers the first window only: characters 0–${int(c.coveredEnd)} of ${int(c.textLength)}.`);
    parts.push(
      ...(r.faithfulness ? faithfulnessPart(r.faithfulness) : ['This explanation was not scored for faithfulness.']),
    );
    return parts.join('\n\n');
  };
}
