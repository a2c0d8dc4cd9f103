// Option values every CLI command reads the same way (classify, quantize, faithfulness, dataset), so a number
// or a graph variant that one command refuses is refused by all, with the same words.

/** The largest whole number a count option takes (nine digits). */
export const MAX_INT = 999_999_999;

/**
 * `raw` as a whole number in [min, max], digits only: Number() would take "", "1e3", "0x20" and " 7 ".
 * `range` words the bound for the message; `fail` makes the command's own usage error (exit 2).
 */
export function wholeNumber(flag: string, raw: string, min: number, max: number, fail: (msg: string) => Error, range = `from ${min} to ${max}`): number {
  const n = /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw fail(`${flag} needs a whole number ${range}, got "${raw}".`);
  return n;
}
