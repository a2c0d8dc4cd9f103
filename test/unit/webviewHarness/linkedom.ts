// A DOM for the webview's render functions in plain Node (linkedom). The webview code uses the global
// `document`, as it does in the real webview, so the tests install one.
import { parseHTML } from 'linkedom';

export function installDom(): Document {
  const { document, window } = parseHTML(
    '<!DOCTYPE html><html><head></head><body><main id="app"></main></body></html>',
  );
  const g = globalThis as Record<string, unknown>;
  g.document = document;
  g.window = window;
  return document as unknown as Document;
}
