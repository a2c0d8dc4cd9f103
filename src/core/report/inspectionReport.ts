// The sections of an inspection's report, in the panel's order: what was read and by which model, the result,
// the windows, and for each detailed window every stage of the head with a plain explanation and its chart.
import type { Inspection, ModelInfo, UnitShare } from '../types';
import { fenced, mdText } from './escape';
import { composeReport, mdTable, type Report, type Section } from './markdown';
import { barChart, fmt, heatMatrix, heatStrip, waterfall } from './svg';
import { saturatedUnits } from '../head/headTerms';
import { reportTerms, type ReportTerms } from './terms';
import { stageText } from '../present/stageText';
import { mdExplanation } from './richText';
import { int, pct as percent } from '../present/format';
import { logitSteps, topUnitsFor } from '../present/logitSteps';
import { lensSection } from './lensReport';
import type { AttributionResult } from '../attribution/explain';
import { explanationSection } from './explanationReport';

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
const MAX_PIECES = 512;
/** Above this many labels a window's decomposition shows the labels with the highest logits only. */
const MAX_WATERFALLS = 8;

const pct = (p: number): string => percent(p, 2);
const isRegression = (ins: Inspection): boolean => ins.model.problemType === 'regression';

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
    const what = input.source ? `${input.source.selection ? 'Selection in' : 'Whole file'} ${mdText(input.source.fileName)}` : 'Inspected text';
    const value = isRegression(ins) ? `score ${fmt(a.logits[0] ?? 0)}` : `probability ${fmt(a.probabilities[a.label] ?? 0)} (${pct(a.probabilities[a.label] ?? 0)})`;
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
    const pretrained = t.pretrained ? 'pretrained with the encoder (next-sentence prediction)' : 'newly initialised at fine-tuning';
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
    return ['## Model', mdTable(['property', 'value'], rows.map(([k, v]) => [k, v]))].join('\n\n');
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
  const per = ins.windows.length > 1 ? ` in ${ins.windows.length} windows of at most ${int(c.windowTokens)} tokens` : '';
  if (c.complete) return `Complete: all ${int(c.textLength)} characters read (${int(c.tokens)} tokens${per}).`;
  return `Truncated: the model read ${int(c.coveredChars)} of ${int(c.textLength)} characters (${int(c.tokens)} tokens${per}); the rest was not classified.`;
}

function inputSection(input: InspectionReportInput): Section {
  return () => {
    const ins = input.inspection;
    const parts = ['## Input', coverageText(ins)];
    if (input.text === undefined) {
      parts.push('The inspected text itself was not available to the report; the word pieces of each detailed window are listed below.');
    } else {
      const chars = Array.from(input.text);
      const cut = chars.length > EXCERPT_CHARS;
      parts.push(cut ? `The first ${int(EXCERPT_CHARS)} of ${int(chars.length)} characters:` : 'The text:');
      parts.push(fenced(cut ? chars.slice(0, EXCERPT_CHARS).join('') : input.text));
    }
    return parts.join('\n\n');
  };
}

/** label | probability | logit rows, in logit order. */
function resultRows(ins: Inspection, probabilities: Record<string, number>, logits: number[], winner: string): string[][] {
  return ins.model.labels.map((l, i) => {
    const name = l === winner ? `**${mdText(l)}**` : mdText(l);
    const logit = fmt(logits[i] ?? 0);
    return isRegression(ins) ? [name, logit] : [name, fmt(probabilities[l] ?? 0), logit];
  });
}

function resultHead(ins: Inspection): { head: string[]; right: boolean[] } {
  return isRegression(ins)
    ? { head: ['label', 'score (logit)'], right: [false, true] }
    : { head: ['label', 'probability', 'logit'], right: [false, true, true] };
}

