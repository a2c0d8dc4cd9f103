// Renders the panel for a state into the linkedom document (import after installDom()), with callbacks that do
// nothing unless a test passes its own.
import type { PanelState } from '../../../src/shared/protocol';
import { readPalette } from '../../../src/webview/theme';
import { renderApp, type ViewCallbacks } from '../../../src/webview/view';

export function renderPanel(state: PanelState, cb: Partial<ViewCallbacks> = {}): HTMLElement {
  const calls: ViewCallbacks = {
    selectWindow: () => {},
    reveal: () => {},
    exportJson: () => {},
    compareVariants: () => {},
    ...cb,
  };
  const root = renderApp({ version: 1, panel: state, selectedWindow: 0 }, readPalette(), calls);
  document.getElementById('app')!.replaceChildren(root);
  return root;
}
