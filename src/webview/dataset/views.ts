// The dataset panel's other views: metrics with the confusion matrix and reliability, the PCA projection on a
// canvas, head units, and the head study.
import type { DatasetView } from '../../shared/datasetProtocol';
import { cssColor, el, f3, pct, table } from './dom';

export function metricsView(view: DatasetView, openCell: (gold: number, predicted: number) => void): HTMLElement {
  const root = el('section', 'metrics');
  const m = view.metrics;
  if (!m || !view.confusion) {
    root.append(el('p', 'muted', 'This file has no label column: predictions only (see Examples).'));
    return root;
  }
  root.append(el('p', 'headline', `accuracy ${f3(m.accuracy)} · macro F1 ${f3(m.macroF1)} · ECE ${f3(m.ece)}`));
  root.append(table(['label', 'precision', 'recall', 'F1', 'support'], view.labels.map((l) => {
    const c = m.perClass[l]!;
    return [l, f3(c.precision), f3(c.recall), f3(c.f1), String(c.support)];
  })));
  root.append(el('h4', undefined, 'Confusion matrix (rows: gold, columns: predicted; click a cell for its examples)'));
  const max = Math.max(1, ...view.confusion.flat());
  const rows = view.confusion.map((row, g) => [view.labels[g]!, ...row.map((count, p) => {
    const b = el('button', `cell${g === p ? ' diag' : ''}`, String(count));
    b.style.setProperty('--fill', String(count / max));
    b.title = `gold ${view.labels[g]}, predicted ${view.labels[p]}: ${count}`;
    b.addEventListener('click', () => openCell(g, p));
    return b;
  })]);
  root.append(table(['', ...view.labels], rows, 'grid confusion'));
  root.append(el('h4', undefined, 'Reliability (confidence bins: mean confidence vs accuracy)'));
  const bins = m.reliability.filter((b) => b.count > 0);
  root.append(table(['confidence', 'examples', 'mean confidence', 'accuracy', ''], bins.map((b) => {
    const bar = el('span', 'bar');
    bar.style.width = `${(b.accuracy * 100).toFixed(1)}%`;
    return [`${pct(b.lo)}–${pct(b.hi)}`, String(b.count), f3(b.confidence), f3(b.accuracy), el('span', 'track', bar)];
  })));
  return root;
}

/** The colour mode of the projection. */
export type ColourBy = 'gold' | 'predicted' | 'correct';

export function projectionView(view: DatasetView, by: ColourBy, setBy: (b: ColourBy) => void, inspect: (row: number) => void): HTMLElement {
  const root = el('section', 'projection');
  const sel = el('select');
  sel.setAttribute('aria-label', 'Colour by');
  for (const b of ['gold', 'predicted', 'correct'] as const) {
    const o = el('option', undefined, `colour by ${b}`);
    o.value = b;
    o.selected = b === by;
    sel.append(o);
  }
  sel.addEventListener('change', () => setBy(sel.value as ColourBy));
  const p = view.projection;
  root.append(el('p', 'meta', `PCA of the final [CLS]: PC1 ${pct(p.explained[0])} and PC2 ${pct(p.explained[1])} of the variance · `), sel);
  const canvas = el('canvas');
  const W = 640, H = 420, pad = 12;
  canvas.width = W;
  canvas.height = H;
  canvas.setAttribute('aria-label', 'Projection of the examples');
  const tip = el('p', 'meta tip', 'Hover a point to read its text; click it to inspect it.');
  root.append(canvas, tip);
  const n = p.x.length;
  if (!n) return root;
  const [x0, x1] = [Math.min(...p.x), Math.max(...p.x)];
  const [y0, y1] = [Math.min(...p.y), Math.max(...p.y)];
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * pad);
  const sy = (y: number) => H - pad - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * pad);
  const palette = [cssColor('--vscode-charts-orange', '#d18616'), cssColor('--vscode-charts-blue', '#3794ff'), cssColor('--vscode-charts-green', '#89d185'), cssColor('--vscode-charts-purple', '#b180d7'), cssColor('--vscode-charts-yellow', '#cca700'), cssColor('--vscode-charts-red', '#f14c4c')];
  const colour = (i: number) => {
    const r = view.rows[i]!;
    if (by === 'correct') return r.gold < 0 ? palette[3]! : r.gold === r.predicted ? palette[2]! : palette[5]!;
    const k = by === 'gold' ? r.gold : r.predicted;
    return k < 0 ? cssColor('--vscode-descriptionForeground', '#888') : palette[k % palette.length]!;
  };
  const ctx = canvas.getContext('2d');
  if (ctx) {
    ctx.globalAlpha = 0.75;
    for (let i = 0; i < n; i++) {
      ctx.fillStyle = colour(i);
      ctx.fillRect(sx(p.x[i]!) - 1.5, sy(p.y[i]!) - 1.5, 3, 3);
    }
  }
  const nearest = (ev: MouseEvent): number => {
    const rect = canvas.getBoundingClientRect();
    const mx = ((ev.clientX - rect.left) / rect.width) * W, my = ((ev.clientY - rect.top) / rect.height) * H;
    let best = -1, bestD = 64;
    for (let i = 0; i < n; i++) {
      const d = (sx(p.x[i]!) - mx) ** 2 + (sy(p.y[i]!) - my) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    }
    return best;
  };
  canvas.addEventListener('mousemove', (ev) => {
    const i = nearest(ev);
    const r = view.rows[i];
    tip.textContent = r ? `line ${r.line} · gold ${r.gold >= 0 ? view.labels[r.gold] : '—'} · predicted ${view.labels[r.predicted]}: ${r.text}` : 'Hover a point to read its text; click it to inspect it.';
  });
  canvas.addEventListener('click', (ev) => {
    const i = nearest(ev);
    if (i >= 0) inspect(i);
  });
  return root;
}

export function unitsView(view: DatasetView, inspect: (row: number) => void): HTMLElement {
  const root = el('section', 'units');
  const u = view.headUnits;
  root.append(el('p', 'headline', `${u.dead.length} of ${u.activeRate.length} ReLU units are never active on this dataset${u.dead.length ? `: #${u.dead.join(', #')}` : ''}`));
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
  root.append(el('h4', undefined, 'Most often active units and their top-activating examples'));
  root.append(table(['unit', 'active on', 'mean activation', 'top-activating examples'], u.topUnits.map((t) => {
    const list = el('span', 'tops');
    for (const i of t.topRows) {
      const b = el('button', 'link', view.rows[i]!.text.slice(0, 80));
      b.title = `line ${view.rows[i]!.line}: inspect`;
      b.addEventListener('click', () => inspect(i));
      list.append(b);
    }
    return [`#${t.unit}`, pct(t.rate), f3(t.meanAct), list];
  })));
  return root;
}

export function studyView(view: DatasetView): HTMLElement {
  const root = el('section', 'study');
  const s = view.headStudy;
  if (!s) {
    root.append(el('p', 'muted', 'The head study needs gold labels.'));
    return root;
  }
  root.append(el('p', 'meta', `Probes fitted on ${s.train} examples and scored on the other ${s.test} (split seed ${s.seed}, L2 ${s.lambda}).`));
  root.append(table(['classifier', 'test accuracy', 'train accuracy', ''], s.rows.map((r) => {
    const bar = el('span', 'bar');
    bar.style.width = `${(r.testAccuracy * 100).toFixed(1)}%`;
    return [r.description, f3(r.testAccuracy), f3(r.trainAccuracy), el('span', 'track', bar)];
  })));
  return root;
}
