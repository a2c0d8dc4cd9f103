// The dataset command's readable views: a text summary for the terminal and a self-contained HTML page.
// Pure: report in, text out.
import type { DatasetReport } from '../core/dataset/report';

const f3 = (x: number) => x.toFixed(3);
const f4 = (x: number) => x.toFixed(4);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

/** How many units the summaries name per label. */
export const TOP_CONTRIBUTORS = 5;

/**
 * The units that add the most to `label`'s logit on average (mean of activation x classifier weight, logit units),
 * largest first; a unit that adds nothing on average is not named.
 */
export function topContributors(
  r: DatasetReport,
  label: string,
  k = TOP_CONTRIBUTORS,
): { unit: number; mean: number }[] {
  const c = r.headUnits.meanContribution[label] ?? [];
  return c
    .map((mean, unit) => ({ unit, mean }))
    .filter((u) => u.mean > 0)
    .sort((a, b) => b.mean - a.mean || a.unit - b.unit)
    .slice(0, k);
}

export function formatDatasetReport(r: DatasetReport): string {
  const d = r.dataset;
  const out: string[] = [];
  const skipped = d.skipped.emptyText + d.skipped.noLabel;
  const skippedText = skipped
    ? `${skipped} skipped (${d.skipped.emptyText} without text, ${d.skipped.noLabel} without a label; first at line ${d.skipped.lines.join(', ')})`
    : '0 skipped';
  out.push(
    `Dataset  ${d.file}  (${d.format}, ${d.examples} examples${d.complete ? '' : ', stopped at --limit'}; text "${d.textColumn}", label ${d.labelColumn ? `"${d.labelColumn}" as ${d.labelKind}` : 'none'}; ${skippedText})`,
  );
  out.push(
    `Model    ${r.model.name}  (dim ${r.model.dim}, ${r.model.nLayers} layers, labels ${r.model.labels.join(', ')})`,
  );
  out.push(
    `Run      ${(r.timing.runMs / 1000).toFixed(2)} s, ${r.timing.fromCache} of ${d.examples} from the cache${d.truncated ? `; ${d.truncated} texts longer than ${r.model.maxLength} tokens were read up to their first ${r.model.maxLength}` : ''}`,
  );
  if (!r.metrics || !r.confusion) {
    out.push('', 'No label column: predictions only (see --json for every example).');
    return out.join('\n');
  }
  const labels = r.model.labels;
  const w = Math.max(10, ...labels.map((l) => l.length));
  out.push(
    '',
    `accuracy: ${f4(r.metrics.accuracy)}   macro F1 ${f4(r.metrics.macroF1)}   ECE ${f4(r.metrics.ece)} (10 bins)`,
  );
  out.push('', `${'label'.padEnd(w)}  precision  recall     F1  support`);
  for (const l of labels) {
    const c = r.metrics.perClass[l]!;
    out.push(
      `${l.padEnd(w)}  ${f3(c.precision).padStart(9)}  ${f3(c.recall).padStart(6)}  ${f3(c.f1).padStart(5)}  ${String(c.support).padStart(7)}`,
    );
  }
  out.push('', 'confusion matrix (rows: gold label, columns: predicted)');
  out.push(`${''.padEnd(w)}  ${labels.map((l) => l.padStart(w)).join('  ')}`);
  r.confusion.forEach((row, i) =>
    out.push(`${labels[i]!.padEnd(w)}  ${row.map((x) => String(x).padStart(w)).join('  ')}`),
  );
  const dead = r.headUnits.dead;
  out.push(
    '',
    `head units: ${dead.length} of ${r.model.dim} never active on this dataset${dead.length ? ` (#${dead.slice(0, 12).join(', #')}${dead.length > 12 ? ', ...' : ''})` : ''}`,
  );
  out.push(`units adding most to each label's logit on average (mean activation x classifier weight, logit units):`);
  for (const l of r.model.labels) {
    const top = topContributors(r, l);
    out.push(`  ${l.padEnd(w)}  ${top.length ? top.map((u) => `#${u.unit} ${signed(u.mean)}`).join(', ') : 'none'}`);
  }
  const s = r.headStudy;
  if (s) {
    out.push(
      '',
      `Head study (fitted on ${s.train} examples, scored on the other ${s.test}; split seed ${s.seed}, L2 ${s.lambda})`,
    );
    for (const row of s.rows)
      out.push(`  ${row.description.padEnd(62)}  test ${f3(row.testAccuracy)}  train ${f3(row.trainAccuracy)}`);
  }
  return out.join('\n');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A standalone page (no script, no external resource); every text from the file is escaped. */
export function datasetHtml(r: DatasetReport): string {
  const labels = r.model.labels;
  const table = (head: string[], rows: string[][]) =>
    `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
  const parts = [
    `<h1>${esc(r.dataset.file)}</h1>`,
    `<p>${esc(`${r.dataset.examples} examples, model ${r.model.name}`)}</p>`,
  ];
  if (r.metrics && r.confusion) {
    parts.push(
      `<h2>Metrics</h2><p>${esc(`accuracy ${f4(r.metrics.accuracy)}, macro F1 ${f4(r.metrics.macroF1)}, ECE ${f4(r.metrics.ece)}`)}</p>`,
    );
    parts.push(
      table(
        ['label', 'precision', 'recall', 'F1', 'support'],
        labels.map((l) => {
          const c = r.metrics!.perClass[l]!;
          return [l, f3(c.precision), f3(c.recall), f3(c.f1), String(c.support)];
        }),
      ),
    );
    parts.push(
      '<h2>Confusion matrix (rows: gold, columns: predicted)</h2>',
      table(
        ['', ...labels],
        r.confusion.map((row, i) => [labels[i]!, ...row.map(String)]),
      ),
    );
  }
  const { dead, activeRate } = r.headUnits;
  parts.push(
    `<h2>Head units</h2><p>${esc(`${dead.length} of ${r.model.dim} never active on this dataset${dead.length ? ` (#${dead.join(', #')})` : ''}.`)}</p>`,
    table(
      ['label', 'unit', 'mean contribution to its logit', 'active on'],
      labels.flatMap((l) =>
        topContributors(r, l).map((u) => [
          l,
          `#${u.unit}`,
          signed(u.mean),
          `${(100 * activeRate[u.unit]!).toFixed(1)}%`,
        ]),
      ),
    ),
  );
  if (r.headStudy)
    parts.push(
      '<h2>Head study</h2>',
      table(
        ['classifier', 'test accuracy', 'train accuracy'],
        r.headStudy.rows.map((x) => [x.description, f3(x.testAccuracy), f3(x.trainAccuracy)]),
      ),
    );
  const wrong = r.examples.filter((e) => e.label !== null && e.label !== e.predicted).slice(0, 500);
  if (wrong.length)
    parts.push(
      `<h2>Misclassified (${wrong.length}${wrong.length === 500 ? '+' : ''})</h2>`,
      table(
        ['line', 'gold', 'predicted', 'confidence', 'text'],
        wrong.map((e) => [String(e.line), e.label!, e.predicted, f3(e.confidence), e.text]),
      ),
    );
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${esc(r.dataset.file)}</title><style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #8888;padding:2px 8px;text-align:left}</style></head><body>${parts.join('\n')}</body></html>\n`;
}
