// Run-time guards for a window's head lens fields (src/core/types.ts LensEntry, TokenLensEntry, HeadExperiment),
// used by protocol.ts's isInspection: optional (results saved before them), but well formed when present.
type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isIndex = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isNumArray = (x: unknown): x is number[] => Array.isArray(x) && x.every(isNum);

/** A head reading (lens entry, token lens entry, experiment): logits and probabilities per label, and a label. */
function isReading(x: unknown, nLabels: number): boolean {
  return isObj(x) && isNumArray(x.logits) && x.logits.length === nLabels && isNumArray(x.probabilities) && x.probabilities.length === nLabels && typeof x.label === 'string';
}

/** The head lens fields are optional (results saved before them), but well formed when present. */
export function isOptionalLens(x: Obj, nLabels: number, nTokens: number): boolean {
  const isShares = (v: unknown) => Array.isArray(v) && v.every((u) => isObj(u) && isIndex(u.unit) && isNum(u.value));
  if (x.lens !== undefined) {
    const ok = Array.isArray(x.lens) && x.lens.every((e) => isReading(e, nLabels) && isIndex(e.layer) && isIndex(e.activeUnits) && isObj(e.topUnits) && Object.values(e.topUnits).every((t) => isObj(t) && isShares(t.toward) && isShares(t.against)));
    if (!ok) return false;
  }
  if (x.lensSettledAt !== undefined && !isIndex(x.lensSettledAt)) return false;
  if (x.experiments !== undefined && !(isObj(x.experiments) && isReading(x.experiments.bypassDense, nLabels) && isReading(x.experiments.noActivation, nLabels))) return false;
  return x.tokenLens === undefined || (Array.isArray(x.tokenLens) && x.tokenLens.length === nTokens && x.tokenLens.every((e) => isReading(e, nLabels)));
}
