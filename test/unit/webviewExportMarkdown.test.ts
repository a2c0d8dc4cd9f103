// The panel's Export Markdown button (linkedom): it sits next to Export JSON, calls its callback, and the
// protocol accepts exactly { type: 'exportMarkdown' } from the webview.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';

const document = installDom();
import { renderApp, type ViewCallbacks } from '../../src/webview/view';
import { readPalette } from '../../src/webview/theme';
import { isWebviewToHost, type PersistedState } from '../../src/shared/protocol';

function render(cb: Partial<ViewCallbacks>): HTMLElement {
  const st: PersistedState = {
    version: 1,
    panel: {
      newest: 1,
      view: {
        kind: 'result',
        requestId: 1,
        inspection: makeInspection(),
        source: { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 0, selection: true },
      },
    },
    selectedWindow: 0,
  };
  const root = renderApp(st, readPalette(), {
    selectWindow: () => {},
    reveal: () => {},
    exportJson: () => {},
    compareVariants: () => {},
    ...cb,
  });
  document.getElementById('app')!.replaceChildren(root);
  return root;
}

test('Export Markdown sits next to Export JSON and asks the host to export', () => {
  const calls: string[] = [];
  const root = render({ exportJson: () => calls.push('json'), exportMarkdown: () => calls.push('markdown') });
  const buttons = Array.from(root.querySelectorAll('.actions button')).map((b) => b.getAttribute('data-testid'));
  assert.deepEqual(buttons.slice(0, 2), ['export-json', 'export-markdown']);
  const button = root.querySelector('[data-testid="export-markdown"]')!;
  assert.equal(button.textContent, 'Export Markdown');
  assert.equal(button.getAttribute('type'), 'button', 'a real button: keyboard reachable, Enter and Space work');
  button.dispatchEvent(new (globalThis as any).window.Event('click'));
  assert.deepEqual(calls, ['markdown']);
});

test('without an exportMarkdown callback there is no button that would do nothing', () => {
  const root = render({});
  assert.equal(root.querySelector('[data-testid="export-markdown"]'), null);
  assert.ok(root.querySelector('[data-testid="export-json"]'));
});

test('the webview -> host guard accepts exportMarkdown and nothing riding on it', () => {
  assert.ok(isWebviewToHost({ type: 'exportMarkdown' }));
  for (const bad of [
    { type: 'exportMarkdown', path: '/etc/passwd' },
    { type: 'exportmarkdown' },
    { type: 'exportMarkdown', target: 'file:///x.md' },
  ]) {
    assert.equal(isWebviewToHost(bad), false, JSON.stringify(bad));
  }
});
