// The sections of an inspection's report, in the panel's order: what was read and by which model, the result,
// the windows, and for each detailed window every stage of the head (headReport.ts) and the lens.
import type { Inspection, ModelInfo } from '../types';
import { fenced, mdText } from './escape';
import { composeReport, mdTable, type Report, type Section } from './markdown';
import { barChart, fmt } from './svg';
import { reportTerms, type ReportTerms } from './terms';
import { int, pct as percent } from '../present/format';
import { lensSection } from './lensReport';
import type { AttributionResult } from '../attribution/explain';
import { explanationSection } from './explanationReport';
import { windowSection } from './headReport';
import { isRegression, resultHead, resultRows } from './resultTable';

/** What the report is about. Only `inspection` is required. */
export interface InspectionReportInput {
  inspection: Inspection;
  /** The inspected text, for the excerpt. Without it the report says so and shows only the word pieces. */
  text?: string;
  /** Where the text came from, for the heading. */
  source?: { fileName: string; selection: boolean };
  /** 0-based windows drawn stage by stage; default the first `MAX_DETAILED_WINDOWS`. The windows table lists all. */
  detailWindows?: number[];
  /** The explanations the panel shows under the result (occlusion, a picked method), each with its faithfulness. */
  explanations?: AttributionResult[];
}

export const MAX_DETAILED_WINDOWS = 3;
/** The excerpt shows at most this many characters of the text (the windows table locates the rest). */
export const EXCERPT_CHARS = 2000;
/** Per-window tables list at most this many rows; a long file can have thousands of windows. */
export const MAX_WINDOW_ROWS = 500;

const pct = (p: number): string => percent(p, 2);

/** Which windows get the stage-by-stage part, validated and in order. */
export function detailedWindows(input: InspectionReportInput): number[] {
  const n = input.inspection.windows.length;
  const asked = input.detailWindows ?? Array.from({ length: Math.min(n, MAX_DETAILED_WINDOWS) }, (_, i) => i);
  return [...new Set(asked)].filter((i) => Number.isInteger(i) && i >= 0 && i < n).sort((a, b) => a - b);
}

function titleSection(input: InspectionReportInput): Section {
  return () => {
    const ins = input.inspection;
    const a = ins.aggregate;
    const what = input.source
      ? `${input.source.selection ? 'Selection in' : 'Whole file'} ${mdText(input.source.fileName)}`
      : 'Inspected text';
    const value = isRegression(ins)
      ? `score ${fmt(a.logits[0] ?? 0)}`
      : `probability ${fmt(a.probabilities[a.label] ?? 0)} (${pct(a.probabilities[a.label] ?? 0)})`;
    const many = ins.windows.length > 1 ? `, the token-weighted mean over ${ins.windows.length} windows` : '';
    return [
      `# DistilBERT Inspector report: ${mdText(a.label)}`,
      `${what}: label **${mdText(a.label)}**, ${value}${many}.`,
      `Tokenize ${ins.timing.tokenizeMs.toFixed(1)} ms, inference ${ins.timing.inferenceMs.toFixed(1)} ms, total ${ins.timing.totalMs.toFixed(1)} ms.`,
    ].join('\n\n');
  };
}

/** The model table; shared with the comparison report (both texts went through one model). */
export function modelSection(m: ModelInfo, t: ReportTerms): Section {
  return () => {
    const code = (s: string): string => mdText(s);
    const head = `${t.family}: ${code(t.dense)} → ${t.act} → dropout → ${code(t.classifier)}${t.quantized ? ' (int8)' : ''}`;
    const pretrained = t.pretrained
      ? 'pretrained with the encoder (next-sentence prediction)'
      : 'newly initialised at fine-tuning';
    const rows: [string, string][] = [
      ['name', mdText(m.name)],
      ['architecture', mdText(m.architecture)],
      ['head', head],
      ['dense layer', `${code(t.dense)}, ${pretrained}`],
      ['labels', m.labels.map((l, i) => `${i}: ${mdText(l)}`).join(', ')],
      ['problem type', mdText(m.problemType)],
      ['hidden size / blocks / max tokens', `${m.dim} / ${m.nLayers} / ${m.maxLength}`],
      ['ONNX file', mdText(relativeOnnx(m.path, m.onnxFile))],
      ['graph (computed these numbers)', mdText(m.variant ?? 'fp32')],
    ];
    return [
      '## Model',
      mdTable(
        ['property', 'value'],
        rows.map(([k, v]) => [k, v]),
      ),
    ].join('\n\n');
  };
}

/** The ONNX file inside the model folder (`onnx/model.onnx`): a shared report should not carry local paths. */
function relativeOnnx(folder: string, file: string): string {
  const f = file.replace(/\\/g, '/');
  const d = folder.replace(/\\/g, '/').replace(/\/+$/, '');
  return d && f.startsWith(`${d}/`) ? f.slice(d.length + 1) : f;
}

function coverageText(ins: Inspection): string {
  const c = ins.coverage;
  const per =
    ins.windows.length > 1 ? ` in ${ins.windows.length} windows of at most ${int(c.windowTokens)} tokens` : '';
  if (c.complete) return `Complete: all ${int(c.textLength)} characters read (${int(c.tokens)} tokens${per}).`;
  return `Truncated: the model read ${int(c.coveredChars)} of ${int(c.textLength)} characters (${int(c.tokens)} tokens${per}); the rest was not classified.`;
}

