// The projection view: which vectors (a block's [CLS], pre_classifier's or the activation's output), PCA or UMAP
// (computed by the host in a worker thread, with progress and a Cancel button), coloured by gold label,
// prediction or correctness, on a pannable canvas; hover reads the text, a click inspects the example.
import type { ProjectionResult } from '../../core/dataset/projectionJob';
import type { DatasetView, ProjectionMethodId } from '../../shared/datasetProtocol';
import { cssColor, el, pct } from './dom';
import { Scatter, type ScatterCamera } from './scatter';

/** The colour mode of the projection. */
export type ColourBy = 'gold' | 'predicted' | 'correct';

/** Which projection the user wants (persisted with the webview state). */
export interface ProjectionChoice {
  source: string;
  method: ProjectionMethodId;
  colourBy: ColourBy;
}

/** A projection under way in the host, or the last one that failed or was cancelled. */
export interface ProjectionJob {
  source: string;
  method: ProjectionMethodId;
  phase: string;
  done: number;
  total: number;
  failed?: string;
}

/** What the view needs from the page around it. */
export interface ProjectionHooks {
  choose(next: ProjectionChoice): void;
  request(source: string, method: ProjectionMethodId): void;
  cancel(): void;
  inspect(row: number): void;
}

export const projectionKey = (source: string, method: string) => `${source}|${method}`;

// Pan and zoom per projection, kept while the page re-renders (a colour change should not reset the view).
const cameras = new Map<string, ScatterCamera>();

export function projectionView(
  view: DatasetView,
  choice: ProjectionChoice,
  results: Map<string, ProjectionResult>,
  job: ProjectionJob | undefined,
  hooks: ProjectionHooks,
): HTMLElement {
  const root = el('section', 'projection');
  const controls = el('div', 'controls');
  const source = select(
    'Source',
    view.projectionSources.map((s) => [s.id, s.name]),
    choice.source,
    (v) => hooks.choose({ ...choice, source: v }),
  );
  const colour = select(
    'Colour by',
    [
      ['gold', 'colour by gold'],
      ['predicted', 'colour by predicted'],
      ['correct', 'colour by correct'],
    ],
    choice.colourBy,
    (v) => hooks.choose({ ...choice, colourBy: v as ColourBy }),
  );
  const methods = el('span', 'methods');
  methods.setAttribute('role', 'group');
  methods.setAttribute('aria-label', 'Method');
  for (const [m, name] of [
    ['pca', 'PCA'],
    ['umap', 'UMAP'],
  ] as const) {
    const b = el('button', m === choice.method ? 'method active' : 'method', name);
    b.dataset['method'] = m;
    b.setAttribute('aria-pressed', String(m === choice.method));
    b.addEventListener('click', () => hooks.choose({ ...choice, method: m }));
    methods.append(b);
  }
  controls.append(source, methods, colour);
  root.append(controls);
  const sourceName = view.projectionSources.find((s) => s.id === choice.source)?.name ?? choice.source;
  const result = results.get(projectionKey(choice.source, choice.method));
  const status = el('p', 'meta proj-status');
  status.setAttribute('role', 'status');
  root.append(status);
  if (!result) {
    const mine = job && job.source === choice.source && job.method === choice.method ? job : undefined;
    if (mine?.failed) {
      const again = el('button', 'link', 'Compute again');
      again.addEventListener('click', () => hooks.request(choice.source, choice.method));
      status.append(`${mine.failed} `, again);
    } else {
      if (!mine) hooks.request(choice.source, choice.method);
      showProgress(
        status,
        mine ?? { source: choice.source, method: choice.method, phase: 'reading', done: 0, total: 1 },
        sourceName,
        hooks.cancel,
      );
    }
    return root;
  }
  status.textContent =
    result.method === 'pca' && result.explained
      ? `PCA of ${sourceName}: PC1 ${pct(result.explained[0])} and PC2 ${pct(result.explained[1])} of the variance.`
      : `UMAP of ${sourceName}: 15 neighbours, min_dist 0.1, seed ${result.seed}${result.ms > 0 ? `, computed in ${(result.ms / 1000).toFixed(1)} s` : ''}. Distances between clusters are not meaningful.`;
  const tip = el(
    'p',
    'meta tip',
    'Hover a point to read its text; click it to inspect it. Drag or arrow keys pan, the wheel or +/- zoom, 0 or a double click resets.',
  );
  const key = projectionKey(choice.source, choice.method);
  const camera = cameras.get(key) ?? { zoom: 1, panX: 0, panY: 0 };
  cameras.set(key, camera);
  const { colour: colourOf, palette, legend } = colouring(view, choice.colourBy);
  const scatter = new Scatter({ x: result.x, y: result.y, colour: colourOf, palette }, camera, 640, 420, {
    hover: (i) => {
      const r = view.rows[i];
      tip.textContent = r
        ? `line ${r.line} · gold ${r.gold >= 0 ? view.labels[r.gold] : '—'} · predicted ${view.labels[r.predicted]}: ${r.text}`
        : 'Hover a point to read its text; click it to inspect it.';
    },
    pick: (i) => hooks.inspect(i),
    moved: () => undefined,
  });
  scatter.canvas.setAttribute(
    'aria-label',
    `${result.method.toUpperCase()} of ${sourceName}, ${view.rows.length} examples; arrow keys pan, plus and minus zoom`,
  );
  const reset = el('button', 'link', 'Reset view');
  reset.addEventListener('click', () => scatter.reset());
  root.append(legend, scatter.canvas, tip, reset);
  return root;
}

