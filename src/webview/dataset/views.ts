// The dataset panel's other views: metrics with the confusion matrix and reliability, head units, and the head
// study (the projection has its own file).
import type { DatasetView } from '../../shared/datasetProtocol';
import { el, f3, pct, table } from './dom';

export function metricsView(view: DatasetView, openCell: (gold: number, predicted: number) => void): HTMLElement {
  const root = el('section', 'metrics');
  const m = view.metrics;
  if (!m || !view.confusion) {
    root.append(el('p', 'muted', 'This file has no label column: predictions only (see Examples).'));
    return root;
  }
  root.append(el('p', 'headline', `accuracy ${f3(m.accuracy)} · macro F1 ${f3(m.macroF1)} · ECE ${f3(m.ece)}`));
  root.append(
    table(
      ['label', 'precision', 'recall', 'F1', 'support'],
      view.labels.map((l) => {
        const c = m.perClass[l]!;
        return [l, f3(c.precision), f3(c.recall), f3(c.f1), String(c.support)];
      }),
    ),
  );
  root.append(el('h4', undefined, 'Confusion matrix (rows: gold, columns: predicted; click a cell for its examples)'));
  const max = Math.max(1, ...view.confusion.flat());
  const rows = view.confusion.map((row, g) => [
    view.labels[g]!,
    ...row.map((count, p) => {
      const b = el('button', `cell${g === p ? ' diag' : ''}`, String(count));
      b.style.setProperty('--fill', String(count / max));
      b.title = `gold ${view.labels[g]}, predicted ${view.labels[p]}: ${count}`;
      b.addEventListener('click', () => openCell(g, p));
      return b;
    }),
  ]);
  root.append(table(['', ...view.labels], rows, 'grid confusion'));
  root.append(el('h4', undefined, 'Reliability (confidence bins: mean confidence vs accuracy)'));
  const bins = m.reliability.filter((b) => b.count > 0);
  root.append(
    table(
      ['confidence', 'examples', 'mean confidence', 'accuracy', ''],
      bins.map((b) => {
        const bar = el('span', 'bar');
        bar.style.width = `${(b.accuracy * 100).toFixed(1)}%`;
        return [
          `${pct(b.lo)}–${pct(b.hi)}`,
          String(b.count),
          f3(b.confidence),
          f3(b.accuracy),
          el('span', 'track', bar),
        ];
      }),
    ),
  );
  return root;
}

export function unitsView(view: DatasetView, inspect: (row: number) => void): HTMLElement {
  const root = el('section', 'units');
  const u = view.headUnits;
  root.append(
    el(
      'p',
      'headline',
      `${u.dead.length} of ${u.activeRate.length} ReLU units are never active on this dataset${u.dead.length ? `: #${u.dead.join(', #')}` : ''}`,
    ),
  );
  // Histogram of activity rates in 10 bins.
  const hist = new Array<number>(10).fill(0);
  for (const r of u.activeRate) hist[Math.min(9, Math.floor(r * 10))]! += 1;
  const maxH = Math.max(1, ...hist);
  const bars = el('div', 'hist');
  hist.forEach((h, b) => {
    const bar = el('span', 'hbar');
    bar.style.height = `${(h / maxH) * 100}%`;
    bar.title = `${h} units active on ${b * 10}–${b * 10 + 10}% of examples`;
    bars.append(bar);
  });
  root.append(el('h4', undefined, 'Units by how often they are active (0% … 100% of examples)'), bars);
  root.append(
    el(
      'h4',
      undefined,
      'Mean contribution per label: the mean over the examples of activation × classifier weight (logit units)',
    ),
  );
  root.append(
    table(
      ['label', 'pushes toward it most', 'pushes against it most'],
      view.labels.map((l) => {
        const c = u.meanContribution[l] ?? [];
        const order = c.map((v, j) => [v, j] as const).sort((a, b) => b[0] - a[0]);
        const list = (xs: (readonly [number, number])[]) => xs.map(([v, j]) => `#${j} ${signed(v)}`).join(', ') || '—';
        return [
          l,
          list(order.filter(([v]) => v > 0).slice(0, 5)),
          list(
            order
              .filter(([v]) => v < 0)
              .reverse()
              .slice(0, 5),
          ),
        ];
      }),
    ),
  );
  root.append(
    el(
      'h4',
      undefined,
      'Most often active units, their mean contribution to each label and their top-activating examples',
    ),
  );
  const contributionHeads = view.labels.map((l) => `mean → ${l}`);
  root.append(
    table(
      ['unit', 'active on', 'mean activation', ...contributionHeads, 'top-activating examples'],
      u.topUnits.map((t) => {
        const list = el('span', 'tops');
        for (const i of t.topRows) {
          const b = el('button', 'link', view.rows[i]!.text.slice(0, 80));
          b.title = `line ${view.rows[i]!.line}: inspect`;
          b.addEventListener('click', () => inspect(i));
          list.append(b);
        }
        return [
          `#${t.unit}`,
          pct(t.rate),
          f3(t.meanAct),
          ...view.labels.map((l) => signed(u.meanContribution[l]?.[t.unit] ?? 0)),
          list,
        ];
      }),
    ),
  );
  return root;
}

/** A logit amount with its sign; one that rounds to zero gets none (no "−0.000"). */
const signed = (x: number) => {
  const s = Math.abs(x).toFixed(3);
  return s === '0.000' ? s : `${x > 0 ? '+' : '−'}${s}`;
};

export function studyView(view: DatasetView): HTMLElement {
  const root = el('section', 'study');
  const s = view.headStudy;
  if (!s) {
    root.append(el('p', 'muted', 'The head study needs gold labels.'));
    return root;
  }
  root.append(
    el(
      'p',
      'meta',
      `Probes fitted on ${s.train} examples and scored on the other ${s.test} (split seed ${s.seed}, L2 ${s.lambda}).`,
    ),
  );
  root.append(
    table(
      ['classifier', 'test accuracy', 'train accuracy', ''],
      s.rows.map((r) => {
        const bar = el('span', 'bar');
        bar.style.width = `${(r.testAccuracy * 100).toFixed(1)}%`;
        return [r.description, f3(r.testAccuracy), f3(r.trainAccuracy), el('span', 'track', bar)];
      }),
    ),
  );
  return root;
}