function inputSection(input: InspectionReportInput): Section {
  return () => {
    const ins = input.inspection;
    const parts = ['## Input', coverageText(ins)];
    if (input.text === undefined) {
      parts.push(
        'The inspected text itself was not available to the report; the word pieces of each detailed window are listed below.',
      );
    } else {
      const chars = Array.from(input.text);
      const cut = chars.length > EXCERPT_CHARS;
      parts.push(cut ? `The first ${int(EXCERPT_CHARS)} of ${int(chars.length)} characters:` : 'The text:');
      parts.push(fenced(cut ? chars.slice(0, EXCERPT_CHARS).join('') : input.text));
    }
    return parts.join('\n\n');
  };
}

function resultSection(ins: Inspection): Section {
  return (ctx) => {
    const a = ins.aggregate;
    const labels = ins.model.labels;
    const { head, right } = resultHead(ins);
    const parts = ['## Result', mdTable(head, resultRows(ins, a.probabilities, a.logits, a.label), right)];
    if (ins.model.problemType === 'multi_label_classification') {
      parts.push(
        'Multi-label: each probability is sigmoid(logit) on its own, so they need not add up to 1; several labels can be likely at once.',
      );
    }
    if (ins.windows.length > 1) parts.push(`Aggregate: ${mdText(a.method)}.`);
    const many = ins.windows.length > 1 ? ' (aggregate)' : '';
    const logitBars = labels.map((l, i) => ({ label: l, value: a.logits[i] ?? 0, emphasis: l === a.label }));
    parts.push(
      ctx.image(
        'logits.svg',
        barChart(logitBars, {
          title: `Logits${many}`,
          desc: `One bar per label: ${describe(logitBars)}.`,
          signed: true,
        }),
        `Logits${many}`,
      ),
    );
    if (!isRegression(ins)) {
      const probBars = labels.map((l) => ({ label: l, value: a.probabilities[l] ?? 0, emphasis: l === a.label }));
      parts.push(
        ctx.image(
          'probabilities.svg',
          barChart(probBars, {
            title: `Probabilities${many}`,
            desc: `One bar per label, from 0 to 1: ${describe(probBars)}.`,
            signed: false,
            max: 1,
          }),
          `Probabilities${many}`,
        ),
      );
    }
    return parts.join('\n\n');
  };
}

const describe = (bars: { label: string; value: number }[]): string =>
  bars.map((b) => `${b.label} ${fmt(b.value)}`).join(', ');

function windowsSection(ins: Inspection): Section {
  return (ctx) => {
    if (ins.windows.length < 2) return undefined;
    const labels = ins.model.labels;
    // One column per label while the table stays readable; beyond that the winning label's value only.
    const perLabel = !isRegression(ins) && labels.length <= 6;
    const head = [
      '#',
      'characters',
      'tokens',
      'label',
      isRegression(ins) ? 'score' : 'probability',
      ...(perLabel ? labels.map((l) => `p(${mdText(l)})`) : []),
    ];
    const shown = ins.windows.slice(0, MAX_WINDOW_ROWS);
    const rows = shown.map((w, i) => [
      String(i + 1),
      `${w.start}–${w.end}`,
      String(w.tokenCount),
      mdText(w.label),
      isRegression(ins) ? fmt(w.logits[0] ?? 0) : fmt(w.probabilities[w.label] ?? 0),
      ...(perLabel ? labels.map((l) => fmt(w.probabilities[l] ?? 0)) : []),
    ]);
    const parts = [
      '## Windows',
      `${coverageText(ins)} A new window starts every ${int(ins.coverage.stride)} word pieces, so consecutive windows overlap. Character ranges are offsets in the inspected text, end exclusive.`,
      mdTable(
        head,
        rows,
        head.map((_, i) => i !== 3),
      ),
    ];
    if (ins.windows.length > shown.length)
      parts.push(`The table lists the first ${MAX_WINDOW_ROWS} of ${ins.windows.length} windows.`);
    const label = ins.aggregate.label;
    const bars = shown.map((w, i) => ({
      label: `#${i + 1} (${w.start}–${w.end})`,
      value: isRegression(ins) ? (w.logits[0] ?? 0) : (w.probabilities[label] ?? 0),
      emphasis: w.label === label,
    }));
    const what = isRegression(ins) ? 'Score per window' : `Probability of ${label} per window`;
    parts.push(
      ctx.image(
        'windows.svg',
        barChart(bars, {
          title: what,
          desc: `${what}: ${describe(bars)}.`,
          signed: isRegression(ins),
          ...(isRegression(ins) ? {} : { max: 1 }),
        }),
        what,
      ),
    );
    return parts.join('\n\n');
  };
}

/**
 * The sections of one inspection's report, in order. Callers compose them with others, e.g.
 * `composeReport([...inspectionSections(input), comparisonSection(c)], opts)`.
 */
export function inspectionSections(input: InspectionReportInput): Section[] {
  const ins = input.inspection;
  const t = reportTerms(ins.model);
  return [
    titleSection(input),
    modelSection(ins.model, t),
    inputSection(input),
    resultSection(ins),
    windowsSection(ins),
    ...(input.explanations ?? []).map((e, i) => explanationSection(e, i + 1)),
    ...detailedWindows(input).flatMap((i) => [windowSection(ins, i, t, ins.model.dropout), lensSection(ins, i, t)]),
  ];
}

/** The closing line of every report. */
export const footerSection: Section = () =>
  'Made by DistilBERT Inspector. The charts are SVG files in the folder next to this file; open one in a browser and hover a bar or cell for its exact value.';

/** The whole report of one inspection, with its charts under `assetFolder`; `extra` sections go before the footer. */
export function inspectionReport(
  input: InspectionReportInput,
  opts: { assetFolder: string; extra?: Section[] },
): Report {
  return composeReport([...inspectionSections(input), ...(opts.extra ?? []), footerSection], opts);
}
