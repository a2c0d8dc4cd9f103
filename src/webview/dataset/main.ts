// The dataset panel's webview (bundled to dist/datasetWebview.js): one view at a time, built from the host's
// DatasetView with DOM calls; only the UI state (tab, filters) and the dataset's source are persisted, the host
// re-sends the data (after a window reload, from its on-disk cache).
import {
  isDatasetHostMessageType,
  type DatasetHostMessage,
  type DatasetSource,
  type DatasetView,
  type DatasetWebviewMessage,
} from '../../shared/datasetProtocol';
import { el } from './dom';
import { emptyTable, examplesView, type TableState } from './examples';
import { projectionKey, projectionView, showProgress, type ColourBy, type ProjectionJob } from './projection';
import { metricsView, studyView, unitsView } from './views';
import type { ProjectionResult } from '../../core/dataset/projectionJob';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const TABS = ['metrics', 'examples', 'projection', 'units', 'study'] as const;
type Tab = (typeof TABS)[number];
const TAB_NAMES: Record<Tab, string> = {
  metrics: 'Metrics',
  examples: 'Examples',
  projection: 'Projection',
  units: 'Head units',
  study: 'Head study',
};

interface UiState {
  tab: Tab;
  table: TableState;
  colourBy: ColourBy;
  /** Which vectors the projection shows, and by which method. */
  projection: { source: string; method: 'pca' | 'umap' };
  /** The shown dataset's source: after a window reload the host's serializer reopens it from its cache. */
  source?: DatasetSource;
}

const api = acquireVsCodeApi();
const saved = api.getState() as Partial<UiState> | undefined;
let ui: UiState = {
  tab: TABS.includes(saved?.tab as Tab) ? saved!.tab! : 'metrics',
  table: { ...emptyTable, ...saved?.table },
  colourBy: saved?.colourBy ?? 'gold',
  projection:
    saved?.projection?.method === 'umap' || saved?.projection?.method === 'pca'
      ? saved.projection
      : { source: 'cls', method: 'pca' },
  source: saved?.source,
};
let view: DatasetView | undefined;
/** Projections received for this view, by source and method. */
const projections = new Map<string, ProjectionResult>();
let job: ProjectionJob | undefined;
const app = document.getElementById('app')!;

const post = (m: DatasetWebviewMessage) => api.postMessage(m);
const inspect = (row: number) => post({ type: 'inspectRow', row });

function set(next: UiState): void {
  ui = next;
  api.setState(ui);
  render();
}

function render(): void {
  if (!view) return;
  const v = view;
  const nav = el('nav', 'tabs');
  nav.setAttribute('role', 'tablist');
  for (const t of TABS) {
    const b = el('button', t === ui.tab ? 'tab active' : 'tab', TAB_NAMES[t]);
    b.setAttribute('role', 'tab');
    b.setAttribute('aria-selected', String(t === ui.tab));
    b.dataset['tab'] = t;
    b.addEventListener('click', () => set({ ...ui, tab: t }));
    nav.append(b);
  }
  const head = el(
    'header',
    undefined,
    el('h2', undefined, v.fileName),
    el(
      'p',
      'meta',
      `${v.rows.length} examples · model ${v.modelName} · text "${v.textColumn}", label ${v.labelColumn ? `"${v.labelColumn}"` : 'none'}${v.skipped ? ` · ${v.skipped} rows skipped` : ''} · ${v.fromCache === v.rows.length ? 'from the cache' : `${(v.runMs / 1000).toFixed(1)} s`}`,
    ),
  );
  let body: HTMLElement;
  switch (ui.tab) {
    case 'metrics':
      body = metricsView(v, (gold, predicted) =>
        set({ ...ui, tab: 'examples', table: { ...emptyTable, gold, predicted } }),
      );
      break;
    case 'examples':
      body = examplesView(v, ui.table, (table) => set({ ...ui, table }), inspect);
      break;
    case 'projection': {
      // A saved choice from another dataset (another model's blocks) falls back to the default.
      const projection = v.projectionSources.some((s) => s.id === ui.projection.source)
        ? ui.projection
        : { source: 'cls', method: ui.projection.method };
      body = projectionView(v, { ...projection, colourBy: ui.colourBy }, projections, job, {
        choose: (c) => set({ ...ui, colourBy: c.colourBy, projection: { source: c.source, method: c.method } }),
        request: (source, method) => {
          job = { source, method, phase: 'reading', done: 0, total: 1 };
          post({ type: 'project', source, method });
        },
        cancel: () => post({ type: 'cancelProjection' }),
        inspect,
      });
      break;
    }
    case 'units':
      body = unitsView(v, inspect);
      break;
    case 'study':
      body = studyView(v);
      break;
  }
  app.replaceChildren(head, nav, body);
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const msg = ev.data as DatasetHostMessage;
  if (!isDatasetHostMessageType(msg)) return;
  switch (msg.type) {
    case 'progress':
      app.replaceChildren(
        el(
          'p',
          'placeholder',
          `Running ${msg.file}: ${msg.done} of ${msg.total} examples${msg.etaMs === null ? '' : `, about ${Math.ceil(msg.etaMs / 1000)} s left`}…`,
        ),
      );
      return;
    case 'error':
      app.replaceChildren(el('p', 'error', msg.message));
      return;
    case 'dataset':
      view = msg.view;
      projections.clear();
      projections.set(projectionKey(view.projection.source, view.projection.method), view.projection);
      job = undefined;
      ui = { ...ui, source: msg.view.source };
      api.setState(ui);
      render();
      return;
    case 'projectionProgress': {
      job = { source: msg.source, method: msg.method, phase: msg.phase, done: msg.done, total: msg.total };
      const status = document.querySelector<HTMLElement>('.proj-status');
      const name = view?.projectionSources.find((s) => s.id === msg.source)?.name ?? msg.source;
      if (
        status &&
        ui.tab === 'projection' &&
        ui.projection.source === msg.source &&
        ui.projection.method === msg.method
      )
        showProgress(status, job, name, () => post({ type: 'cancelProjection' }));
      return;
    }
    case 'projection':
      projections.set(projectionKey(msg.projection.source, msg.projection.method), msg.projection);
      job = undefined;
      if (ui.tab === 'projection') render();
      return;
    case 'projectionFailed':
      job = {
        source: msg.source,
        method: msg.method,
        phase: 'failed',
        done: 0,
        total: 1,
        failed: msg.cancelled ? 'Cancelled.' : msg.message,
      };
      if (ui.tab === 'projection') render();
      return;
  }
});

post({ type: 'ready' });