/** Updates the status line in place while a job runs (re-rendering would rebuild the canvas at every epoch). */
export function showProgress(status: HTMLElement, job: ProjectionJob, sourceName: string, cancel: () => void): void {
  const what = job.method === 'umap' ? 'UMAP' : 'PCA';
  const step =
    job.phase === 'layout'
      ? `layout epoch ${job.done} of ${job.total}`
      : job.phase === 'neighbours'
        ? "finding each example's 15 nearest neighbours"
        : job.phase === 'pca'
          ? 'principal components'
          : 'reading the vectors';
  const bar = el('progress');
  bar.max = job.total || 1;
  bar.value = job.phase === 'layout' ? job.done : 0;
  const stop = el('button', 'link', 'Cancel');
  stop.addEventListener('click', cancel);
  status.replaceChildren(`Computing ${what} of ${sourceName} in a worker thread: ${step}… `, bar, ' ', stop);
}

function select(
  label: string,
  options: [string, string][],
  value: string,
  change: (v: string) => void,
): HTMLSelectElement {
  const s = el('select');
  s.setAttribute('aria-label', label);
  for (const [v, name] of options) {
    const o = el('option', undefined, name);
    o.value = v;
    o.selected = v === value;
    s.append(o);
  }
  s.addEventListener('change', () => change(s.value));
  return s;
}

/** Each row's palette index, the palette (theme colours) and a legend naming them. */
function colouring(view: DatasetView, by: ColourBy): { colour: Uint8Array; palette: string[]; legend: HTMLElement } {
  const charts = ['orange', 'blue', 'green', 'purple', 'yellow', 'red'].map((c, k) =>
    cssColor(`--vscode-charts-${c}`, ['#d18616', '#3794ff', '#89d185', '#b180d7', '#cca700', '#f14c4c'][k]!),
  );
  const none = cssColor('--vscode-descriptionForeground', '#888');
  let names: string[], palette: string[], of: (r: DatasetView['rows'][number]) => number;
  if (by === 'correct') {
    names = ['correct', 'wrong', 'no gold label'];
    palette = [charts[2]!, charts[5]!, none];
    of = (r) => (r.gold < 0 ? 2 : r.gold === r.predicted ? 0 : 1);
  } else {
    // Six theme colours, then they repeat (the legend says which labels share one).
    names = [...view.labels, 'no gold label'];
    palette = [...view.labels.map((_, k) => charts[k % charts.length]!), none];
    of = (r) => {
      const k = by === 'gold' ? r.gold : r.predicted;
      return k < 0 ? view.labels.length : k;
    };
  }
  const colour = Uint8Array.from(view.rows, (r) => Math.min(255, of(r)));
  const used = new Set(colour);
  const legend = el('p', 'legend');
  names.forEach((n, k) => {
    if (!used.has(k)) return;
    const sw = el('span', 'swatch');
    sw.style.background = palette[k]!;
    legend.append(el('span', 'key', sw, n));
  });
  return { colour, palette, legend };
}
