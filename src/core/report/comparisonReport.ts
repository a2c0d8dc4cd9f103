// The Markdown report of "Compare Two Texts": which two texts and which model, the labels and logits of both with
// their difference, how far apart each stage's vector is, and per label the activation units whose contribution to
// the logit moved most, with charts. Built only from the core's TextComparison (every Δ is B − A), so the report
// states the panel's numbers. Both texts are untrusted: fenced() quotes them verbatim, mdText()/xml() the rest.
import {
  stageTitle,
  type ComparedSide,
  type ContributionDiff,
  type TextComparison,
  type UnitDelta,
} from '../compare/textCompare';
import { fenced, mdText } from './escape';
import { int, pct as percent } from '../present/format';
import { EXCERPT_CHARS, footerSection, modelSection } from './inspectionReport';
import { composeReport, mdTable, type Report, type Section } from './markdown';
import { barChart, fmt, heatStrip, waterfall, type BarDatum, type WaterfallStep } from './svg';
import { reportTerms, type ReportTerms } from './terms';

/** One compared text as the report quotes it. */
export interface ReportedText {
  /** How the panel names it: "selection 1 in a.md (line 3)", "the clipboard", "a.md at HEAD". */
  what: string;
  /** The text, or only its start when that is all the host still has (the panel's excerpt after a window reload). */
  text: string;
  /** The whole text's length (UTF-16 code units, like the panel's count). */
  length: number;
}

/** What the comparison report is about. */
export interface ComparisonReportInput {
  comparison: TextComparison;
  texts: [ReportedText, ReportedText];
}

/** The stage table lists this many of each stage's top units (the comparison carries `topUnits` of them). */
export const STAGE_UNITS_SHOWN = 5;
/** Above this many labels, only the labels whose logit moved most get a waterfall chart (all get a table). */
const MAX_WATERFALLS = 8;
const SIDES = ['A', 'B'] as const;

const signed = (v: number): string => (v >= 0 ? `+${fmt(v)}` : fmt(v));
const pct = (p: number): string => percent(p, 2);
const isRegression = (c: TextComparison): boolean => c.problemType === 'regression';
const sideOf = (c: TextComparison, i: 0 | 1): ComparedSide => (i === 0 ? c.a : c.b);

/** The winner's value as a sentence part: "probability 0.9731 (97.31%)", or "score 0.4210" for regression. */
function valueText(c: TextComparison, s: ComparedSide): string {
  if (isRegression(c)) return `score ${fmt(s.logits[0] ?? 0)}`;
  const p = s.probabilities[s.label] ?? 0;
  return `probability ${fmt(p)} (${pct(p)})`;
}

/** The label whose logit moved most, and by how much. */
function largestMove(c: TextComparison): { label: string; delta: number } {
  let best = { label: c.model.labels[0] ?? '', delta: c.logitDelta[0] ?? 0 };
  c.logitDelta.forEach((d, i) => {
    if (Math.abs(d) > Math.abs(best.delta)) best = { label: c.model.labels[i] ?? '', delta: d };
  });
  return best;
}

function titleSection(input: ComparisonReportInput): Section {
  return () => {
    const c = input.comparison;
    const [ta, tb] = input.texts;
    const verdict = c.labelChanged
      ? `The label changes: A is **${mdText(c.a.label)}**, B is **${mdText(c.b.label)}**.`
      : `Both texts are **${mdText(c.a.label)}**.`;
    const move = largestMove(c);
    const parts = [
      `# DistilBERT Inspector comparison: A ${mdText(c.a.label)}, B ${mdText(c.b.label)}`,
      `A is ${mdText(ta.what)}; B is ${mdText(tb.what)}. Every Δ (difference) in this report is B − A.`,
      `${verdict} Largest logit change: ${mdText(move.label)} ${signed(move.delta)}.`,
    ];
    if (c.a.mean || c.b.mean) {
      parts.push(
        'A text read in several windows is summarised by the token-weighted mean of its windows (the same weights as its aggregate logits, so its mean contributions add up to them); the mean activation vector is not the activation of the mean.',
      );
    }
    return parts.join('\n\n');
  };
}

