// The dataset panel's webview (bundled to dist/datasetWebview.js): one view at a time, built from the host's
// DatasetView with DOM calls; only the UI state (tab, filters) and the dataset's source are persisted, the host
// re-sends the data (after a window reload, from its on-disk cache).
import { isDatasetHostMessageType, type DatasetHostMessage, type DatasetSource, type DatasetView, type DatasetWebviewMessage } from '../../shared/datasetProtocol';
import { el } from './dom';
import { emptyTable, examplesView, type TableState } from './examples';
import { metricsView, projectionView, studyView, unitsView, type ColourBy } from './views';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const TABS = ['metrics', 'examples', 'projection', 'units', 'study'] as const;
type Tab = (typeof TABS)[number];
const TAB_NAMES: Record<Tab, string> = { metrics: 'Metrics', examples: 'Examples', projection: 'Projection', units: 'Head units', study: 'Head study' };

interface UiState {
  tab: Tab;
  table: TableState;
  colourBy: ColourBy;
  /** The shown dataset's source: after a window reload the host's serializer reopens it from its cache. */
  source?: DatasetSource;
}

const api = acquireVsCodeApi();
const saved = api.getState() as Partial<UiState> | undefined;
let ui: UiState = { tab: TABS.includes(saved?.tab as Tab) ? saved!.tab! : 'metrics', table: { ...emptyTable, ...(saved?.table ?? {}) }, colourBy: saved?.colourBy ?? 'gold', source: saved?.source };
let view: DatasetView | undefined;
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
  const head = el('header', undefined,
    el('h2', undefined, v.fileName),
    el('p', 'meta', `${v.rows.length} examples · model ${v.modelName} · text "${v.textColumn}", label ${v.labelColumn ? `"${v.labelColumn}"` : 'none'}${v.skipped ? ` · ${v.skipped} rows skipped` : ''} · ${v.fromCache === v.rows.length ? 'from the cache' : `${(v.runMs / 1000).toFixed(1)} s`}`),
  );
  let body: HTMLElement;
  switch (ui.tab) {
    case 'metrics':
      body = metricsView(v, (gold, predicted) => set({ ...ui, tab: 'examples', table: { ...emptyTable, gold, predicted } }));
      break;
    case 'examples':
      body = examplesView(v, ui.table, (table) => set({ ...ui, table }), inspect);
      break;
    case 'projection':
      body = projectionView(v, ui.colourBy, (colourBy) => set({ ...ui, colourBy }), inspect);
      break;
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
      app.replaceChildren(el('p', 'placeholder', `Running ${msg.file}: ${msg.done} of ${msg.total} examples${msg.etaMs === null ? '' : `, about ${Math.ceil(msg.etaMs / 1000)} s left`}…`));
      return;
    case 'error':
      app.replaceChildren(el('p', 'error', msg.message));
      return;
    case 'dataset':
      view = msg.view;
      ui = { ...ui, source: msg.view.source };
      api.setState(ui);
      render();
      return;
  }
});

post({ type: 'ready' });
