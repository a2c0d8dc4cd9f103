// The Markdown report of "Compare Two Texts": the numbers read back from the rendered Markdown and from the SVGs
// equal the comparison's, and those agree with independent routes (torch's logits in reference.json, a plain loop
// over each inspection's own vectors, each inspection's own per-unit contributions); the waterfalls add up from A's
// logit to B's; and nothing in either text, a label or a name can become a link, HTML, an image or a table cell.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, isolateHome, loopDiff, readReference, tempDir } from './helpers';
import { assertPrinted, assertWellFormed, rendered, svgDoc, svgElements, tableAfter, textAfter } from './reportHarness';
import { makeInspection } from './webviewHarness/inspection';

isolateHome();
import { Inspector } from '../../src/core/inspector';
import type { Inspection } from '../../src/core/types';
import { compareTexts, stageTitle, type TextComparison } from '../../src/core/compare/textCompare';
import {
  comparisonReport,
  comparisonSections,
  STAGE_UNITS_SHOWN,
  type ReportedText,
} from '../../src/core/report/comparisonReport';
import { EXCERPT_CHARS } from '../../src/core/report/inspectionReport';
import { composeReport, type Report } from '../../src/core/report/markdown';
import { headTerms } from '../../src/core/head/headTerms';

const ASSETS = 'cmp-assets';
const reported = (what: string, text: string): ReportedText => ({ what, text, length: text.length });

/** The heading (h1..h4) whose text starts with `prefix`; its full text, for tableAfter/textAfter. */
function heading(doc: Document, prefix: string): string {
  const hs = Array.from(doc.querySelectorAll('h1,h2,h3,h4')).map((h) => h.textContent ?? '');
  const found = hs.find((h) => h.startsWith(prefix));
  assert.ok(found, `no heading starting "${prefix}" among ${JSON.stringify(hs)}`);
  return found;
}

/** Every image points into the assets folder at an asset, and every asset is shown exactly once and parses. */
function assertImagesMatchAssets(doc: Document, report: Report): void {
  const srcs = Array.from(doc.querySelectorAll('img')).map((i) => i.getAttribute('src') ?? '');
  assert.deepEqual(srcs.slice().sort(), report.assets.map((a) => `${ASSETS}/${a.fileName}`).sort());
  for (const a of report.assets) assertWellFormed(a.content, a.fileName);
}

/** "unit 12 +0.4321, unit 3 -0.1000" -> [{unit, printed}]. */
function parseMoved(cell: string): { unit: number; printed: string }[] {
  return [...cell.matchAll(/unit (\d+) ([+-][\d.e+-]+)/g)].map((m) => ({ unit: Number(m[1]), printed: m[2]! }));
}

