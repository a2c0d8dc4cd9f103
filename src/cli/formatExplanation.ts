// The CLI's text view of an attribution: the words with their scores, the cost, and the faithfulness line.
import { describeCost, type AttributionResult } from '../core/attribution/explain';
import { describeFaithfulness } from '../core/attribution/faithfulness';

export function formatExplanation(r: AttributionResult, top = 8): string {
  const out = ['', `Explanation  ${describeCost(r)}; score = ${r.scoreMeaning}`];
  const max = Math.max(...r.items.map((it) => Math.abs(it.score)), 1e-12);
  const ranked = [...r.items].sort((a, b) => b.score - a.score).slice(0, top);
  for (const it of ranked) {
    const bar = '█'.repeat(Math.max(0, Math.round((Math.abs(it.score) / max) * 20)));
    out.push(
      `  ${JSON.stringify(it.text).padEnd(18)} ${it.score >= 0 ? '+' : '-'}${Math.abs(it.score).toFixed(4)}  ${bar}`,
    );
  }
  if (r.items.length > top) out.push(`  ... ${r.items.length - top} more words`);
  if (!r.coverage.complete) out.push(`  covers the first ${r.coverage.coveredEnd} characters (one window)`);
  if (r.faithfulness) out.push(`  faithfulness: ${describeFaithfulness(r.faithfulness)}`);
  return out.join('\n');
}
