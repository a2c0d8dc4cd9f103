// The inspector webview's entry point (bundled to dist/webview.js). It keeps one PersistedState, renders it,
// persists it with setState (so hiding the panel or reloading the window restores it), and talks to the host
// only through the typed protocol, starting with `ready`.
import {
  emptyPanelState,
  isHostToWebview,
  isPersistedState,
  reduce,
  type LiveStatus,
  type ModelNote,
  type PersistedState,
  type WebviewToHost,
} from '../shared/protocol';
import { readPalette } from './theme';
import { liveBar, liveOff } from './live';
import { renderApp, type ViewCallbacks } from './view';
import type { WhatIfState } from './whatIf';
import { announce, announcement } from './announce';
import { upgradeSavedStages } from '../core/present/inspectionJson';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const saved = upgradeSavedStages(api.getState());
let state: PersistedState = isPersistedState(saved) ? saved : { version: 1, panel: emptyPanelState, selectedWindow: 0 };
/** Live inspection's bar; not persisted (the host re-sends it after `ready`, and live is off after a reload). */
let live: LiveStatus = liveOff;
/** The what-if experiment on show; not persisted (an experiment, not a result), dropped with its result. */
let whatIf: WhatIfState | undefined;
/** The note about the loaded model; like `live`, re-sent by the host after `ready`. */
let modelNote: ModelNote | undefined;

function post(msg: WebviewToHost): void {
  api.postMessage(msg);
}

const callbacks: ViewCallbacks = {
  selectWindow(index) {
    commit({ ...state, selectedWindow: index });
    post({ type: 'reveal', windowIndex: index });
  },
  reveal(start, end) {
    post({ type: 'reveal', start, end });
  },
  exportJson() {
    post({ type: 'exportJson' });
  },
  exportMarkdown() {
    post({ type: 'exportMarkdown' });
  },
  compareVariants() {
    post({ type: 'compareVariants' });
  },
  occlude(unit) {
    post({ type: 'occlude', unit });
  },
  revealCompared(side) {
    post({ type: 'revealCompared', side });
  },
  tokenLens() {
    post({ type: 'tokenLens' });
  },
  whatIf: {
    get: () => whatIf,
    set(next) {
      whatIf = next;
      render();
    },
  },
  explain(method) {
    post({ type: 'explain', method });
  },
  attention(layer, head) {
    post(layer === undefined ? { type: 'attention' } : { type: 'attention', layer, head: head ?? -1 });
  },
  openModelCard() {
    post({ type: 'openModelCard' });
  },
  switchModel() {
    post({ type: 'switchModel' });
  },
};

function render(): void {
  const app = document.getElementById('app');
  if (!app) return;
  // Re-rendering replaces the elements; keep keyboard focus on the "same" control.
  const focusKey = (document.activeElement as HTMLElement | null)?.getAttribute?.('data-focus-key');
  app.replaceChildren(
    liveBar(live, (on) => post({ type: 'setLive', on })),
    renderApp(state, readPalette(), callbacks, modelNote),
  );
  announce(document.getElementById('announce'), announcement(state));
  if (focusKey) app.querySelector<HTMLElement>(`[data-focus-key="${focusKey}"]`)?.focus();
  // A long file has hundreds of windows in a scrolling list: keep the selected one in sight (scrolling only
  // the list, not the page).
  const list = app.querySelector<HTMLElement>('.windows');
  const selected = list?.querySelector<HTMLElement>('.window-item.selected');
  if (list && selected && selected.offsetTop + selected.offsetHeight > list.clientHeight) {
    list.scrollTop = selected.offsetTop - list.clientHeight / 2;
  }
}

/**
 * Numbers above which the result is not kept in setState: VS Code copies the whole state to the host on every
 * call (every click here), and a long file on a full-size model is tens of MB. Hiding and showing the panel
 * still restores it (the host answers `ready` with the full state); only a window reload loses it, and says so.
 */
const persistLimit = 300_000;

function persistable(st: PersistedState): PersistedState {
  const view = st.panel.view;
  if (view.kind !== 'result') return st;
  // A 512-token head view is 262k numbers: keep the attention across a reload only for short windows.
  if (view.attention?.kind === 'done' && view.attention.view.seq > 128) {
    const { attention: _dropped, ...rest } = view;
    return persistable({ ...st, panel: { ...st.panel, view: rest } });
  }
  const m = view.inspection.model;
  const size = view.inspection.windows.length * (m.nLayers + 3) * m.dim;
  if (size <= persistLimit) return st;
  const note = `The last result (${view.inspection.windows.length} windows) was too large to keep across a window reload; run the command again.`;
  return { ...st, panel: { newest: st.panel.newest, view: { kind: 'empty', note } } };
}

function commit(next: PersistedState): void {
  state = next;
  api.setState(persistable(state));
  render();
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const msg = event.data;
  if (!isHostToWebview(msg)) return;
  if (msg.type === 'live') {
    live = msg.live;
    render();
    return;
  }
  if (msg.type === 'modelNote') {
    modelNote = msg.note;
    render();
    return;
  }
  const panel = reduce(state.panel, msg);
  if (!panel) return; // stale: an older request finished after a newer one started
  commit({ version: 1, panel, selectedWindow: msg.type === 'result' ? 0 : state.selectedWindow });
});

// Theme switches change the body class and the --vscode-* variables; chart colours are read from them.
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

render();
post({ type: 'ready' });
