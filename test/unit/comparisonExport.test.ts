// Exporting a comparison: the comparison view's Export Markdown button (linkedom), which subject an export writes
// (the panel's comparison or inspection first, else the newer of the last two), and which text the report quotes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';

const document = installDom();
import { renderApp, type ViewCallbacks } from '../../src/webview/view';
import { readPalette } from '../../src/webview/theme';
import { compareTexts, type TextComparison } from '../../src/core/compare/textCompare';
import { chooseReportSubject, reportedTexts, type SubjectSources } from '../../src/extension/reportSubject';
import type { ComparedText, PersistedState } from '../../src/shared/protocol';

const textA = 'a wonderful, moving film';
const textB = 'a dull, tedious mess';
const texts: [ComparedText, ComparedText] = [
  {
    what: 'selection 1 in a.md (line 1)',
    excerpt: textA,
    length: textA.length,
    uri: 'file:///w/a.md',
    start: 0,
    end: textA.length,
  },
  { what: 'the clipboard', excerpt: textB.slice(0, 6), length: textB.length },
];
const comparison = (): TextComparison =>
  compareTexts(makeInspection({ text: textA, seed: 3 }), makeInspection({ text: textB, seed: 3 }));

function render(c: TextComparison, cb: Partial<ViewCallbacks>): HTMLElement {
  const st: PersistedState = {
    version: 1,
    panel: { newest: 2, view: { kind: 'comparison', requestId: 2, comparison: c, texts } },
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

test('the comparison view has an Export Markdown button that asks the host to export; none without the callback', () => {
  const calls: string[] = [];
  const root = render(comparison(), { exportMarkdown: () => calls.push('markdown') });
  const button = root.querySelector('[data-testid="text-comparison"] [data-testid="export-markdown"]')!;
  assert.ok(button, 'a button inside the comparison view');
  assert.equal(button.textContent, 'Export Markdown');
  assert.equal(button.getAttribute('type'), 'button', 'a real button: keyboard reachable, Enter and Space work');
  assert.match(button.getAttribute('title')!, /comparison/);
  button.dispatchEvent(new (globalThis as any).window.Event('click'));
  assert.deepEqual(calls, ['markdown']);
  assert.equal(render(comparison(), {}).querySelector('[data-testid="export-markdown"]'), null);
});

/** Sources with nothing in them; each test adds what it needs. */
function sources(over: Partial<SubjectSources> = {}): SubjectSources {
  return { panelShowsInspection: false, fullTexts: () => undefined, ...over };
}

test('the panel decides: its comparison, or its inspection, whatever ran last elsewhere', () => {
  const c = comparison();
  const ins = makeInspection({ text: 'x' });
  const shownC = chooseReportSubject(
    sources({
      panelComparison: { comparison: c, texts },
      inspection: { inspection: ins },
      lastInspectionId: 9,
      lastComparison: { requestId: 1, comparison: c, texts },
    }),
  );
  assert.equal(shownC?.kind, 'comparison');
  assert.equal(shownC?.kind === 'comparison' && shownC.comparison, c);
  const shownI = chooseReportSubject(
    sources({
      panelShowsInspection: true,
      inspection: { inspection: ins },
      lastInspectionId: 1,
      lastComparison: { requestId: 9, comparison: c, texts },
    }),
  );
  assert.equal(shownI?.kind, 'inspection');
  assert.equal(shownI?.kind === 'inspection' && shownI.inspection, ins);
});

test('with nothing exportable on show, the newer of the last inspection and the last comparison; nothing at all gives undefined', () => {
  const c = comparison();
  const ins = makeInspection({ text: 'x' });
  assert.equal(
    chooseReportSubject(
      sources({
        inspection: { inspection: ins },
        lastInspectionId: 3,
        lastComparison: { requestId: 5, comparison: c, texts },
      }),
    )?.kind,
    'comparison',
  );
  assert.equal(
    chooseReportSubject(
      sources({
        inspection: { inspection: ins },
        lastInspectionId: 7,
        lastComparison: { requestId: 5, comparison: c, texts },
      }),
    )?.kind,
    'inspection',
  );
  assert.equal(
    chooseReportSubject(sources({ lastComparison: { requestId: 5, comparison: c, texts } }))?.kind,
    'comparison',
  );
  assert.equal(
    chooseReportSubject(sources({ inspection: { inspection: ins }, lastInspectionId: 2 }))?.kind,
    'inspection',
  );
  assert.equal(chooseReportSubject(sources()), undefined);
});

test("the report quotes the whole texts while the compare command has them for this comparison, else the panel's excerpts", () => {
  const c = comparison();
  const other = comparison();
  const full: [string, string] = [textA, textB];
  const withFull = chooseReportSubject(
    sources({ panelComparison: { comparison: c, texts }, fullTexts: (x) => (x === c ? full : undefined) }),
  );
  assert.ok(withFull?.kind === 'comparison');
  assert.deepEqual(reportedTexts(withFull), [
    { what: texts[0].what, text: textA, length: textA.length },
    { what: texts[1].what, text: textB, length: textB.length },
  ]);
  // A restored panel (window reload): the compare command's last comparison is another object, so only excerpts.
  const restored = chooseReportSubject(
    sources({ panelComparison: { comparison: other, texts }, fullTexts: (x) => (x === c ? full : undefined) }),
  );
  assert.ok(restored?.kind === 'comparison');
  assert.deepEqual(
    reportedTexts(restored).map((t) => t.text),
    [textA, textB.slice(0, 6)],
  );
  assert.deepEqual(
    reportedTexts(restored).map((t) => t.length),
    [textA.length, textB.length],
  );
});
