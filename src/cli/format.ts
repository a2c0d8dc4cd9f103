// The CLI's readable layer-by-layer view of an inspection. Pure text in, text out: tested without a terminal.
import { norm } from '../core/head/head';
import { terminalSafe as safe } from '../core/text/terminalSafe';
import type { Inspection, ModelInfo, ProblemType, WindowResult } from '../core/types';
import { formatLens, formatTokenLens } from './formatLens';
import { decimal3, pct, signedDecimal3 } from '../core/present/format';
import { topUnitsFor } from '../core/present/logitSteps';

const SPARK = '▁▂▃▄▅▆▇█';

export interface FormatOptions {
  /** Which window gets the detailed view (0-based). */
  window: number;
  /** Units listed toward / against each label. */
  topK: number;
  /** dropout probability from config.json, when known. */
  dropout: number | undefined;
  color: boolean;
}

export function formatInspection(text: string, ins: Inspection, opts: FormatOptions): string {
  const c = colors(opts.color);
  const m = ins.model;
  const out: string[] = [];
  // Every string from the model (name, labels, token texts) is cleaned of terminal controls before printing.
  out.push(
    `${c.bold('Model')}   ${safe(m.name)}  (${safe(m.architecture)}, dim ${m.dim}, ${m.nLayers} layers, labels ${m.labels.map(safe).join(', ')})`,
  );
  const cov = ins.coverage;
  const covered = cov.complete ? 'all of it' : `the first ${cov.coveredEnd} characters only (truncated)`;
  out.push(
    `${c.bold('Input')}   ${text.length} characters, ${cov.tokens} word pieces, ${ins.windows.length} window${ins.windows.length === 1 ? '' : 's'} of <= ${cov.windowTokens} tokens; read ${covered}`,
  );

  if (ins.windows.length > 1) {
    out.push('', c.bold('Windows'));
    ins.windows.forEach((w, i) => {
      out.push(
        `  ${String(i + 1).padStart(3)}  chars ${w.start}-${w.end}  ${String(w.tokenCount).padStart(3)} tokens  ${safe(w.label)} ${score(w.probabilities[w.label]!, m.problemType)}  ${c.dim(snippet(text, w.start, w.end, 40))}`,
      );
    });
  }

  const wi = Math.min(Math.max(opts.window, 0), ins.windows.length - 1);
  const w = ins.windows[wi]!;
  out.push(
    '',
    c.bold(ins.windows.length > 1 ? `Window ${wi + 1} of ${ins.windows.length}, layer by layer` : 'Layer by layer'),
  );
  out.push(...formatWindow(text, w, m, opts, c));

  out.push('');
  const a = ins.aggregate;
  const probs = m.labels.map((l) => `${safe(l)} ${score(a.probabilities[l]!, m.problemType)}`).join('  ');
  out.push(
    `${c.bold('=>')} ${c.bold(safe(a.label))} ${score(a.probabilities[a.label]!, m.problemType)}   (${probs}; ${a.method})`,
  );
  out.push(
    c.dim(`   tokenize ${ins.timing.tokenizeMs.toFixed(1)} ms, inference ${ins.timing.inferenceMs.toFixed(1)} ms`),
  );
  return out.join('\n');
}

/** Each head's layers in its own terms: DistilBERT pre_classifier + ReLU, BERT pooler + tanh, RoBERTa classifier.dense + tanh. */
function headNames(m: ModelInfo): { dense: string; act: string; actFormula: string; classifier: string } {
  const h = m.head;
  const tanh = h?.activation === 'tanh';
  return {
    dense: h?.denseName ?? 'pre_classifier',
    act: tanh ? 'tanh' : 'ReLU',
    actFormula: tanh ? 'tanh(x)' : 'max(0, x)',
    classifier: h?.classifierName ?? 'classifier',
  };
}