describe('report of a comparison on tiny-distilbert-o17-gemm (real inspections)', () => {
  const dir = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
  const ref = readReference(dir);
  const [caseA, caseB] = [ref.cases[0]!, ref.cases[1]!];
  let inspector: Inspector;
  let a: Inspection;
  let b: Inspection;
  let c: TextComparison;
  let report: Report;
  let doc: Document;
  before(async () => {
    inspector = await Inspector.open({ modelDir: dir, cacheDir: tempDir('dbi-cmprep-cache-'), threads: 1 });
    a = await inspector.inspect(caseA.text, { mode: 'truncate' });
    b = await inspector.inspect(caseB.text, { mode: 'truncate' });
    c = compareTexts(a, b);
    report = comparisonReport(
      {
        comparison: c,
        texts: [reported('selection 1 in review.md (line 3)', caseA.text), reported('the clipboard', caseB.text)],
      },
      { assetFolder: ASSETS },
    );
    doc = rendered(report);
  });
  after(() => inspector.dispose());

  it('the title names both labels and both texts; the text section quotes each text verbatim', () => {
    assert.equal(
      doc.querySelector('h1')!.textContent,
      `DistilBERT Inspector comparison: A ${c.a.label}, B ${c.b.label}`,
    );
    assert.ok(doc.body.textContent!.includes('A is selection 1 in review.md (line 3); B is the clipboard.'));
    const codes = Array.from(doc.querySelectorAll('pre code')).map((e) => e.textContent);
    assert.deepEqual(codes, [`${caseA.text}\n`, `${caseB.text}\n`]);
    const aText = textAfter(doc, 'A: selection 1 in review.md (line 3)');
    assert.match(aText, new RegExp(`Label ${c.a.label}, probability `));
    assert.match(aText, new RegExp(`${caseA.text.length} characters, ${c.a.tokens} tokens, one window`));
  });

  it('labels and logits: A, B and Δ as in the comparison, and as torch computed them (1e-4)', () => {
    const rows = tableAfter(doc, 'Labels and logits');
    assert.deepEqual(
      rows.map((r) => r[0]),
      ref.labels,
    );
    rows.forEach((r, i) => {
      const l = ref.labels[i]!;
      assert.equal(r.length, 7);
      assertPrinted(r[1]!, c.a.logits[i]!, `logit A ${l}`);
      assertPrinted(r[2]!, c.b.logits[i]!, `logit B ${l}`);
      assertPrinted(r[3]!, c.logitDelta[i]!, `Δ logit ${l}`);
      assertPrinted(r[4]!, c.a.probabilities[l]!, `p A ${l}`);
      assertPrinted(r[5]!, c.b.probabilities[l]!, `p B ${l}`);
      assertPrinted(r[6]!, c.probabilityDelta[l]!, `Δ p ${l}`);
      // torch, independently (reference.json), to the fixture's stated tolerance plus the printed rounding.
      assert.ok(Math.abs(Number(r[1]) - caseA.logits[i]!) <= ref.tolerance + 5e-5, `logit A ${l} vs torch`);
      assert.ok(Math.abs(Number(r[2]) - caseB.logits[i]!) <= ref.tolerance + 5e-5, `logit B ${l} vs torch`);
      assert.ok(
        Math.abs(Number(r[3]) - (caseB.logits[i]! - caseA.logits[i]!)) <= 2 * ref.tolerance + 5e-5,
        `Δ logit ${l} vs torch`,
      );
      assert.ok(Math.abs(Number(r[5]) - Number(r[4]) - Number(r[6])) <= 1.5e-4, `Δ p ${l} = p B − p A as printed`);
    });
  });

  it("each stage: cosine, norms and ‖B − A‖ equal a plain loop over the inspections' own vectors; the top units are the comparison's", () => {
    const rows = tableAfter(doc, 'How far apart each stage is');
    const t = headTerms(c.model);
    assert.equal(rows.length, c.model.nLayers + 3);
    const wa = a.windows[0]!.stages;
    const wb = b.windows[0]!.stages;
    const vectors = [
      ...wa.layers.map((v, l) => [v, wb.layers[l]!]),
      [wa.cls, wb.cls],
      [wa.preClassifier, wb.preClassifier],
      [wa.activation, wb.activation],
    ];
    rows.forEach((r, i) => {
      const d = c.stages[i]!;
      assert.equal(r[0], stageTitle(d.stage, t));
      const want = loopDiff(vectors[i]![0]!, vectors[i]![1]!);
      if (want.cos === null) assert.equal(r[1], '—');
      else assertPrinted(r[1]!, want.cos, `cosine ${r[0]}`);
      assertPrinted(r[2]!, want.na, `‖A‖ ${r[0]}`);
      assertPrinted(r[3]!, want.nb, `‖B‖ ${r[0]}`);
      assertPrinted(r[4]!, want.dist, `‖B − A‖ ${r[0]}`);
      const listed = parseMoved(r[5]!);
      assert.deepEqual(
        listed.map((x) => x.unit),
        d.top.slice(0, STAGE_UNITS_SHOWN).map((x) => x.unit),
        r[0],
      );
      listed.forEach((x) =>
        assertPrinted(x.printed, vectors[i]![1]![x.unit]! - vectors[i]![0]![x.unit]!, `${r[0]} unit ${x.unit}`),
      );
    });
  });

  it("each label: the units whose contribution moved most, as each inspection's own contributions; they and the rest add up to Δ logit", () => {
    const labels = c.model.labels;
    labels.forEach((l, i) => {
      const h = heading(doc, `Logit ${l}: `);
      assert.equal(
        h,
        `Logit ${l}: ${c.a.logits[i]!.toFixed(4)} → ${c.b.logits[i]!.toFixed(4)} (Δ ${c.contributions[i]!.logitDelta >= 0 ? '+' : ''}${c.contributions[i]!.logitDelta.toFixed(4)})`,
      );
      const rows = tableAfter(doc, h);
      const cd = c.contributions[i]!;
      assert.equal(rows.length, cd.top.length + 1);
      const ua = a.windows[0]!.contributions[l]!.units;
      const ub = b.windows[0]!.contributions[l]!.units;
      cd.top.forEach((x, k) => {
        const r = rows[k]!;
        assert.equal(r[0], `unit ${x.unit}`);
        assertPrinted(r[1]!, ua[x.unit]!, `${l} unit ${x.unit} in A`);
        assertPrinted(r[2]!, ub[x.unit]!, `${l} unit ${x.unit} in B`);
        assertPrinted(r[3]!, ub[x.unit]! - ua[x.unit]!, `${l} unit ${x.unit} Δ`);
      });
      const rest = rows.at(-1)!;
      assert.equal(rest[0], `${c.model.dim - cd.top.length} other units`);
      // The printed Δ column adds up to B's logit minus A's (torch's), within the rounding of each printed cell.
      const sum = rows.reduce((s, r) => s + Number(r[3]), 0);
      assert.ok(
        Math.abs(sum - (caseB.logits[i]! - caseA.logits[i]!)) <= rows.length * 5e-5 + 2 * ref.tolerance,
        `${l}: Σ Δ ${sum}`,
      );
    });
  });

  it("charts: A/B logit bars and Δ bars carry the comparison's values, cosines per stage, one Δ cell per unit, waterfalls from A's logit to B's", () => {
    assertImagesMatchAssets(doc, report);
    const bars = (file: string): number[] =>
      Array.from(svgDoc(report, file).querySelectorAll('rect.bar')).map((r) => Number(r.getAttribute('data-value')));
    assert.deepEqual(
      bars('comparison-logits.svg'),
      c.model.labels.flatMap((_, i) => [c.a.logits[i]!, c.b.logits[i]!]),
    );
    assert.deepEqual(bars('comparison-logit-delta.svg'), c.logitDelta);
    assert.deepEqual(
      bars('comparison-cosine.svg'),
      c.stages.map((d) => d.cosine ?? 0),
    );
    const relu = c.stages.find((d) => d.stage.kind === 'relu')!;
    const cells = Array.from(svgDoc(report, 'comparison-activation-delta.svg').querySelectorAll('rect.cell')).map((r) =>
      Number(r.getAttribute('data-value')),
    );
    assert.deepEqual(cells, relu.delta);
    c.model.labels.forEach((_, i) => {
      const steps = Array.from(svgDoc(report, `comparison-contribution-${i}.svg`).querySelectorAll('rect.step')).map(
        (r) => ({ kind: r.getAttribute('data-kind'), v: Number(r.getAttribute('data-value')) }),
      );
      assert.equal(steps[0]!.kind, 'bias');
      assert.equal(steps[0]!.v, c.a.logits[i]);
      assert.equal(steps.at(-1)!.kind, 'total');
      assert.equal(steps.at(-1)!.v, c.b.logits[i]);
      const run = steps.slice(0, -1).reduce((s, x) => s + x.v, 0);
      // float32 logits vs float64 sums of float32 contributions: 1e-4 is the fixture's stated tolerance.
      assert.ok(
        Math.abs(run - c.b.logits[i]!) <= ref.tolerance,
        `waterfall ${i} ends at ${run}, logit B ${c.b.logits[i]}`,
      );
    });
  });
});

