// The head lens in the Markdown report, from a real inspection of the bundled model: the sourced paragraph,
// what the lens shows for this input, the chart (one line per label over every layer, the settle line on the
// settle layer) and the table, whose numbers are the inspection's own lens entries.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { BUNDLED, isolateHome, tempDir } from './helpers';
import { makeInspection } from './webviewHarness/inspection';

isolateHome();
import { Inspector } from '../../src/core/inspector';
import { inspectionReport } from '../../src/core/report/inspectionReport';
import type { Inspection } from '../../src/core/types';

let ins: Inspection;
before(async () => {
  const inspector = await Inspector.open({ modelDir: BUNDLED, cacheDir: tempDir('dbi-lens-report-'), threads: 1 });
  try {
    ins = await inspector.inspect("it 's a charming and often affecting journey , but the ending is dull .");
  } finally {
    await inspector.dispose();
  }
});

test('the report has the lens section: why the dense layer exists (sourced), what the lens shows, the chart and the table', () => {
  const w = ins.windows[0]!;
  const lens = w.lens!;
  const r = inspectionReport({ inspection: ins }, { assetFolder: 'assets' });
  const md = r.markdown.slice(r.markdown.indexOf('### 7. Head lens'));
  assert.ok(md.length > 0 && r.markdown.includes('### 7. Head lens'));
  assert.match(md, /same number of parameters \\\(transformers issue 1535\\\)/);
  assert.ok(md.includes('](https://github.com/huggingface/transformers/issues/1535)'), 'the issue is a link');
  const settle = w.lensSettledAt!;
  assert.match(
    md,
    new RegExp(
      settle === ins.model.nLayers
        ? `only at block ${settle}\\\\, the last block`
        : `after ${settle === 0 ? 'the embeddings' : `block ${settle}`}`,
    ),
  );
  assert.ok(md.includes('![Head lens'), 'the chart is linked');
  const rows = md.split('\n').filter((l) => /^\| (embeddings|block \d)/.test(l));
  assert.equal(rows.length, lens.length);
  rows.forEach((row, k) => {
    const cells = row.split('|').map((c) => c.trim());
    assert.equal(cells[2], `${(lens[k]!.probabilities[0]! * 100).toFixed(2)}%`);
    assert.equal(cells[4], lens[k]!.label);
    assert.equal(cells[1]!.endsWith('(settles)'), lens[k]!.layer === settle);
  });
  const svg = r.assets.find((a) => a.fileName === 'w1-lens.svg')!.content;
  const series = svg.split('<g class="series"').slice(1);
  assert.equal(series.length, ins.model.labels.length);
  for (const s of series) assert.equal(s.split('</g>')[0]!.match(/<circle /g)!.length, lens.length);
  const cx = [...series[0]!.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => m[1]);
  const settleX = /<line class="settle" x1="([\d.]+)"/.exec(svg)![1];
  assert.equal(settleX, cx[lens.findIndex((e) => e.layer === settle)]);
});

test('an inspection without a lens (made before it existed) has no lens section', () => {
  const r = inspectionReport({ inspection: makeInspection() }, { assetFolder: 'assets' });
  assert.ok(!r.markdown.includes('Head lens'));
  assert.ok(!r.assets.some((a) => a.fileName.includes('lens')));
});