function resultSection(ins: Inspection): Section {
  return (ctx) => {
    const a = ins.aggregate;
    const labels = ins.model.labels;
    const { head, right } = resultHead(ins);
    const parts = ['## Result', mdTable(head, resultRows(ins, a.probabilities, a.logits, a.label), right)];
    if (ins.model.problemType === 'multi_label_classification') {
      parts.push('Multi-label: each probability is sigmoid(logit) on its own, so they need not add up to 1; several labels can be likely at once.');
    }
    if (ins.windows.length > 1) parts.push(`Aggregate: ${mdText(a.method)}.`);
    const many = ins.windows.length > 1 ? ' (aggregate)' : '';
    const logitBars = labels.map((l, i) => ({ label: l, value: a.logits[i] ?? 0, emphasis: l === a.label }));
    parts.push(ctx.image('logits.svg', barChart(logitBars, { title: `Logits${many}`, desc: `One bar per label: ${describe(logitBars)}.`, signed: true }), `Logits${many}`));
    if (!isRegression(ins)) {
      const probBars = labels.map((l) => ({ label: l, value: a.probabilities[l] ?? 0, emphasis: l === a.label }));
      parts.push(
        ctx.image('probabilities.svg', barChart(probBars, { title: `Probabilities${many}`, desc: `One bar per label, from 0 to 1: ${describe(probBars)}.`, signed: false, max: 1 }), `Probabilities${many}`),
      );
    }
    return parts.join('\n\n');
  };
}

const describe = (bars: { label: string; value: number }[]): string => bars.map((b) => `${b.label} ${fmt(b.value)}`).join(', ');

function windowsSection(ins: Inspection): Section {
  return (ctx) => {
    if (ins.windows.length < 2) return undefined;
    const labels = ins.model.labels;
    // One column per label while the table stays readable; beyond that the winning label's value only.
    const perLabel = !isRegression(ins) && labels.length <= 6;
    const head = ['#', 'characters', 'tokens', 'label', isRegression(ins) ? 'score' : 'probability', ...(perLabel ? labels.map((l) => `p(${mdText(l)})`) : [])];
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
      mdTable(head, rows, head.map((_, i) => i !== 3)),
    ];
    if (ins.windows.length > shown.length) parts.push(`The table lists the first ${MAX_WINDOW_ROWS} of ${ins.windows.length} windows.`);
    const label = ins.aggregate.label;
    const bars = shown.map((w, i) => ({ label: `#${i + 1} (${w.start}–${w.end})`, value: isRegression(ins) ? (w.logits[0] ?? 0) : (w.probabilities[label] ?? 0), emphasis: w.label === label }));
    const what = isRegression(ins) ? 'Score per window' : `Probability of ${label} per window`;
    parts.push(ctx.image('windows.svg', barChart(bars, { title: what, desc: `${what}: ${describe(bars)}.`, signed: isRegression(ins), ...(isRegression(ins) ? {} : { max: 1 }) }), what));
    return parts.join('\n\n');
  };
}

/** The units pushing most toward / against a label (topUnitsFor: the panel's rule too), each as "unit u +share". */
function shares(list: UnitShare[] | undefined): string {
  if (!list || list.length === 0) return '—';
  return list.map((s) => `unit ${s.unit} ${s.value >= 0 ? '+' : ''}${fmt(s.value)}`).join(', ');
}