describe('a comparison of hostile texts, labels and names', () => {
  const textA =
    'Fine film.\n</details><script>alert(1)</script>\n``` fence? ````\n| a | b |\n|---|---|\n![x](http://evil.example/t.png) [c](javascript:alert(2))';
  const textB =
    '<img src=x onerror=alert(3)> `tick` ``double`` | pipe | <details open><summary>s</summary>\r\nCRLF\u2028sep';
  const labels = ['a|b', '<b>bold</b>', '[l](http://evil.example)', '`tick` ![i](x.png)'];
  const a = makeInspection({ text: textA, labels, dim: 16, nLayers: 2, seed: 5 });
  const b = makeInspection({ text: textB, labels, dim: 16, nLayers: 2, seed: 5, windowTokens: 6 });
  const c = compareTexts(a, b, { topUnits: 4 });
  const whatA = 'selection 1 in evil](http://x) <i>`a`|.md (line 1)';
  const whatB = '</details><script>x</script> at HEAD';
  const report = comparisonReport(
    { comparison: c, texts: [reported(whatA, textA), reported(whatB, textB)] },
    { assetFolder: ASSETS },
  );
  const doc = rendered(report);

  it('no link, HTML element or foreign image comes out of the rendered Markdown', () => {
    assert.equal(doc.querySelectorAll('a').length, 0, 'no links at all');
    assert.equal(
      doc.querySelectorAll('script, details, summary, b, i, s, blockquote, ol, ul, iframe').length,
      0,
      doc.body.innerHTML.slice(0, 800),
    );
    assertImagesMatchAssets(doc, report);
    assert.ok(
      !/onerror/.test(
        Array.from(doc.querySelectorAll('img'))
          .map((i) => i.outerHTML)
          .join(''),
      ),
    );
  });

  it('both texts come back verbatim (line endings normalised), each in one code block', () => {
    const codes = Array.from(doc.querySelectorAll('pre code')).map((e) => e.textContent);
    assert.deepEqual(codes, [`${textA}\n`, `${textB.replace(/\r\n?/g, '\n')}\n`]);
  });

  it('names and labels round-trip as plain text, and every table keeps its columns', () => {
    assert.ok(doc.body.textContent!.includes(`A is ${whatA}; B is ${whatB}.`), doc.body.textContent!.slice(0, 400));
    heading(doc, `A: ${whatA}`);
    heading(doc, `B: ${whatB}`);
    const rows = tableAfter(doc, 'Labels and logits');
    assert.deepEqual(
      rows.map((r) => r[0]),
      labels,
    );
    for (const r of rows) assert.equal(r.length, 7);
    for (const r of tableAfter(doc, 'How far apart each stage is')) assert.equal(r.length, 6);
    labels.forEach((l) => {
      const rs = tableAfter(doc, heading(doc, `Logit ${l}: `));
      for (const r of rs) assert.equal(r.length, 4);
    });
    // B was read in several windows: the report says its vectors are means.
    assert.match(doc.body.textContent!, /token-weighted mean of its windows/);
    assert.match(
      textAfter(doc, `B: ${whatB}`),
      new RegExp(`${c.b.windows} windows, summarised by their token-weighted mean`),
    );
  });

  it('SVG text is escaped: hostile labels parse as text, never as elements', () => {
    for (const asset of report.assets) {
      const els = svgElements(asset.content);
      assert.ok(
        els.every((e) => ['svg', 'title', 'desc', 'rect', 'text', 'line', 'g'].includes(e.name)),
        asset.fileName,
      );
    }
    const bars = svgElements(report.assets.find((x) => x.fileName === 'comparison-logit-delta.svg')!.content).filter(
      (e) => e.attributes['class'] === 'bar',
    );
    assert.deepEqual(
      bars.map((e) => e.attributes['data-label']),
      labels,
    );
  });
});