function textSection(input: ComparisonReportInput): Section {
  return () => {
    const c = input.comparison;
    const parts = ['## The two texts'];
    input.texts.forEach((t, k) => {
      const i = k as 0 | 1;
      const s = sideOf(c, i);
      const windows = s.windows > 1 ? `${s.windows} windows, summarised by their token-weighted mean` : 'one window';
      const cut = Array.from(t.text).slice(0, EXCERPT_CHARS).join('');
      parts.push(
        `### ${SIDES[i]}: ${mdText(t.what)}`,
        `Label **${mdText(s.label)}**, ${valueText(c, s)}. ${int(t.length)} characters, ${int(s.tokens)} tokens, ${windows}.${s.complete ? '' : ' Truncated: the model read only the start of this text.'}`,
        cut.length < t.length ? `The first ${int(cut.length)} of ${int(t.length)} characters:` : 'The text:',
        fenced(cut),
      );
    });
    return parts.join('\n\n');
  };
}

function resultSection(c: TextComparison): Section {
  return (ctx) => {
    const labels = c.model.labels;
    const reg = isRegression(c);
    const head = reg
      ? ['label', 'score A', 'score B', 'Δ score']
      : ['label', 'logit A', 'logit B', 'Δ logit', 'probability A', 'probability B', 'Δ probability'];
    const rows = labels.map((l, i) => {
      const cells = [mdText(l), fmt(c.a.logits[i] ?? 0), fmt(c.b.logits[i] ?? 0), signed(c.logitDelta[i] ?? 0)];
      if (!reg)
        cells.push(fmt(c.a.probabilities[l] ?? 0), fmt(c.b.probabilities[l] ?? 0), signed(c.probabilityDelta[l] ?? 0));
      return cells;
    });
    const both: BarDatum[] = labels.flatMap((l, i) => [
      { label: `A: ${l}`, value: c.a.logits[i] ?? 0, emphasis: l === c.a.label },
      { label: `B: ${l}`, value: c.b.logits[i] ?? 0, emphasis: l === c.b.label },
    ]);
    const deltas: BarDatum[] = labels.map((l, i) => ({ label: l, value: c.logitDelta[i] ?? 0, emphasis: true }));
    const describe = (bars: BarDatum[]): string => bars.map((b) => `${b.label} ${fmt(b.value)}`).join(', ');
    const what = reg ? 'Scores' : 'Logits';
    return [
      `## Labels and ${reg ? 'scores' : 'logits'}`,
      mdTable(
        head,
        rows,
        head.map((_, i) => i > 0),
      ),
      ctx.image(
        'comparison-logits.svg',
        barChart(both, {
          title: `${what} of A and B`,
          desc: `Two bars per label, A then B: ${describe(both)}.`,
          signed: true,
        }),
        `${what} of A and B`,
      ),
      ctx.image(
        'comparison-logit-delta.svg',
        barChart(deltas, { title: 'Δ logit (B − A)', desc: `One bar per label: ${describe(deltas)}.`, signed: true }),
        'Δ logit (B − A)',
      ),
    ].join('\n\n');
  };
}

/** "unit 12 +0.4321" for the units that moved most (A and B values are in the per-label tables and the charts' titles). */
function moved(top: UnitDelta[], n: number): string {
  return top.length === 0
    ? '—'
    : top
        .slice(0, n)
        .map((x) => `unit ${x.unit} ${signed(x.delta)}`)
        .join(', ');
}

function stageSection(c: TextComparison, t: ReportTerms): Section {
  return (ctx) => {
    const names = c.stages.map((d) => stageTitle(d.stage, t));
    const rows = c.stages.map((d, i) => [
      mdText(names[i] ?? ''),
      d.cosine === null ? '—' : fmt(d.cosine),
      fmt(d.normA),
      fmt(d.normB),
      fmt(d.distance),
      moved(d.top, STAGE_UNITS_SHOWN),
    ]);
    const parts = [
      '## How far apart each stage is',
      `Cosine 1 means the two vectors point the same way; ‖B − A‖ is how far apart they are (L2 norms). The last column lists the ${Math.min(STAGE_UNITS_SHOWN, c.topUnits)} units whose value changed most, with the change.`,
      mdTable(['stage', 'cosine', '‖A‖', '‖B‖', '‖B − A‖', 'units that changed most (Δ)'], rows, [
        false,
        true,
        true,
        true,
        true,
        false,
      ]),
    ];
    if (c.stages.some((d) => d.cosine === null))
      parts.push('—: one of the two vectors is all zeros, so the cosine is undefined.');
    const bars: BarDatum[] = c.stages.map((d, i) => ({
      label: `${names[i]}${d.cosine === null ? ' (undefined)' : ''}`,
      value: d.cosine ?? 0,
      emphasis: d.cosine !== null,
    }));
    parts.push(
      ctx.image(
        'comparison-cosine.svg',
        barChart(bars, {
          title: 'Cosine of A and B per stage',
          desc: `One bar per stage, from the first block to the head: ${bars.map((b) => `${b.label} ${fmt(b.value)}`).join(', ')}.`,
          signed: true,
          max: 1,
        }),
        'Cosine of A and B per stage',
      ),
    );
    const act = c.stages.find((d) => d.stage.kind === 'relu');
    if (act) {
      const title = `Δ ${t.act} output (B − A) per unit`;
      parts.push(ctx.image('comparison-activation-delta.svg', heatStrip(act.delta, { title }), title));
    }
    return parts.join('\n\n');
  };
}

