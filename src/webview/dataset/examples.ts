// The example table: filters (misclassified, low confidence, gold label, a confusion cell, substring or /regex/),
// sort, metrics recomputed on the slice, and a virtualised list (only the visible rows are in the DOM).
import { computeMetrics } from '../../core/dataset/metrics';
import type { DatasetView } from '../../shared/datasetProtocol';
import { el, f3, pct } from './dom';

/** The table's filter and sort (persisted with the webview state). */
export interface TableState {
  show: 'all' | 'wrong' | 'low';
  gold: number;
  predicted: number;
  query: string;
  sort: 'line' | 'confidence' | 'margin';
}

export const emptyTable: TableState = { show: 'all', gold: -1, predicted: -1, query: '', sort: 'line' };

const ROW_PX = 24;
const LOW_CONFIDENCE = 0.6;

/** Rows that pass the filter, in the chosen order; `error` when the /regex/ does not compile. */
export function sliceRows(view: DatasetView, s: TableState): { rows: number[]; error?: string } {
  let match: (t: string) => boolean = () => true;
  const q = s.query;
  if (q.length > 2 && q.startsWith('/') && q.lastIndexOf('/') > 0) {
    try {
      const re = new RegExp(q.slice(1, q.lastIndexOf('/')), q.slice(q.lastIndexOf('/') + 1));
      match = (t) => re.test(t);
    } catch (err) {
      return { rows: [], error: `Bad regular expression: ${(err as Error).message}` };
    }
  } else if (q) {
    const lower = q.toLowerCase();
    match = (t) => t.toLowerCase().includes(lower);
  }
  const conf = (i: number) => Math.max(...view.rows[i]!.probs);
  const margin = (i: number) => {
    const p = [...view.rows[i]!.probs].sort((a, b) => b - a);
    return p[0]! - (p[1] ?? 0);
  };
  const rows: number[] = [];
  view.rows.forEach((r, i) => {
    if (s.show === 'wrong' && (r.gold < 0 || r.gold === r.predicted)) return;
    if (s.show === 'low' && conf(i) >= LOW_CONFIDENCE) return;
    if (s.gold >= 0 && r.gold !== s.gold) return;
    if (s.predicted >= 0 && r.predicted !== s.predicted) return;
    if (match(r.text)) rows.push(i);
  });
  if (s.sort === 'confidence') rows.sort((a, b) => conf(a) - conf(b));
  else if (s.sort === 'margin') rows.sort((a, b) => margin(a) - margin(b));
  return { rows };
}

export function examplesView(
  view: DatasetView,
  s: TableState,
  update: (s: TableState) => void,
  inspect: (row: number) => void,
): HTMLElement {
  const root = el('section', 'examples');
  const labels = view.labels;
  const select = <T extends string | number>(label: string, value: T, options: [T, string][], set: (v: T) => void) => {
    const sel = el('select');
    sel.setAttribute('aria-label', label);
    for (const [v, text] of options) {
      const o = el('option', undefined, text);
      o.value = String(v);
      o.selected = v === value;
      sel.append(o);
    }
    sel.addEventListener('change', () => set((typeof value === 'number' ? Number(sel.value) : sel.value) as T));
    return sel;
  };
  const query = el('input');
  query.type = 'search';
  query.placeholder = 'substring or /regex/i';
  query.setAttribute('aria-label', 'Filter texts');
  query.value = s.query;
  query.addEventListener('change', () => update({ ...s, query: query.value }));
  const labelOptions: [number, string][] = [[-1, 'any'], ...labels.map((l, i): [number, string] => [i, l])];
  root.append(
    el(
      'div',
      'controls',
      select(
        'Show',
        s.show,
        [
          ['all', 'all examples'],
          ['wrong', 'misclassified'],
          ['low', `confidence < ${LOW_CONFIDENCE}`],
        ],
        (show) => update({ ...s, show }),
      ),
      ' gold ',
      select('Gold label', s.gold, labelOptions, (gold) => update({ ...s, gold })),
      ' predicted ',
      select('Predicted label', s.predicted, labelOptions, (predicted) => update({ ...s, predicted })),
      ' ',
      query,
      ' sort ',
      select(
        'Sort',
        s.sort,
        [
          ['line', 'file order'],
          ['confidence', 'least confident first'],
          ['margin', 'smallest margin first'],
        ],
        (sort) => update({ ...s, sort }),
      ),
    ),
  );
  const { rows, error } = sliceRows(view, s);
  if (error) {
    root.append(el('p', 'error', error));
    return root;
  }
  const gold = view.rows.map((r) => r.gold);
  const labelled = rows.filter((i) => gold[i]! >= 0);
  let summary = `${rows.length} of ${view.rows.length} examples`;
  if (labelled.length) {
    const m = computeMetrics(
      labels,
      gold,
      view.rows.map((r) => r.predicted),
      view.rows.flatMap((r) => r.probs),
      labelled,
    );
    summary += ` · accuracy on this slice ${f3(m.accuracy)} · macro F1 ${f3(m.macroF1)}`;
  }
  root.append(el('p', 'meta slice', summary));
  // Virtualised: a tall spacer holds the scroll height; only the rows in view (plus a margin) are built.
  const viewport = el('div', 'viewport');
  viewport.setAttribute('role', 'list');
  const spacer = el('div', 'spacer');
  spacer.style.height = `${rows.length * ROW_PX}px`;
  viewport.append(spacer);
  const draw = () => {
    const first = Math.max(0, Math.floor((viewport.scrollTop || 0) / ROW_PX) - 10);
    const last = Math.min(rows.length, first + Math.ceil((viewport.clientHeight || 480) / ROW_PX) + 20);
    spacer.replaceChildren();
    for (let k = first; k < last; k++) {
      const i = rows[k]!;
      const r = view.rows[i]!;
      const conf = Math.max(...r.probs);
      const wrong = r.gold >= 0 && r.gold !== r.predicted;
      const b = el(
        'button',
        `row${wrong ? ' wrong' : ''}`,
        el('span', 'line', String(r.line)),
        el('span', 'gold', r.gold >= 0 ? labels[r.gold]! : '—'),
        el('span', 'pred', labels[r.predicted]!),
        el('span', 'conf', pct(conf)),
        el('span', 'text', r.text),
      );
      b.style.top = `${k * ROW_PX}px`;
      b.title = `Line ${r.line}: open in the Activation Inspector`;
      b.dataset['row'] = String(i);
      b.addEventListener('click', () => inspect(i));
      spacer.append(b);
    }
  };
  viewport.addEventListener('scroll', () => requestAnimationFrame(draw));
  root.append(
    el(
      'div',
      'row header',
      el('span', 'line', 'line'),
      el('span', 'gold', 'gold'),
      el('span', 'pred', 'predicted'),
      el('span', 'conf', 'conf.'),
      el('span', 'text', 'text'),
    ),
    viewport,
  );
  requestAnimationFrame(draw);
  draw();
  return root;
}
