// The CLI's head lens: a compact table of what the model's own head says after the embeddings and after each
// block, and (with --token-lens) what it would say reading each word piece instead of [CLS].
import { pct, signedDecimal3 } from '../core/present/format';
import { terminalSafe as safe } from '../core/text/terminalSafe';
import type { ModelInfo, WindowResult } from '../core/types';

/** Where a lens layer sits: layer 0 is the embeddings' output, layer i the output of block i. */
export function lensLayerName(layer: number): string {
  return layer === 0 ? 'embeddings' : `block ${layer}`;
}

/** The lens table for one window; empty when the window has no lens. */
export function formatLens(w: WindowResult, m: ModelInfo, bold: (s: string) => string): string[] {
  const lens = w.lens;
  if (!lens || lens.length === 0) return [];
  // Labels and word pieces come from the model's files: no terminal controls.
  const labels = m.labels.map(safe);
  const width = Math.max(9, ...labels.map((l) => l.length + 1));
  const settled = w.lensSettledAt ?? lens[lens.length - 1]!.layer;
  const out = [
    '',
    `  ${bold('Head lens')}    the model's own head applied to [CLS] after each layer (logits, label, active units); the label settles at ${settled === 0 ? 'the embeddings' : lensLayerName(settled)}`,
    `  ${'layer'.padEnd(12)} ${labels.map((l) => l.padStart(width)).join('')}   ${'label'.padEnd(Math.max(...labels.map((l) => l.length)) + 8)} active`,
  ];
  for (const e of lens) {
    const li = m.labels.indexOf(e.label);
    const p = m.problemType === 'regression' ? '' : ` ${pct(e.probabilities[li] ?? 0)}`;
    const mark = e.layer === settled ? '  <- settles' : '';
    out.push(
      `  ${lensLayerName(e.layer).padEnd(12)} ${e.logits.map((x) => signed(x).padStart(width)).join('')}   ${`${safe(e.label)}${p}`.padEnd(Math.max(...labels.map((l) => l.length)) + 8)} ${e.activeUnits}/${m.dim}${mark}`,
    );
  }
  return out;
}

/** The token lens as label/probability per word piece, a few per line. */
export function formatTokenLens(w: WindowResult, m: ModelInfo, bold: (s: string) => string): string[] {
  const tl = w.tokenLens;
  if (!tl) return [];
  const out = [
    '',
    `  ${bold('Token lens')}   what the head would read if it looked at each word piece instead of [CLS]`,
  ];
  const cells = w.tokens.map((t, i) => {
    const e = tl[i]!;
    const li = m.labels.indexOf(e.label);
    const p = m.problemType === 'regression' ? signed(e.logits[0] ?? 0) : pct(e.probabilities[li] ?? 0);
    return `${safe(t.text)} ${safe(e.label)} ${p}`;
  });
  for (let i = 0; i < cells.length; i += 4) out.push(`    ${cells.slice(i, i + 4).join('  |  ')}`);
  return out;
}

const signed = signedDecimal3;
