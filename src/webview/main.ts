// The inspector webview's entry point (bundled to dist/webview.js). It keeps one PersistedState, renders it,
// persists it with setState (so hiding the panel or reloading the window restores it), and talks to the host
// only through the typed protocol, starting with `ready`.
import {
  emptyPanelState,
  isHostToWebview,
  isPersistedState,
  reduce,
  type PersistedState,
  type WebviewToHost,
} from '../shared/protocol';
import { readPalette } from './theme';
import { renderApp, type ViewCallbacks } from './view';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const saved = api.getState();
let state: PersistedState = isPersistedState(saved) ? saved : { version: 1, panel: emptyPanelState, selectedWindow: 0 };

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
};

function render(): void {
  const app = document.getElementById('app');
  if (!app) return;
  // Re-rendering replaces the elements; keep keyboard focus on the "same" control.
  const focusKey = (document.activeElement as HTMLElement | null)?.getAttribute?.('data-focus-key');
  app.replaceChildren(renderApp(state, readPalette(), callbacks));
  if (focusKey) app.querySelector<HTMLElement>(`[data-focus-key="${focusKey}"]`)?.focus();
}

function commit(next: PersistedState): void {
  state = next;
  api.setState(state);
  render();
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const msg = event.data;
  if (!isHostToWebview(msg)) return;
  const panel = reduce(state.panel, msg);
  if (!panel) return; // stale: an older request finished after a newer one started
  commit({ version: 1, panel, selectedWindow: msg.type === 'result' ? 0 : state.selectedWindow });
});

// Theme switches change the body class and the --vscode-* variables; chart colours are read from them.
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

render();
post({ type: 'ready' });