describe('comparison report variants', () => {
  it('a text known only by its start says how much of it is quoted; a long one is cut at EXCERPT_CHARS', () => {
    const long = 'word '.repeat(EXCERPT_CHARS);
    const a = makeInspection({ text: 'short text', dim: 8, nLayers: 1, seed: 2 });
    const b = makeInspection({ text: long, dim: 8, nLayers: 1, seed: 2 });
    const c = compareTexts(a, b);
    const report = comparisonReport(
      { comparison: c, texts: [{ what: 'the clipboard', text: 'short', length: 600 }, reported('b.md now', long)] },
      { assetFolder: ASSETS },
    );
    const doc = rendered(report);
    assert.match(textAfter(doc, 'A: the clipboard'), /The first 5 of 600 characters:/);
    assert.match(
      textAfter(doc, 'B: b.md now'),
      new RegExp(
        `The first ${EXCERPT_CHARS.toLocaleString('en-US')} of ${long.length.toLocaleString('en-US')} characters:`,
      ),
    );
    assert.equal(Array.from(doc.querySelectorAll('pre code'))[1]!.textContent, `${long.slice(0, EXCERPT_CHARS)}\n`);
  });

  it('a regression head prints scores and no probability columns; sections compose with others', () => {
    const a = makeInspection({
      text: 'one',
      labels: ['LABEL_0'],
      problemType: 'regression',
      dim: 8,
      nLayers: 1,
      seed: 4,
    });
    const b = makeInspection({
      text: 'two words',
      labels: ['LABEL_0'],
      problemType: 'regression',
      dim: 8,
      nLayers: 1,
      seed: 4,
    });
    const c = compareTexts(a, b);
    const report = composeReport(
      comparisonSections({ comparison: c, texts: [reported('A', 'one'), reported('B', 'two words')] }),
      { assetFolder: ASSETS },
    );
    const doc = rendered(report);
    const rows = tableAfter(doc, 'Labels and scores');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.length, 4);
    assertPrinted(rows[0]![3]!, c.logitDelta[0]!, 'Δ score');
    assert.match(textAfter(doc, 'A: A'), /Label LABEL_0, score /);
    assert.ok(!report.markdown.includes('Made by DistilBERT Inspector'), 'no footer unless asked');
  });
});
