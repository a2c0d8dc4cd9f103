// The dataset panel's views in plain Node (linkedom): filters and slices against a count made here, hostile
// example text shown as text (never markup), and the protocol guard for what the webview sends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import type { DatasetView } from '../../src/shared/datasetProtocol';
import { isDatasetWebviewMessage } from '../../src/shared/datasetProtocol';
import { emptyTable, examplesView, sliceRows } from '../../src/webview/dataset/examples';
import { metricsView, studyView, unitsView } from '../../src/webview/dataset/views';
import { projectionView, type ProjectionHooks } from '../../src/webview/dataset/projection';
import { computeMetrics } from '../../src/core/dataset/metrics';

installDom();
(globalThis as Record<string, unknown>).requestAnimationFrame = (f: () => void) => setTimeout(f, 0);
// linkedom computes no styles: the theme colours fall back to their defaults.
(globalThis as Record<string, unknown>).getComputedStyle = () => ({ getPropertyValue: () => '' });

const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script> awful';

function fixture(): DatasetView {
  const labels = ['NEGATIVE', 'POSITIVE'];
  const texts = ['a great film', 'a dull film', HOSTILE, 'not bad at all', 'BAD and boring', 'fine'];
  const gold = [1, 0, 0, 1, 0, 1];
  const predicted = [1, 1, 0, 0, 0, 1];
  const conf = [0.9, 0.55, 0.8, 0.52, 0.99, 0.7];
  const rows = texts.map((text, i) => ({
    text,
    line: i + 2,
    gold: gold[i]!,
    predicted: predicted[i]!,
    probs: predicted[i] ? [1 - conf[i]!, conf[i]!] : [conf[i]!, 1 - conf[i]!],
  }));
  const m = computeMetrics(
    labels,
    gold,
    predicted,
    rows.flatMap((r) => r.probs),
  );
  return {
    source: {
      file: '/tmp/x.tsv',
      sha256: 'a'.repeat(64),
      textColumn: 'sentence',
      labelColumn: 'label',
      labelMap: null,
      modelPath: '/m',
      variant: 'fp32',
    },
    file: '/tmp/x.tsv',
    fileName: 'x.tsv',
    modelName: 'm',
    labels,
    textColumn: 'sentence',
    labelColumn: 'label',
    skipped: 0,
    fromCache: 0,
    runMs: 1,
    rows,
    metrics: { accuracy: m.accuracy, macroF1: m.macroF1, perClass: m.perClass, ece: m.ece, reliability: m.reliability },
    confusion: m.confusion,
    headStudy: {
      seed: 14,
      train: 3,
      test: 3,
      lambda: 0.01,
      rows: [{ id: 'head', description: 'the real head', features: 0, trainAccuracy: 1, testAccuracy: 0.5 }],
    },
    headUnits: {
      activeRate: [0.5, 0],
      dead: [1],
      topUnits: [{ unit: 0, rate: 0.5, meanAct: 0.25, topRows: [0] }],
      meanContribution: { NEGATIVE: [-0.125, 0], POSITIVE: [0.5, 0] },
    },
    projection: {
      source: 'cls',
      method: 'pca',
      x: [0, 1, 2, 3, 4, 5],
      y: [0, 1, 0, 1, 0, 1],
      explained: [0.6, 0.3],
      seed: 42,
      ms: 0,
    },
    projectionSources: [
      { id: 'block-1', name: '[CLS] after block 1' },
      { id: 'cls', name: '[CLS] after block 2' },
      { id: 'pre', name: 'pre_classifier output' },
      { id: 'act', name: 'ReLU output' },
    ],
  };
}

