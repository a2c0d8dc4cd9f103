// Number formats, one module for every renderer: the panel (compact numbers, exact tooltips), the Markdown
// report (4-decimal chart values, 2-decimal percentages) and the CLI (3 decimals). Each renderer keeps its own
// precision, but a given kind of number is formatted by one function wherever it is shown.

/** A probability as a percentage with `digits` decimals: the panel and CLI use 1, the report 2. */
export function pct(p: number, digits = 1): string {
  return `${(p * 100).toFixed(digits)}%`;
}

/** A count with thousands separators, independent of the machine's locale. */
export function int(n: number): string {
  return n.toLocaleString('en-US');
}

/** Compact number for labels (3 significant digits, no exponent noise for ordinary magnitudes). */
export function num(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.001) return v.toExponential(2);
  return v.toFixed(a >= 100 ? 1 : a >= 10 ? 2 : 3);
}

/** Compact number with its sign, a true minus sign for negatives (panel bar values). */
export function signedNum(v: number): string {
  return (v >= 0 ? '+' : '−') + num(Math.abs(v));
}

/** Exact-enough number for tooltips: integers as they are, others to 6 significant digits. */
export function exact(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(6);
}

/** A number as the report prints it: 4 decimals, or 3 significant digits with an exponent when tiny/huge. */
export function decimal4(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(3);
  return v.toFixed(4);
}

/** A number as the CLI prints it: 3 decimals, 1 from 100 up (columns stay narrow). */
export function decimal3(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(1) : x.toFixed(3);
}

/** decimal3 with a leading '+' for non-negative values (ASCII, for terminals). */
export function signedDecimal3(x: number): string {
  return (x >= 0 ? '+' : '') + decimal3(x);
}

/** A change of probability in percentage points, signed with a true minus (panel comparisons). */
export function pctPoints(d: number, digits = 1): string {
  return `${d >= 0 ? '+' : '−'}${(Math.abs(d) * 100).toFixed(digits)} pt`;
}
