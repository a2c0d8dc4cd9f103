// Where one logit comes from, as the panel's waterfall, the report's SVG waterfall and the CLI's unit lists show
// it. One rule for which units are named, so the three can never disagree (they once did: the report drew no
// unit at all when a window's `head.topUnits` lacked a label, where the panel recomputed five).
import { DEFAULT_TOP_UNITS, topShares } from '../head/head';
import type { UnitShare, WindowResult } from '../types';

/** One bar of a logit's decomposition: the bias, one unit's share, the other units together, or the logit. */
export interface LogitStep {
  label: string;
  delta: number;
  kind: 'bias' | 'toward' | 'against' | 'rest' | 'total';
  /** 'toward' / 'against': the unit, its classifier weight and the value that weight multiplies (weight x input = delta). */
  unit?: number;
  weight?: number;
  input?: number;
  /** 'rest': how many non-zero units it sums. */
  count?: number;
  /** 'total': bias + every unit's share, recomputed (equals delta up to float rounding). */
  sum?: number;
}

/**
 * The units pushing a label's logit most toward (positive shares, largest first) and against it (most negative
 * first). The core's `head.topUnits` is the truth when present: it carries the K the user asked for (CLI --top)
 * and is what `--json` and the CLI list. A window without it for this label (a hand-made or older result) gets
 * the core's own rule, topShares over the contributions with the default K, rather than no units at all: the
 * contributions are exact, the list is only a summary of them.
 */
export function topUnitsFor(w: WindowResult, label: string): { toward: UnitShare[]; against: UnitShare[] } {
  const given = w.head.topUnits[label];
  if (given) {
    return {
      toward: given.toward.filter((x) => x.value > 0).sort((a, b) => b.value - a.value),
      against: given.against.filter((x) => x.value < 0).sort((a, b) => a.value - b.value),
    };
  }
  const c = w.contributions[label];
  return c ? topShares(c.units, DEFAULT_TOP_UNITS) : { toward: [], against: [] };
}

/** The steps of one logit: bias, units toward, units against, the other units together, and the logit itself. */
export function logitSteps(w: WindowResult, label: string, logit: number): LogitStep[] | undefined {
  const c = w.contributions[label];
  if (!c) return undefined;
  const { toward, against } = topUnitsFor(w, label);
  const shown = new Set([...toward, ...against].map((x) => x.unit));
  let rest = 0;
  let restActive = 0;
  c.units.forEach((v, u) => {
    if (shown.has(u)) return;
    rest += v;
    if (v !== 0) restActive++;
  });
  // An int8 classifier multiplies the dequantized activation, not the activation itself (types.ts: classifierInput).
  const inputs = w.stages.classifierInput ?? w.stages.activation;
  const unitStep = (x: UnitShare, kind: 'toward' | 'against'): LogitStep => {
    const input = inputs[x.unit] ?? 0;
    return {
      label: `unit ${x.unit}`,
      delta: x.value,
      kind,
      unit: x.unit,
      weight: input === 0 ? 0 : x.value / input,
      input,
    };
  };
  return [
    { label: 'bias', delta: c.bias, kind: 'bias' },
    ...toward.map((x) => unitStep(x, 'toward')),
    ...against.map((x) => unitStep(x, 'against')),
    { label: `${restActive} other units`, delta: rest, kind: 'rest', count: restActive },
    { label: `logit ${label}`, delta: logit, kind: 'total', sum: c.bias + c.units.reduce((a, b) => a + b, 0) },
  ];
}

/**
 * Where a waterfall draws each step: from the running sum before it to the sum after it ('total' from 0), and
 * the range [lo, hi] all bars cover, 0 included. The panel's and the report's waterfalls both lay out from it.
 */
export function waterfallSpans<S extends Pick<LogitStep, 'delta' | 'kind'>>(
  steps: S[],
): { spans: { step: S; from: number; to: number }[]; lo: number; hi: number } {
  let run = 0;
  const spans = steps.map((step) => {
    if (step.kind === 'total') return { step, from: 0, to: step.delta };
    const from = run;
    run += step.delta;
    return { step, from, to: run };
  });
  const lo = Math.min(0, ...spans.map((x) => Math.min(x.from, x.to)));
  const hi = Math.max(0, ...spans.map((x) => Math.max(x.from, x.to)));
  return { spans, lo, hi };
}
