// Adds a head lens, head experiments and (optionally) a token lens to a fixture Inspection, consistent with
// it: the lens's last entry is the window's own logits, earlier layers drift toward them from a seeded start
// (with label changes on the way), probabilities by the model's problem type. Only the webview reads these.
import type { Inspection, LensEntry, WindowResult } from '../../../src/core/types';

function probs(logits: number[], problemType: Inspection['model']['problemType']): number[] {
  if (problemType === 'multi_label_classification') return logits.map((x) => 1 / (1 + Math.exp(-x)));
  if (problemType === 'regression') return logits;
  const m = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function reading(logits: number[], ins: Inspection): { logits: number[]; probabilities: number[]; label: string } {
  return {
    logits,
    probabilities: probs(logits, ins.model.problemType),
    label: ins.model.labels[logits.indexOf(Math.max(...logits))]!,
  };
}

/** `ins` with a lens, lensSettledAt and experiments on every window (and a token lens if asked). */
export function withLens(ins: Inspection, o: { tokenLens?: boolean } = {}): Inspection {
  const n = ins.model.nLayers;
  const windows = ins.windows.map((w): WindowResult => {
    const lens: LensEntry[] = [];
    for (let layer = 0; layer <= n; layer++) {
      const t = layer / n;
      // Layer 1 leans the other way, so the label changes at least once for two-label fixtures.
      const logits = w.logits.map((x, i) =>
        layer === n ? x : t * x + (layer === 1 ? -0.6 * x : 0.1 * (i + 1) * (1 - t)),
      );
      const r = reading(logits, ins);
      lens.push({
        layer,
        ...r,
        activeUnits: Math.round((ins.model.dim * (layer + 1)) / (n + 2)),
        topUnits: w.head.topUnits,
      });
    }
    let settle = lens.length - 1;
    while (settle > 0 && lens[settle - 1]!.label === lens[lens.length - 1]!.label) settle--;
    const experiments = {
      bypassDense: reading(
        w.logits.map((x) => x * 0.25 - 0.5),
        ins,
      ),
      noActivation: reading(
        w.logits.map((x) => -x),
        ins,
      ),
    };
    const tokenLens = o.tokenLens
      ? w.tokens.map((_, i) =>
          reading(
            w.logits.map((x, l) => x * Math.cos(i + l)),
            ins,
          ),
        )
      : undefined;
    return { ...w, lens, lensSettledAt: lens[settle]!.layer, experiments, ...(tokenLens ? { tokenLens } : {}) };
  });
  return { ...ins, windows };
}
