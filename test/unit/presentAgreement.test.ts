// The panel and the Markdown report draw one presentation model (src/core/present): render the same inspection
// through both and compare what they show. They once disagreed: a window whose head.topUnits lacked a label got
// five units per side in the panel's waterfall and none in the report's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';
import { svgElements } from './reportHarness';

const document = installDom();
import { renderApp } from '../../src/webview/view';
import { readPalette } from '../../src/webview/theme';
import { inspectionReport } from '../../src/core/report/inspectionReport';
import type { Inspection } from '../../src/core/types';
import type { PersistedState } from '../../src/shared/protocol';

interface Shown {
  kind: string;
  label: string;
  value: number;
}

/** Per label (in the model's order), the waterfall rows the panel draws. */
function panelWaterfalls(ins: Inspection): Shown[][] {
  const st: PersistedState = {
    version: 1,
    panel: {
      newest: 1,
      view: {
        kind: 'result',
        requestId: 1,
        inspection: ins,
        source: { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 0, selection: false },
      },
    },
    selectedWindow: 0,
  };
  const root = renderApp(st, readPalette(), {
    selectWindow: () => {},
    reveal: () => {},
    exportJson: () => {},
    compareVariants: () => {},
  });
  document.getElementById('app')!.replaceChildren(root);
  return Array.from(root.querySelectorAll('[data-testid="contributions"] .contribution')).map((g) =>
    Array.from(g.querySelectorAll('.bar-row')).map((r) => ({
      kind: r.getAttribute('data-kind') ?? '',
      label: r.querySelector('.bar-label')?.textContent ?? '',
      value: Number(r.getAttribute('data-value')),
    })),
  );
}

/** Per label, the rows of the report's waterfall chart of window 1 (w1-logit-<i>.svg). */
function reportWaterfalls(ins: Inspection): Shown[][] {
  const report = inspectionReport({ inspection: ins }, { assetFolder: 'assets' });
  return ins.model.labels.map((_, i) => {
    const svg = report.assets.find((a) => a.fileName === `w1-logit-${i}.svg`);
    assert.ok(svg, `the report draws the logit of label ${i}`);
    return svgElements(svg.content)
      .filter((e) => e.name === 'rect' && e.attributes['class'] === 'step')
      .map((e) => ({ kind: e.attributes['data-kind'] ?? '', label: '', value: Number(e.attributes['data-value']) }));
  });
}

/** The report's step labels come from each bar's <title> ("label: value"). */
function reportLabels(ins: Inspection): string[][] {
  const report = inspectionReport({ inspection: ins }, { assetFolder: 'assets' });
  return ins.model.labels.map((_, i) => {
    const els = svgElements(report.assets.find((a) => a.fileName === `w1-logit-${i}.svg`)!.content);
    return els
      .filter((e) => e.name === 'title')
      .slice(1)
      .map((e) => e.text.replace(/: [^:]*$/, ''));
  });
}

function assertSameWaterfalls(ins: Inspection, what: string): Shown[][] {
  const panel = panelWaterfalls(ins);
  const report = reportWaterfalls(ins);
  const labels = reportLabels(ins);
  assert.equal(panel.length, ins.model.labels.length, `${what}: one panel waterfall per label`);
  panel.forEach((rows, l) => {
    assert.deepEqual(
      rows.map((r) => r.kind),
      report[l]!.map((r) => r.kind),
      `${what}, label ${l}: the same steps`,
    );
    assert.deepEqual(
      rows.map((r) => r.label),
      labels[l],
      `${what}, label ${l}: the same units named`,
    );
    // Both print the same double (the panel as data-value, the report as data-value), so equality is exact.
    assert.deepEqual(
      rows.map((r) => r.value),
      report[l]!.map((r) => r.value),
      `${what}, label ${l}: the same numbers`,
    );
  });
  return panel;
}

/** The units listed toward / against each label, recomputed here from the contributions by sorting. */
function expectedUnits(ins: Inspection, k: number): string[][] {
  const w = ins.windows[0]!;
  return ins.model.labels.map((l) => {
    const units = w.contributions[l]!.units.map((value, unit) => ({ unit, value }));
    const toward = units
      .filter((x) => x.value > 0)
      .sort((a, b) => b.value - a.value)
      .slice(0, k);
    const against = units
      .filter((x) => x.value < 0)
      .sort((a, b) => a.value - b.value)
      .slice(0, k);
    return [...toward, ...against].map((x) => `unit ${x.unit}`);
  });
}

test('panel and report draw the same logit waterfalls, unit for unit', () => {
  const ins = makeInspection({ dim: 40, labels: ['neg', 'neutral', 'pos'] });
  const shown = assertSameWaterfalls(ins, 'the core lists the top units');
  shown.forEach((rows, l) =>
    assert.deepEqual(
      rows.filter((r) => r.kind === 'toward' || r.kind === 'against').map((r) => r.label),
      expectedUnits(ins, 5)[l],
    ),
  );
});

test('a window without head.topUnits: panel and report both name the five largest units (they used to disagree)', () => {
  const ins = makeInspection({ dim: 40, labels: ['NEGATIVE', 'POSITIVE'] });
  for (const w of ins.windows) w.head.topUnits = {};
  const shown = assertSameWaterfalls(ins, 'no head.topUnits');
  shown.forEach((rows, l) =>
    assert.deepEqual(
      rows.filter((r) => r.kind === 'toward' || r.kind === 'against').map((r) => r.label),
      expectedUnits(ins, 5)[l],
    ),
  );
});

test("the core's K is kept: with two units per side both show two", () => {
  const ins = makeInspection({ dim: 40, labels: ['NEGATIVE', 'POSITIVE'] });
  for (const w of ins.windows) {
    for (const t of Object.values(w.head.topUnits)) {
      t.toward = t.toward.slice(0, 2);
      t.against = t.against.slice(0, 2);
    }
  }
  const shown = assertSameWaterfalls(ins, 'K = 2');
  shown.forEach((rows, l) =>
    assert.deepEqual(
      rows.filter((r) => r.kind === 'toward' || r.kind === 'against').map((r) => r.label),
      expectedUnits(ins, 2)[l],
    ),
  );
});

test('a tanh head (BERT): the same waterfalls too', () => {
  assertSameWaterfalls(makeInspection({ dim: 24, head: 'bert', labels: ['a', 'b'] }), 'BERT');
});
