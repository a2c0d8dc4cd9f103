// Classifier diagnostics: rules such as "label NEGATIVE with probability >= 0.9 is a warning" turn the windows
// of an Inspection into findings the editor shows in the Problems panel. Pure: no vscode, no model; the
// extension reads the rules from settings (config.ts) and maps findings to Diagnostics.
//
// Decisions, stated once here:
// - A rule fires on a window when that window's probability of the rule's label is >= minProbability, whether
//   or not the label is the window's top label (with a threshold below 0.5 a softmax label can fire without
//   winning; that is what the rule says).
// - One finding per window and label: when several rules name the same label, the one with the highest
//   minProbability that fires wins (a 0.9 "error" rule overrides a 0.7 "warning" rule on the same window).
//   Different labels fire independently, which matters for multi-label (sigmoid) models.
// - Overlapping windows are not merged: each window that fires gives its own finding over its own character
//   range, so two overlapping ranges can appear. The message names "window i of n" so they can be told apart.
// - Regression models have no probabilities, so no rule applies to them (reported as a problem).
import type { Inspection, ProblemType } from '../types';

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

/** One rule from the `diagnostics.rules` setting, validated. */
export interface DiagnosticRule {
  label: string;
  /** In [0, 1]; the rule fires when the window's probability of `label` is >= this. */
  minProbability: number;
  severity: Severity;
  /** Shown before the figures, e.g. "Tone too negative". */
  message?: string;
}

/** A window that matched a rule; start/end are offsets (UTF-16, end exclusive) in the inspected text. */
export interface Finding {
  start: number;
  end: number;
  label: string;
  probability: number;
  rule: DiagnosticRule;
  severity: Severity;
  /** 0-based index of the window, and how many windows the inspection had. */
  windowIndex: number;
  windowCount: number;
  message: string;
}

/** Parsed rules plus one message per entry that could not be used (the entry's index, what is wrong, the fix). */
export interface ParsedRules {
  rules: DiagnosticRule[];
  problems: string[];
}

/**
 * Validates the raw setting value (anything JSON can hold). Bad entries are dropped with a problem each, so one
 * typo does not silence the other rules; `setting` is the setting's full name, used in the messages.
 */
export function parseRules(raw: unknown, setting: string): ParsedRules {
  if (raw === undefined || raw === null) return { rules: [], problems: [] };
  if (!Array.isArray(raw)) {
    return {
      rules: [],
      problems: [
        `${setting} must be an array of rules like {"label": "NEGATIVE", "minProbability": 0.9, "severity": "warning"}, not ${describe(raw)}.`,
      ],
    };
  }
  const rules: DiagnosticRule[] = [];
  const problems: string[] = [];
  raw.forEach((entry: unknown, i) => {
    const where = `${setting}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(
        `${where} must be an object like {"label": "NEGATIVE", "minProbability": 0.9, "severity": "warning"}, not ${describe(entry)}.`,
      );
      return;
    }
    const e = entry as Record<string, unknown>;
    const bad: string[] = [];
    if (typeof e.label !== 'string' || e.label.trim() === '')
      bad.push(`"label" must be one of the model's label names, not ${describe(e.label)}`);
    const p = e.minProbability;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1)
      bad.push(`"minProbability" must be a number from 0 to 1, not ${describe(p)}`);
    const severity = e.severity ?? 'warning';
    if (typeof severity !== 'string' || !SEVERITIES.includes(severity as Severity)) {
      bad.push(`"severity" must be one of ${SEVERITIES.map((s) => `"${s}"`).join(', ')}, not ${describe(severity)}`);
    }
    if (e.message !== undefined && typeof e.message !== 'string')
      bad.push(`"message" must be a string, not ${describe(e.message)}`);
    const unknown = Object.keys(e).filter((k) => !['label', 'minProbability', 'severity', 'message'].includes(k));
    if (unknown.length)
      bad.push(
        `unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: label, minProbability, severity, message)`,
      );
    if (bad.length) {
      problems.push(`${where} is ignored: ${bad.join('; ')}.`);
      return;
    }
    const rule: DiagnosticRule = {
      label: (e.label as string).trim(),
      minProbability: p as number,
      severity: severity as Severity,
    };
    if (typeof e.message === 'string' && e.message.trim() !== '') rule.message = e.message.trim();
    rules.push(rule);
  });
  return { rules, problems };
}