describe('dataset webview', () => {
  it('filters: misclassified, low confidence, gold x predicted cell, substring, /regex/flags; sorts by confidence', () => {
    const v = fixture();
    assert.deepEqual(sliceRows(v, { ...emptyTable, show: 'wrong' }).rows, [1, 3]);
    assert.deepEqual(sliceRows(v, { ...emptyTable, show: 'low' }).rows, [1, 3]);
    assert.deepEqual(sliceRows(v, { ...emptyTable, gold: 0, predicted: 0 }).rows, [2, 4]);
    assert.deepEqual(sliceRows(v, { ...emptyTable, query: 'bad' }).rows, [3, 4]);
    assert.deepEqual(sliceRows(v, { ...emptyTable, query: '/^(bad|a)\\b/i' }).rows, [0, 1, 4]);
    assert.match(sliceRows(v, { ...emptyTable, query: '/(unclosed/' }).error ?? '', /Bad regular expression/);
    assert.deepEqual(sliceRows(v, { ...emptyTable, sort: 'confidence' }).rows, [3, 1, 5, 2, 0, 4]);
  });

  it('slice metrics, and hostile text is shown as text, never as markup', () => {
    const v = fixture();
    const el = examplesView(
      v,
      { ...emptyTable, query: 'film' },
      () => undefined,
      () => undefined,
    );
    // "film" rows 0 and 1: one right, one wrong.
    assert.match(el.querySelector('.slice')!.textContent!, /^2 of 6 examples · accuracy on this slice 0\.500/);
    const all = examplesView(
      v,
      emptyTable,
      () => undefined,
      () => undefined,
    );
    assert.equal(all.querySelectorAll('script').length + all.querySelectorAll('img').length, 0);
    assert.ok(
      [...all.querySelectorAll('.row .text')].some((t) => t.textContent === HOSTILE),
      'the text is shown verbatim',
    );
  });

  it('a confusion cell reports its gold and predicted label; the study table lists its rows', () => {
    const v = fixture();
    let opened: [number, number] | undefined;
    const el = metricsView(v, (g, p) => (opened = [g, p]));
    const cells = [...el.querySelectorAll('.confusion .cell')] as HTMLButtonElement[];
    assert.deepEqual(
      cells.map((c) => c.textContent),
      ['2', '1', '1', '2'],
    );
    cells[1]!.click();
    assert.deepEqual(opened, [0, 1]);
    assert.equal(studyView(v).querySelectorAll('table.grid tr').length, 2);
  });

  it('head units: the mean contribution per label, toward and against, and per unit in the table', () => {
    const el = unitsView(fixture(), () => undefined);
    const tables = [...el.querySelectorAll('table.grid')];
    const cells = (t: Element) => [...t.querySelectorAll('tr')].map((r) => [...r.children].map((c) => c.textContent));
    assert.deepEqual(cells(tables[0]!), [
      ['label', 'pushes toward it most', 'pushes against it most'],
      ['NEGATIVE', '—', '#0 −0.125'],
      ['POSITIVE', '#0 +0.500', '—'],
    ]);
    assert.deepEqual(cells(tables[1]!)[0]!.slice(0, 5), [
      'unit',
      'active on',
      'mean activation',
      'mean → NEGATIVE',
      'mean → POSITIVE',
    ]);
    assert.deepEqual(cells(tables[1]!)[1]!.slice(0, 5), ['#0', '50.0%', '0.250', '−0.125', '+0.500']);
  });

  it('projection: lists the sources, asks the host for a missing one with a Cancel, draws one it has', () => {
    const v = fixture();
    const asked: string[] = [];
    let cancelled = 0;
    let chosen: unknown;
    const hooks: ProjectionHooks = {
      choose: (c) => (chosen = c),
      request: (s, m) => asked.push(`${s}|${m}`),
      cancel: () => cancelled++,
      inspect: () => undefined,
    };
    const results = new Map([['cls|pca', v.projection]]);
    const shown = projectionView(v, { source: 'cls', method: 'pca', colourBy: 'gold' }, results, undefined, hooks);
    assert.deepEqual(
      [...shown.querySelectorAll('select[aria-label="Source"] option')].map((o) => o.textContent),
      v.projectionSources.map((s) => s.name),
    );
    assert.match(
      shown.querySelector('.proj-status')!.textContent!,
      /^PCA of \[CLS\] after block 2: PC1 60\.0% and PC2 30\.0%/,
    );
    assert.ok(shown.querySelector('canvas'));
    assert.deepEqual(asked, []);
    (shown.querySelector('button[data-method="umap"]') as HTMLButtonElement).click();
    assert.deepEqual(chosen, { source: 'cls', method: 'umap', colourBy: 'gold' });
    const waiting = projectionView(
      v,
      { source: 'pre', method: 'umap', colourBy: 'correct' },
      results,
      undefined,
      hooks,
    );
    assert.deepEqual(asked, ['pre|umap']);
    assert.equal(waiting.querySelector('canvas'), null);
    assert.match(
      waiting.querySelector('.proj-status')!.textContent!,
      /Computing UMAP of pre_classifier output in a worker thread/,
    );
    (
      [...waiting.querySelectorAll('.proj-status button')].find((b) => b.textContent === 'Cancel') as HTMLButtonElement
    ).click();
    assert.equal(cancelled, 1);
    // A job already under way is not asked for twice; a failed one offers to compute again.
    projectionView(
      v,
      { source: 'pre', method: 'umap', colourBy: 'gold' },
      results,
      { source: 'pre', method: 'umap', phase: 'layout', done: 10, total: 500 },
      hooks,
    );
    const failed = projectionView(
      v,
      { source: 'pre', method: 'umap', colourBy: 'gold' },
      results,
      { source: 'pre', method: 'umap', phase: 'failed', done: 0, total: 1, failed: 'Cancelled.' },
      hooks,
    );
    assert.deepEqual(asked, ['pre|umap']);
    assert.match(failed.querySelector('.proj-status')!.textContent!, /^Cancelled\. Compute again/);
  });

  it('the host accepts only well-formed webview messages', () => {
    assert.ok(isDatasetWebviewMessage({ type: 'ready' }));
    assert.ok(isDatasetWebviewMessage({ type: 'inspectRow', row: 3 }));
    assert.ok(isDatasetWebviewMessage({ type: 'project', source: 'block-3', method: 'umap' }));
    assert.ok(isDatasetWebviewMessage({ type: 'cancelProjection' }));
    for (const bad of [
      null,
      [],
      { type: 'inspectRow', row: -1 },
      { type: 'inspectRow', row: 1.5 },
      { type: 'inspectRow', row: 1, extra: 1 },
      { type: 'run' },
      { type: 'project', source: 'block-0', method: 'pca' },
      { type: 'project', source: '../x', method: 'pca' },
      { type: 'project', source: 'pre', method: 'tsne' },
      { type: 'project', source: 'pre' },
      { type: 'cancelProjection', x: 1 },
    ]) {
      assert.equal(isDatasetWebviewMessage(bad), false, JSON.stringify(bad));
    }
  });
});