function windowSection(ins: Inspection, index: number, t: ReportTerms, dropout: number | undefined): Section {
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

    const pieces = w.tokens.slice(0, MAX_PIECES).map((p) => p.text).join(' ');
    parts.push(
      `### 0. Input word pieces`,
      `${mdExplanation(stageText.tokens(t))} ${int(w.tokens.length)} tokens${w.truncated ? ', truncated to the model\'s maximum' : ''}${w.tokens.length > MAX_PIECES ? `; the first ${MAX_PIECES} are listed` : ''}.`,
      fenced(pieces),
    );

    const blocks = w.stages.layers.map((_, i) => `block ${i + 1}`);
    parts.push(
      `### 1. ${first} after each transformer block`,
      mdExplanation(stageText.layers(t, w.stages.layers.length)),
      mdTable(['block', 'L2 norm'], blocks.map((b, i) => [b, fmt(norms.layers[i] ?? 0)]), [false, true]),
      ctx.image(`${prefix}layers.svg`, heatMatrix(w.stages.layers, blocks, { title: `${t.first} after each block${where}` }), `${t.first} after each block${where}`),
    );

    parts.push(
      `### 2. ${first} entering ${dense}`,
      mdExplanation(stageText.cls(t, dim)),
      `L2 norm ${fmt(norms.cls)}.`,
      ctx.image(`${prefix}cls.svg`, heatStrip(w.stages.cls, { title: `${t.first} entering ${t.dense}${where}` }), `${t.first} entering ${t.dense}${where}`),
    );

    const positive = w.stages.preClassifier.filter((v) => v > 0).length;
    parts.push(
      `### 3. ${dense} (dense${t.quantized ? ', int8' : ''}), ${dim} → ${dim}`,
      mdExplanation(stageText.dense(t, dim)),
      `L2 norm ${fmt(norms.preClassifier)}; ${positive} of ${dim} units are positive.`,
      ctx.image(`${prefix}dense.svg`, heatStrip(w.stages.preClassifier, { title: `${t.dense} output${where}` }), `${t.dense} output${where}`),
    );

    const saturated = saturatedUnits(w.stages.activation);
    parts.push(
      `### 4. ${t.act}`,
      mdExplanation(stageText.activation(t)),
      t.activation === 'relu'
        ? `${w.head.zeroedUnits} of ${dim} units are zeroed, ${w.head.activeUnits} stay active; L2 norm ${fmt(norms.relu)}.`
        : `${saturated} of ${dim} units are saturated (|tanh| > 0.99); none is zeroed; L2 norm ${fmt(norms.relu)}.`,
      ctx.image(`${prefix}activation.svg`, heatStrip(w.stages.activation, { title: `${t.act} output${where}` }), `${t.act} output${where}`),
    );

    parts.push(`### 5. dropout (identity)`, mdExplanation(stageText.dropout(t, dropout)));

    const labels = ins.model.labels;
    parts.push(`### 6. ${mdText(t.classifier)} → logits${isRegression(ins) ? '' : ' → probabilities'}`, mdExplanation(stageText.classifier(t, dim, labels.length, ins.model.problemType)));
    if (many) {
      const { head, right } = resultHead(ins);
      parts.push(mdTable(head, resultRows(ins, w.probabilities, w.logits, w.label), right));
    }
    parts.push(
      `Units pushing each logit up (toward) and down (against), the ${t.activation === 'relu' ? 'ReLU' : 'tanh'} value times the classifier weight:`,
      mdTable(['label', 'toward', 'against'], labels.map((l) => [mdText(l), shares(topUnitsFor(w, l).toward), shares(topUnitsFor(w, l).against)])),
    );
    const order = labels.map((l, i) => ({ l, i, v: w.logits[i] ?? 0 }));
    const drawn = labels.length > MAX_WATERFALLS ? [...order].sort((a, b) => b.v - a.v).slice(0, MAX_WATERFALLS).sort((a, b) => a.i - b.i) : order;
    if (drawn.length < labels.length) parts.push(`Decompositions of the ${MAX_WATERFALLS} labels with the highest logits:`);
    for (const { l, i, v } of drawn) {
      const steps = logitSteps(w, l, v);
      if (!steps) continue;
      const title = `Where the logit of ${l} comes from${where}`;
      const desc = `logit ${l} = ${steps.slice(0, -1).map((s) => `${s.label} ${fmt(s.delta)}`).join(' + ')} = ${fmt(v)}`;
      parts.push(`#### ${mdText(title)}`, ctx.image(`${prefix}logit-${i}.svg`, waterfall(steps, { title, desc }), title));
    }
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
export function inspectionReport(input: InspectionReportInput, opts: { assetFolder: string; extra?: Section[] }): Report {
  return composeReport([...inspectionSections(input), ...(opts.extra ?? []), footerSection], opts);
}
