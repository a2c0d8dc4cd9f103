// The "Export Markdown" button, one for the inspection and the comparison views: the same test id and focus key,
// so the panel has one such button whatever it shows.
import { h } from './dom';

export function exportMarkdownButton(
  what: 'inspection' | 'comparison',
  run: (() => void) | undefined,
): HTMLButtonElement | null {
  if (!run) return null;
  const b = h(
    'button',
    {
      type: 'button',
      'data-testid': 'export-markdown',
      'data-focus-key': 'export-markdown',
      title: `Save this ${what} as a Markdown report with its charts as SVG images`,
    },
    'Export Markdown',
  );
  b.addEventListener('click', () => run());
  return b;
}
