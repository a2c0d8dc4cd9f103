// The colour scale shared by the panel's heat maps and the report's SVG heat strips, so one vector is shaded
// alike in both.

/**
 * Colour scale half-width: the 99th percentile of the non-zero |v| (nearest rank, rounded down), so one
 * outlier unit does not wash out the rest; 1 when every value is zero.
 */
export function robustScale(values: number[]): number {
  const abs = values
    .map(Math.abs)
    .filter((v) => v > 0)
    .sort((a, b) => a - b);
  if (abs.length === 0) return 1;
  return abs[Math.min(abs.length - 1, Math.floor(abs.length * 0.99))] ?? 1;
}

/** A word strip's scale: the largest |score|, never below 1e-12 so an all-zero strip divides safely. */
export function maxAbsScale(values: number[]): number {
  return Math.max(1e-12, ...values.map(Math.abs));
}

/** How much of the full colour a word's tint gets, in percent: |v| / scale capped at 1, times 70 so text stays readable. */
export function tintPercent(v: number, scale: number): number {
  return Math.round(Math.min(1, Math.abs(v) / scale) * 70);
}