/**
 * Keeps the rules that can fire on this model. A rule naming a label the model does not have is dropped with a
 * problem listing the model's labels (labels are compared exactly: config.json's id2label is case-sensitive).
 */
export function rulesForModel(
  rules: readonly DiagnosticRule[],
  model: { name: string; labels: readonly string[]; problemType: ProblemType },
  setting: string,
): ParsedRules {
  if (rules.length === 0) return { rules: [], problems: [] };
  if (model.problemType === 'regression') {
    return {
      rules: [],
      problems: [
        `The model ${model.name} is a regression model (one score, no probabilities), so the ${rules.length} rule(s) in ${setting} cannot apply. Use a classification model.`,
      ],
    };
  }
  const usable: DiagnosticRule[] = [];
  const problems: string[] = [];
  for (const r of rules) {
    if (model.labels.includes(r.label)) {
      usable.push(r);
      continue;
    }
    const near = model.labels.find((l) => l.toLowerCase() === r.label.toLowerCase());
    problems.push(
      `A rule in ${setting} names the label "${r.label}", but the model ${model.name} has the labels ${model.labels.map((l) => `"${l}"`).join(', ')}` +
        (near ? ` (labels are case-sensitive: did you mean "${near}"?)` : '') +
        '. The rule is ignored; fix its label in Settings.',
    );
  }
  return { rules: usable, problems };
}

/** The findings of `rules` (already checked with rulesForModel) on every window of the inspection, in window order. */
export function evaluate(inspection: Pick<Inspection, 'windows'>, rules: readonly DiagnosticRule[]): Finding[] {
  const findings: Finding[] = [];
  const n = inspection.windows.length;
  inspection.windows.forEach((w, i) => {
    const best = new Map<string, DiagnosticRule>();
    for (const r of rules) {
      const p = w.probabilities[r.label];
      if (p === undefined || !(p >= r.minProbability)) continue;
      const held = best.get(r.label);
      if (
        !held ||
        r.minProbability > held.minProbability ||
        (r.minProbability === held.minProbability && rank(r.severity) < rank(held.severity))
      ) {
        best.set(r.label, r);
      }
    }
    for (const [label, rule] of best) {
      const probability = w.probabilities[label]!;
      findings.push({
        start: w.start,
        end: w.end,
        label,
        probability,
        rule,
        severity: rule.severity,
        windowIndex: i,
        windowCount: n,
        message: findingMessage(label, probability, rule, i, n),
      });
    }
  });
  return findings;
}

/** E.g. "NEGATIVE 97.1% (rule: NEGATIVE ≥ 90%) — window 2 of 5", after the rule's own message when it has one. */
export function findingMessage(
  label: string,
  probability: number,
  rule: DiagnosticRule,
  index: number,
  count: number,
): string {
  const figures = `${label} ${percent(probability, 1)} (rule: ${rule.label} ≥ ${percent(rule.minProbability)}) — window ${index + 1} of ${count}`;
  return rule.message ? `${rule.message}: ${figures}` : figures;
}

/** A probability as a percentage: fixed digits, or (threshold) as few as needed, up to two. */
function percent(p: number, digits?: number): string {
  const x = p * 100;
  if (digits !== undefined) return `${x.toFixed(digits)}%`;
  return `${Number(x.toFixed(2))}%`;
}

function rank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

function describe(x: unknown): string {
  if (x === undefined) return 'missing';
  const s = JSON.stringify(x);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
