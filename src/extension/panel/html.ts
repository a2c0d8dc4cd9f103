// The inspector's HTML shell. It carries no data at all (results arrive as messages and are built with DOM
// calls in the webview), so no document text can ever be interpolated into markup here. Kept free of
// `vscode` so the CSP is unit-tested.
import { randomBytes } from 'node:crypto';

export interface ShellParts {
  /** webview.cspSource */
  cspSource: string;
  /** A fresh nonce per page load; the only way a script may run. */
  nonce: string;
  /** asWebviewUri(dist/webview.js) */
  scriptUri: string;
  /** asWebviewUri(media/inspector.css) */
  styleUri: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

/** The Content-Security-Policy: nothing by default, scripts only with the nonce, styles/images/fonts from the extension. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderShell(p: ShellParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>Activation Inspector</title>
</head>
<body>
<div id="announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announce"></div>
<main id="app"><p class="placeholder">Loading the inspector…</p></main>
<script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>`;
}
