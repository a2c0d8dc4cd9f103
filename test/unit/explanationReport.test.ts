// The explanation section of the Markdown report: a real occlusion (scored for faithfulness) and a real partition
// SHAP run of the tiny model, rendered, read back and compared with the explanation objects themselves (scores
// in the chart, every AOPC and per-fraction drop in the tables, the one-line summary), and hostile words and
// labels that stay plain text.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, isolateHome, tempDir } from './helpers';
import { assertPrinted, rendered, svgElements, tableAfter, textAfter } from './reportHarness';

isolateHome();
import { occlusionAttribution, type AttributionResult } from '../../src/core/attribution/explain';
import type { OcclusionResult } from '../../src/core/attribution/occlusion';
import { Inspector } from '../../src/core/inspector';
import { inspectionReport } from '../../src/core/report/inspectionReport';
import type { Inspection } from '../../src/core/types';
import { PanelModel } from '../../src/extension/panel/panelModel';
import { chooseReportSubject } from '../../src/extension/reportSubject';

const TEXT = 'the plot is thin but the actors are wonderful';

describe('the report of an inspection with explanations on show', () => {
  let inspector: Inspector;
  let ins: Inspection;
  let occ: OcclusionResult;
  let shap: AttributionResult;
  before(async () => {
    inspector = await Inspector.open({
      modelDir: path.join(FIXTURES, 'tiny-distilbert-o17-gemm'),
      cacheDir: tempDir('dbi-cache-'),
      threads: 1,
    });
    ins = await inspector.inspect(TEXT);
    occ = await inspector.occlude(TEXT, { faithfulness: true });
    shap = await inspector.explain(TEXT, { method: 'shap' });
  });
  after(() => inspector.dispose());

  it("occlusion in the shared shape keeps the card's colouring: minus the change of the label's logit", () => {
    const a = occlusionAttribution(occ);
    const y = occ.labels.indexOf(occ.label);
    assert.equal(a.method, 'occlusion');
    assert.deepEqual(
      a.items.map((it) => it.score),
      occ.items.map((it) => -it.deltaLogits[y]!),
    );
    assert.deepEqual(
      a.items.map((it) => it.text),
      occ.items.map((it) => it.text),
    );
    assert.equal(a.faithfulness, occ.faithfulness);
    assert.ok(a.faithfulness, 'asked for, so scored');
  });

  it("each explanation gets a section: method, cost, one bar per word, and both protocols' faithfulness", () => {
    const explanations = [occlusionAttribution(occ), shap];
    const report = inspectionReport({ inspection: ins, text: TEXT, explanations }, { assetFolder: 'r-assets' });
    const doc = rendered(report);
    const names = ['occlusion', 'partition SHAP'];
    explanations.forEach((e, n) => {
      const heading = `Which words drove the decision: ${names[n]}`;
      const body = textAfter(doc, heading);
      assert.match(
        body,
        new RegExp(`${names[n]}: ${e.forwardPasses} forward passes in \\d+ ms, explaining ${e.label}\\.`),
      );
      // The chart: one bar per word in text order, its exact score as data.
      const bars = svgElements(report.assets.find((a) => a.fileName === `explanation-${n + 1}.svg`)!.content).filter(
        (el) => el.attributes['class'] === 'bar',
      );
      assert.deepEqual(
        bars.map((b) => b.attributes['data-label']),
        e.items.map((it, i) => `${i + 1}. ${it.text}`),
      );
      assert.deepEqual(
        bars.map((b) => Number(b.attributes['data-value'])),
        e.items.map((it) => it.score),
      );
      const f = e.faithfulness!;
      // The panel's sentence: the [MASK] drop at 20% (deletion without a mask token) and the two areas.
      const s = f.mask ?? f.deletion;
      const m =
        /(masking|removing) the top 20% words drops (\S+) by (\S+) \(AOPC comprehensiveness (\S+), sufficiency (\S+)\)/.exec(
          body,
        );
      assert.ok(m, body);
      assert.equal(m[1], f.mask ? 'masking' : 'removing');
      assert.equal(m[2], e.label);
      assertPrinted(m[3]!, s.comprehensiveness[1]!, 'drop at 20%');
      assertPrinted(m[4]!, s.comprehensivenessAopc, 'comprehensiveness AOPC');
      assertPrinted(m[5]!, s.sufficiencyAopc, 'sufficiency AOPC');
      // Two tables after the chart: the areas per protocol, then the curves per fraction.
      const tables = Array.from(doc.querySelectorAll('h2')).find((h) => h.textContent === heading)!;
      const own: Element[] = [];
      for (let el = tables.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling)
        if (el.tagName === 'TABLE') own.push(el);
      assert.equal(own.length, 2);
      const rows = (t: Element) =>
        Array.from(t.querySelectorAll('tbody tr')).map((tr) =>
          Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? ''),
        );
      const protocols = [f.deletion, ...(f.mask ? [f.mask] : [])];
      const areas = rows(own[0]!);
      assert.deepEqual(
        areas.map((r) => r[0]),
        f.mask ? ['deletion', '[MASK]'] : ['deletion'],
      );
      protocols.forEach((p, k) => {
        assertPrinted(areas[k]![1]!, p.comprehensivenessAopc, `comprehensiveness AOPC ${k}`);
        assertPrinted(areas[k]![2]!, p.sufficiencyAopc, `sufficiency AOPC ${k}`);
      });
      const curves = rows(own[1]!);
      assert.equal(curves.length, 9);
      f.fractions.forEach((x, i) => {
        assert.equal(curves[i]![0], `${Math.round(x * 100)}%`);
        assert.equal(Number(curves[i]![1]), f.counts[i]);
        protocols.forEach((p, k) => {
          assertPrinted(curves[i]![2 + 2 * k]!, p.comprehensiveness[i]!, `comprehensiveness ${k} at ${x}`);
          assertPrinted(curves[i]![3 + 2 * k]!, p.sufficiency[i]!, `sufficiency ${k} at ${x}`);
        });
      });
    });
    // Without explanations on show the report has no such section.
    const plain = rendered(inspectionReport({ inspection: ins, text: TEXT }, { assetFolder: 'r-assets' }));
    assert.ok(!Array.from(plain.querySelectorAll('h2')).some((h) => /Which words/.test(h.textContent ?? '')));
  });

  it('hostile words and labels stay plain text in the section and its chart', () => {
    const bad = '[x](javascript:alert(1)) <img src=x onerror=alert(1)> | ![i](http://evil.example/t.png)';
    const hostile: AttributionResult = {
      ...shap,
      label: `<b>${bad}</b>`,
      items: shap.items.map((it) => ({ ...it, text: bad })),
      faithfulness: { ...shap.faithfulness!, label: `<b>${bad}</b>` },
    };
    const report = inspectionReport({ inspection: ins, explanations: [hostile] }, { assetFolder: 'r-assets' });
    const doc = rendered(report);
    // The section runs from its heading to the next one of its level (the lens section has its own, real links).
    const section: Element[] = [];
    const start = Array.from(doc.querySelectorAll('h2')).find(
      (h) => h.textContent === 'Which words drove the decision: partition SHAP',
    )!;
    for (let el = start.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling) section.push(el);
    assert.ok(section.length >= 4);
    assert.equal(
      section.flatMap((el) => Array.from(el.querySelectorAll('a, b, script'))).length,
      0,
      section
        .map((el) => el.outerHTML)
        .join('\n')
        .slice(0, 500),
    );
    assert.deepEqual(
      Array.from(doc.querySelectorAll('img'))
        .map((i) => i.getAttribute('src'))
        .filter((s) => !s!.startsWith('r-assets/')),
      [],
    );
    assert.ok(
      textAfter(doc, 'Which words drove the decision: partition SHAP').includes(`explaining ${hostile.label}.`),
    );
    for (const r of tableAfter(doc, 'Which words drove the decision: partition SHAP')) assert.equal(r.length, 3);
    const els = svgElements(report.assets.find((a) => a.fileName === 'explanation-1.svg')!.content);
    assert.ok(els.every((e) => ['svg', 'title', 'desc', 'rect', 'text', 'line', 'g'].includes(e.name)));
    assert.deepEqual(
      els.filter((e) => e.attributes['class'] === 'bar').map((e) => e.attributes['data-label']),
      hostile.items.map((_, i) => `${i + 1}. ${bad}`),
    );
  });

  it('the report gets the cards the panel shows under its result, and only while the panel shows that result', () => {
    const source = { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 0, selection: false };
    const panel = PanelModel.empty();
    panel.result(4, ins, source);
    assert.deepEqual(panel.currentExplanations(), []);
    panel.occlusion(4, { kind: 'done', result: occ, latencyMs: 1 });
    panel.apply({
      type: 'explanation',
      requestId: 4,
      explanation: { kind: 'running', method: 'shap', done: 0, total: 0 },
    });
    assert.deepEqual(panel.currentExplanations(), [occlusionAttribution(occ)], 'a running method is not reported');
    panel.apply({ type: 'explanation', requestId: 4, explanation: { kind: 'done', result: shap, latencyMs: 1 } });
    const shown = panel.currentExplanations();
    assert.deepEqual(shown, [occlusionAttribution(occ), shap]);
    const base = { inspection: { inspection: ins }, lastInspectionId: 4, fullTexts: () => undefined };
    const onShow = chooseReportSubject({ ...base, panelShowsInspection: true, panelExplanations: shown });
    assert.ok(onShow?.kind === 'inspection');
    assert.deepEqual(onShow.explanations, shown);
    const closed = chooseReportSubject({ ...base, panelShowsInspection: false, panelExplanations: shown });
    assert.ok(closed?.kind === 'inspection');
    assert.equal(closed.explanations, undefined, 'not on show, not reported');
    panel.result(5, ins, source);
    assert.deepEqual(panel.currentExplanations(), [], 'a newer result has none');
  });
});