/** The waterfall from A's logit to B's: A's logit, each listed unit's move, the rest, and B's logit as the total. */
export function movementSteps(cd: ContributionDiff, logitA: number, logitB: number, dim: number): WaterfallStep[] {
  return [
    { label: `logit ${cd.label} in A`, delta: logitA, kind: 'bias' },
    ...cd.top.map((x): WaterfallStep => ({
      label: `unit ${x.unit}`,
      delta: x.delta,
      kind: x.delta >= 0 ? 'toward' : 'against',
    })),
    { label: `${dim - cd.top.length} other units`, delta: cd.rest, kind: 'rest' },
    { label: `logit ${cd.label} in B`, delta: logitB, kind: 'total' },
  ];
}

function contributionSection(c: TextComparison, t: ReportTerms): Section {
  return (ctx) => {
    const labels = c.model.labels;
    const parts = [
      `## ${t.act} units whose contribution moved most`,
      `Each unit adds ${mdText(t.classifier)} weight × ${t.act} value to a logit. Per label, the ${c.topUnits} units whose share changed most from A to B; with the other units they make up the logit's change exactly (the bias cancels).`,
    ];
    // Charts for the labels whose logit moved most when there are many; every label keeps its table.
    const charted = new Set(
      labels
        .map((_, i) => i)
        .sort((x, y) => Math.abs(c.logitDelta[y] ?? 0) - Math.abs(c.logitDelta[x] ?? 0))
        .slice(0, MAX_WATERFALLS),
    );
    c.contributions.forEach((cd, i) => {
      const a = c.a.logits[i] ?? 0;
      const b = c.b.logits[i] ?? 0;
      const others = c.model.dim - cd.top.length;
      const rows = cd.top.map((x) => [`unit ${x.unit}`, fmt(x.a), fmt(x.b), signed(x.delta)]);
      rows.push([`${others} other units`, '—', '—', signed(cd.rest)]);
      parts.push(
        `### Logit ${mdText(cd.label)}: ${fmt(a)} → ${fmt(b)} (Δ ${signed(cd.logitDelta)})`,
        mdTable(['unit', 'contribution in A', 'contribution in B', 'Δ'], rows, [false, true, true, true]),
      );
      if (charted.has(i)) {
        const steps = movementSteps(cd, a, b, c.model.dim);
        const title = `How logit ${cd.label} moved from A to B`;
        const desc = `logit ${cd.label} in B = ${steps
          .slice(0, -1)
          .map((s) => `${s.label} ${fmt(s.delta)}`)
          .join(' + ')} = ${fmt(b)}`;
        parts.push(ctx.image(`comparison-contribution-${i}.svg`, waterfall(steps, { title, desc }), title));
      }
    });
    if (labels.length > MAX_WATERFALLS)
      parts.push(`Charts are drawn for the ${MAX_WATERFALLS} labels whose logit moved most.`);
    return parts.join('\n\n');
  };
}

/** The sections of a comparison's report, in the panel's order (compose them with others via composeReport). */
export function comparisonSections(input: ComparisonReportInput): Section[] {
  const c = input.comparison;
  const t = reportTerms(c.model);
  return [
    titleSection(input),
    modelSection(c.model, t),
    textSection(input),
    resultSection(c),
    stageSection(c, t),
    contributionSection(c, t),
  ];
}

/** The whole report of one comparison, with its charts under `assetFolder`; `extra` sections go before the closing line. */
export function comparisonReport(
  input: ComparisonReportInput,
  opts: { assetFolder: string; extra?: Section[] },
): Report {
  return composeReport([...comparisonSections(input), ...(opts.extra ?? []), footerSection], opts);
}