function formatWindow(text: string, w: WindowResult, m: ModelInfo, opts: FormatOptions, c: Colors): string[] {
  const { labels, dim } = m;
  const names = headNames(m);
  const out: string[] = [];
  const pieces = w.tokens.map((t) => safe(t.text));
  out.push(`  tokens       ${elide(pieces.join(' '), 110)}${w.truncated ? c.yellow('  [truncated here]') : ''}`);
  out.push(`  text         ${c.dim(snippet(text, w.start, w.end, 100))}`);
  out.push('');
  w.stages.layers.forEach((v, i) => {
    out.push(`  block ${String(i + 1).padEnd(6)} [CLS] after transformer block ${i + 1}: ${vecStats(v)}  ${spark(v)}`);
  });
  out.push(`  ${c.bold('CLS')}          hidden state of [CLS], enters the head: ${vecStats(w.stages.cls)}`);
  const positive = w.stages.preClassifier.filter((x) => x > 0).length;
  out.push(
    `  ${c.bold(names.dense)} Linear(${dim} -> ${dim}): ${vecStats(w.stages.preClassifier)}, ${positive}/${dim} positive  ${spark(w.stages.preClassifier)}`,
  );
  const actDetail =
    names.act === 'ReLU'
      ? `${w.head.activeUnits}/${dim} units active, ${w.head.zeroedUnits} zeroed`
      : `${w.stages.activation.filter((x) => Math.abs(x) > 0.99).length}/${dim} units saturated (|x| > 0.99)`;
  out.push(
    `  ${c.bold(names.act.padEnd(12))} ${names.actFormula}: ${actDetail}, |x| ${fmt(norm(w.stages.activation))}  ${spark(w.stages.activation)}`,
  );
  const p = opts.dropout === undefined ? '' : ` (p=${opts.dropout})`;
  out.push(
    `  ${c.bold('dropout')}      identity at inference${p}: ${names.classifier} reads the ${names.act} output unchanged`,
  );
  out.push(
    `  ${c.bold(names.classifier)}   Linear(${dim} -> ${labels.length}): logits ${labels.map((l, i) => `${safe(l)} ${fmt(w.logits[i]!)}`).join('  ')}`,
  );
  for (const label of labels) {
    const contrib = w.contributions[label]!;
    const sum = contrib.units.reduce((s, x) => s + x, 0);
    const top = topUnitsFor(w, label);
    const units = (xs: { unit: number; value: number }[]) =>
      xs
        .slice(0, opts.topK)
        .map((u) => `#${u.unit} ${signed(u.value)}`)
        .join(', ') || 'none';
    out.push(`    ${safe(label)}: bias ${signed(contrib.bias)} + units ${signed(sum)} = ${fmt(contrib.bias + sum)}`);
    out.push(`      toward: ${c.green(units(top.toward))}`);
    out.push(`      against: ${c.red(units(top.against))}`);
  }
  if (m.problemType === 'regression')
    out.push(
      `  ${c.bold('scores')}       ${labels.map((l) => `${safe(l)} ${score(w.probabilities[l]!, m.problemType)}`).join('  ')}`,
    );
  else
    out.push(
      `  ${c.bold('probabilities')} ${labels.map((l) => `${safe(l)} ${pct(w.probabilities[l]!)} ${bar(w.probabilities[l]!)}`).join('  ')}`,
    );
  out.push(...formatLens(w, m, c.bold), ...formatTokenLens(w, m, c.bold));
  return out;
}

function vecStats(v: number[]): string {
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return `|x| ${fmt(norm(v))}, min ${fmt(min)}, max ${fmt(max)}`;
}

/** A sparkline of a vector, down-sampled to 32 buckets by mean absolute value. */
export function spark(v: number[], width = 32): string {
  const buckets = Math.min(width, v.length);
  const vals: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * v.length) / buckets);
    const to = Math.floor(((b + 1) * v.length) / buckets);
    let s = 0;
    for (let i = from; i < to; i++) s += Math.abs(v[i]!);
    vals.push(s / Math.max(1, to - from));
  }
  const max = Math.max(...vals, 1e-12);
  return vals.map((x) => SPARK[Math.min(SPARK.length - 1, Math.floor((x / max) * (SPARK.length - 1)))]).join('');
}

/** A probability bar; values outside [0, 1] (or NaN) are drawn at the nearest end instead of throwing. */
export function bar(p: number, width = 10): string {
  const n = Number.isFinite(p) ? Math.round(Math.min(1, Math.max(0, p)) * width) : 0;
  return '█'.repeat(n) + '░'.repeat(width - n);
}

const fmt = decimal3;
const signed = signedDecimal3;
/** A regression head outputs raw scores, not probabilities. */
const score = (p: number, problemType: ProblemType) => (problemType === 'regression' ? `score ${fmt(p)}` : pct(p));

function snippet(text: string, start: number, end: number, max: number): string {
  return JSON.stringify(elide(safe(text.slice(start, end)).replace(/\s+/g, ' '), max));
}

function elide(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

interface Colors {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
}

function colors(on: boolean): Colors {
  const wrap = (code: number) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { bold: wrap(1), dim: wrap(2), green: wrap(32), red: wrap(31), yellow: wrap(33) };
}
