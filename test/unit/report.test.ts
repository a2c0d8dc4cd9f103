// The Markdown report of an inspection: its numbers read back from the rendered Markdown equal the
// inspection's (and torch's, within the printed precision), its SVGs are well-formed with one mark per value,
// and nothing from the document, the labels or the file name can become a link, an image, HTML or a table cell.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, isolateHome, readReference, tempDir } from './helpers';
import { assertPrinted, assertWellFormed, rendered, svgDoc, svgElements, tableAfter, textAfter } from './reportHarness';
import { makeInspection } from './webviewHarness/inspection';

isolateHome();
import { Inspector } from '../../src/core/inspector';
import type { Inspection } from '../../src/core/types';
import { composeReport, type Section } from '../../src/core/report/markdown';
import { inspectionReport, inspectionSections, MAX_DETAILED_WINDOWS } from '../../src/core/report/inspectionReport';
import { barChart } from '../../src/core/report/svg';
import { SOURCES } from '../../src/core/present/stageText';
import { LENS_SOURCES } from '../../src/core/head/lensStory';

const ASSETS = 'review-assets';
const inspectors = new Map<string, Inspector>();
async function inspect(
  fixture: string,
  text: string,
  opts: Parameters<Inspector['inspect']>[1] = {},
): Promise<Inspection> {
  let ins = inspectors.get(fixture);
  if (!ins) {
    ins = await Inspector.open({ modelDir: path.join(FIXTURES, fixture), cacheDir: tempDir('dbi-cache-'), threads: 1 });
    inspectors.set(fixture, ins);
  }
  return ins.inspect(text, opts);
}
after(async () => {
  for (const i of inspectors.values()) await i.dispose();
});

/** Every image points into the assets folder at an asset, and every asset is shown exactly once. */
function assertImagesMatchAssets(doc: Document, report: ReturnType<typeof inspectionReport>): void {
  const srcs = Array.from(doc.querySelectorAll('img')).map((i) => i.getAttribute('src') ?? '');
  assert.deepEqual(srcs.slice().sort(), report.assets.map((a) => `${ASSETS}/${a.fileName}`).sort());
  for (const a of report.assets) assertWellFormed(a.content, a.fileName);
}

describe('report of a single-window DistilBERT inspection', () => {
  const dir = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
  const ref = readReference(dir);
  const c = ref.cases[0]!;
  let ins: Inspection;
  let report: ReturnType<typeof inspectionReport>;
  let doc: Document;
  before(async () => {
    ins = await inspect('tiny-distilbert-o17-gemm', c.text, { mode: 'truncate' });
    report = inspectionReport(
      { inspection: ins, text: c.text, source: { fileName: 'review.txt', selection: true } },
      { assetFolder: ASSETS },
    );
    doc = rendered(report);
  });

  it("the result table gives each label its probability and logit: the inspection's, and torch's within 1e-4", () => {
    const rows = tableAfter(doc, 'Result');
    assert.deepEqual(
      rows.map((r) => r[0]),
      ref.labels,
    );
    rows.forEach((r, i) => {
      const label = ref.labels[i]!;
      assertPrinted(r[1]!, ins.aggregate.probabilities[label]!, `p(${label})`);
      assertPrinted(r[2]!, ins.aggregate.logits[i]!, `logit ${label}`);
      // torch computed the same numbers independently (reference.json), to the fixture's stated 1e-4.
      assert.ok(Math.abs(Number(r[2]) - c.logits[i]!) <= ref.tolerance + 5e-5, `logit ${label} vs torch`);
      assert.ok(Math.abs(Number(r[1]) - c.probabilities[i]!) <= ref.tolerance + 5e-5, `p(${label}) vs torch`);
    });
    assert.match(doc.querySelector('h1')!.textContent!, new RegExp(`: ${ins.aggregate.label}$`));
  });

  it('the model table names the model, its head and labels', () => {
    const rows = Object.fromEntries(tableAfter(doc, 'Model').map((r) => [r[0], r[1]]));
    assert.equal(rows['name'], ins.model.name);
    assert.equal(rows['architecture'], 'DistilBertForSequenceClassification');
    assert.equal(rows['head'], 'DistilBERT: pre_classifier → ReLU → dropout → classifier');
    assert.equal(rows['labels'], ref.labels.map((l, i) => `${i}: ${l}`).join(', '));
    assert.match(rows['dense layer']!, /newly initialised at fine-tuning/);
    // The ONNX file relative to the model folder: a shared report carries no local paths.
    assert.ok(path.isAbsolute(ins.model.onnxFile), 'the core gives an absolute path');
    assert.equal(rows['ONNX file'], 'onnx/model.onnx');
    assert.equal(rows['graph (computed these numbers)'], 'fp32');
    assert.ok(!report.markdown.includes(FIXTURES), 'no local path in the report');
  });

  it('the stages come in data-flow order, each explained, with norms and zeroed units as computed', () => {
    const heads = Array.from(doc.querySelectorAll('h3')).map((h) => h.textContent);
    assert.deepEqual(heads, [
      '0. Input word pieces',
      '1. [CLS] after each transformer block',
      '2. [CLS] entering pre_classifier',
      `3. pre_classifier (dense), ${ins.model.dim} → ${ins.model.dim}`,
      '4. ReLU',
      '5. dropout (identity)',
      '6. classifier → logits → probabilities',
      '7. Head lens: the DistilBERT head after every block',
    ]);
    const w = ins.windows[0]!;
    const norm = (v: number[]): number => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    const blocks = tableAfter(doc, '1. [CLS] after each transformer block');
    assert.equal(blocks.length, ins.model.nLayers);
    blocks.forEach((r, k) => assertPrinted(r[1]!, norm(c.layers[k]!), `norm of block ${k + 1}`));
    assertPrinted(
      textAfter(doc, '2. [CLS] entering pre_classifier').match(/L2 norm (\S+)\./)![1]!,
      norm(c.cls),
      '‖cls‖',
    );
    assert.match(
      textAfter(doc, '3. ' + `pre_classifier (dense), ${ins.model.dim} → ${ins.model.dim}`),
      /counterpart of BERT's pooler.*tanh.*newly initialised when fine-tuning starts/s,
    );
    const relu = textAfter(doc, '4. ReLU');
    const zeros = c.relu.filter((x) => x === 0).length;
    assert.ok(
      relu.includes(`${zeros} of ${ins.model.dim} units are zeroed, ${ins.model.dim - zeros} stay active`),
      relu,
    );
    assertPrinted(relu.match(/L2 norm (\S+)\./)![1]!, norm(c.relu), '‖relu‖');
    // The word pieces are listed verbatim, [CLS] first.
    const pieces = Array.from(doc.querySelectorAll('pre code'))[1]!.textContent!.trim();
    assert.equal(pieces, w.tokens.map((t) => t.text).join(' '));
  });

  it("the top-units table lists the core's top units with their shares", () => {
    const w = ins.windows[0]!;
    const rows = tableAfter(doc, '6. classifier → logits → probabilities');
    for (const [label, toward, against] of rows) {
      const top = w.head.topUnits[label!]!;
      const parse = (s: string): { unit: number; value: string }[] =>
        s === '—'
          ? []
          : s.split(', ').map((x) => {
              const m = /^unit (\d+) (\S+)$/.exec(x)!;
              return { unit: Number(m[1]), value: m[2]! };
            });
      for (const [got, want] of [
        [parse(toward!), top.toward],
        [parse(against!), top.against],
      ] as const) {
        assert.deepEqual(
          got.map((g) => g.unit),
          want.map((x) => x.unit),
        );
        got.forEach((g, k) => assertPrinted(g.value, want[k]!.value, `${label} unit ${g.unit}`));
      }
    }
  });

  it('SVGs: one bar per label with its value, one cell per unit, one row per block, waterfalls that add up', () => {
    assertImagesMatchAssets(doc, report);
    const w = ins.windows[0]!;
    const bars = Array.from(svgDoc(report, 'logits.svg').querySelectorAll('rect.bar'));
    assert.deepEqual(
      bars.map((b) => b.getAttribute('data-label')),
      ref.labels,
    );
    assert.deepEqual(
      bars.map((b) => Number(b.getAttribute('data-value'))),
      ins.aggregate.logits,
    );
    const probs = Array.from(svgDoc(report, 'probabilities.svg').querySelectorAll('rect.bar'));
    assert.deepEqual(
      probs.map((b) => Number(b.getAttribute('data-value'))),
      ref.labels.map((l) => ins.aggregate.probabilities[l]),
    );
    for (const [file, values] of [
      ['w1-cls.svg', w.stages.cls],
      ['w1-dense.svg', w.stages.preClassifier],
      ['w1-activation.svg', w.stages.activation],
    ] as const) {
      const svg = svgDoc(report, file);
      const cells = Array.from(svg.querySelectorAll('rect.cell'));
      assert.deepEqual(
        cells.map((x) => Number(x.getAttribute('data-value'))),
        values,
        file,
      );
      assert.ok(
        svg.querySelector('title')?.textContent && svg.querySelector('desc')?.textContent,
        `${file} has a title and a description`,
      );
      // Zero is drawn as the background: ReLU's zeroed units read as gaps.
      cells.forEach((x) =>
        assert.equal(x.getAttribute('fill') === '#ffffff', Number(x.getAttribute('data-value')) === 0, file),
      );
    }
    const layers = svgDoc(report, 'w1-layers.svg');
    assert.equal(layers.querySelectorAll('g.row').length, ins.model.nLayers);
    assert.equal(layers.querySelectorAll('g.row rect').length, ins.model.nLayers * ins.model.dim);
    ref.labels.forEach((l, i) => {
      const steps = Array.from(svgDoc(report, `w1-logit-${i}.svg`).querySelectorAll('rect.step'));
      const total = steps.at(-1)!;
      assert.equal(total.getAttribute('data-kind'), 'total');
      assert.equal(Number(total.getAttribute('data-value')), w.logits[i]);
      const sum = steps.slice(0, -1).reduce((a, s) => a + Number(s.getAttribute('data-value')), 0);
      assert.ok(Math.abs(sum - c.logits[i]!) <= ref.tolerance, `bias + units of ${l} = ${sum}, torch ${c.logits[i]}`);
    });
  });

  it('the white background makes every chart readable on a dark viewer', () => {
    for (const a of report.assets)
      assert.match(a.content, /<rect width="\d+" height="\d+" fill="#ffffff"\/>/, a.fileName);
  });
});

describe('report of a long text in several windows', () => {
  let ins: Inspection;
  let report: ReturnType<typeof inspectionReport>;
  let doc: Document;
  before(async () => {
    const ref = readReference(path.join(FIXTURES, 'tiny-distilbert-o17-gemm'));
    const text = ref.cases
      .map((c) => c.text)
      .join(' ')
      .repeat(3);
    ins = await inspect('tiny-distilbert-o17-gemm', text, { windowTokens: 32, overlap: 8 });
    report = inspectionReport(
      { inspection: ins, text, source: { fileName: 'long.md', selection: false } },
      { assetFolder: ASSETS },
    );
    doc = rendered(report);
  });

  it('lists every window with its range, tokens, label and per-label probabilities, and states coverage', () => {
    assert.ok(ins.windows.length > MAX_DETAILED_WINDOWS, 'the text needs more windows than are detailed');
    const rows = tableAfter(doc, 'Windows');
    assert.equal(rows.length, ins.windows.length);
    rows.forEach((r, i) => {
      const w = ins.windows[i]!;
      assert.deepEqual(r.slice(0, 4), [String(i + 1), `${w.start}–${w.end}`, String(w.tokenCount), w.label]);
      assertPrinted(r[4]!, w.probabilities[w.label]!, `window ${i + 1} p`);
      ins.model.labels.forEach((l, k) => assertPrinted(r[5 + k]!, w.probabilities[l]!, `window ${i + 1} p(${l})`));
    });
    assert.match(
      textAfter(doc, 'Windows'),
      new RegExp(
        `^Complete: all ${ins.coverage.textLength.toLocaleString('en-US')} characters read .* in ${ins.windows.length} windows`,
      ),
    );
    const bars = svgDoc(report, 'windows.svg').querySelectorAll('rect.bar');
    assert.equal(bars.length, ins.windows.length);
  });

  it('details the first windows stage by stage, each with its own result table and charts', () => {
    const h2 = Array.from(doc.querySelectorAll('h2'))
      .map((h) => h.textContent ?? '')
      .filter((t) => t.startsWith('Window '));
    assert.equal(h2.length, MAX_DETAILED_WINDOWS);
    h2.forEach((t, i) => {
      const w = ins.windows[i]!;
      assert.equal(
        t,
        `Window ${i + 1} of ${ins.windows.length}: ${w.label}, characters ${w.start}–${w.end}, ${w.tokenCount} tokens`,
      );
    });
    for (let i = 0; i < MAX_DETAILED_WINDOWS; i++) {
      const cells = Array.from(svgDoc(report, `w${i + 1}-activation.svg`).querySelectorAll('rect.cell'));
      assert.deepEqual(
        cells.map((x) => Number(x.getAttribute('data-value'))),
        ins.windows[i]!.stages.activation,
      );
    }
    assert.equal(
      report.assets.some((a) => a.fileName.startsWith(`w${MAX_DETAILED_WINDOWS + 1}-`)),
      false,
    );
    assertImagesMatchAssets(doc, report);
    // Choosing the windows: only the last one.
    const last = inspectionReport(
      { inspection: ins, detailWindows: [ins.windows.length - 1, 99, -1] },
      { assetFolder: ASSETS },
    );
    assert.deepEqual(
      [...new Set(last.assets.filter((a) => /^w\d+-/.test(a.fileName)).map((a) => a.fileName.split('-')[0]))],
      [`w${ins.windows.length}`],
    );
  });
});

describe('multi-label (sigmoid) inspection', () => {
  it('prints sigmoid probabilities that need not sum to 1 and decomposes every label', async () => {
    const dir = path.join(FIXTURES, 'tiny-distilbert-o17-multilabel');
    const ref = readReference(dir);
    const c = ref.cases[0]!;
    const ins = await inspect('tiny-distilbert-o17-multilabel', c.text, { mode: 'truncate' });
    const report = inspectionReport({ inspection: ins, text: c.text }, { assetFolder: ASSETS });
    const doc = rendered(report);
    const rows = tableAfter(doc, 'Result');
    assert.equal(rows.length, 3);
    rows.forEach((r, i) => {
      const sigmoid = 1 / (1 + Math.exp(-c.logits[i]!));
      assert.ok(Math.abs(Number(r[1]) - sigmoid) <= ref.tolerance + 5e-5, `p(${r[0]}) = sigmoid(torch logit)`);
    });
    assert.match(textAfter(doc, 'Result'), /Multi-label: each probability is sigmoid\(logit\)/);
    assert.match(textAfter(doc, '6. classifier → logits → probabilities'), /sigmoid\(logit\), independently per label/);
    ref.labels.forEach((_, i) => assert.ok(report.assets.some((a) => a.fileName === `w1-logit-${i}.svg`)));
    assertImagesMatchAssets(doc, report);
  });
});

describe('BERT and RoBERTa heads in their own terms', () => {
  it('BERT: pooler dense + tanh, pretrained; saturated units instead of zeroed ones', async () => {
    const ref = readReference(path.join(FIXTURES, 'tiny-bert-o17'));
    const ins = await inspect('tiny-bert-o17', ref.cases[0]!.text, { mode: 'truncate' });
    const doc = rendered(inspectionReport({ inspection: ins }, { assetFolder: ASSETS }));
    const heads = Array.from(doc.querySelectorAll('h3')).map((h) => h.textContent);
    assert.deepEqual(heads.slice(1, 5), [
      '1. [CLS] after each transformer block',
      '2. [CLS] entering bert.pooler.dense',
      `3. bert.pooler.dense (dense), ${ins.model.dim} → ${ins.model.dim}`,
      '4. tanh',
    ]);
    const rows = Object.fromEntries(tableAfter(doc, 'Model').map((r) => [r[0], r[1]]));
    assert.equal(rows['head'], 'BERT: bert.pooler.dense → tanh → dropout → classifier');
    assert.match(rows['dense layer']!, /pretrained with the encoder/);
    const sat = ins.windows[0]!.stages.activation.filter((x) => Math.abs(x) > 0.99).length;
    assert.ok(textAfter(doc, '4. tanh').includes(`${sat} of ${ins.model.dim} units are saturated`));
    assert.match(textAfter(doc, 'Input'), /not available to the report/);
  });

  it('RoBERTa: <s> and classifier.dense → tanh → classifier.out_proj', async () => {
    const ref = readReference(path.join(FIXTURES, 'tiny-roberta-o17'));
    const ins = await inspect('tiny-roberta-o17', ref.cases[0]!.text, { mode: 'truncate' });
    const doc = rendered(inspectionReport({ inspection: ins }, { assetFolder: ASSETS }));
    const heads = Array.from(doc.querySelectorAll('h3')).map((h) => h.textContent);
    assert.equal(heads[1], '1. <s> after each transformer block');
    assert.equal(heads[6], '6. classifier.out_proj → logits → probabilities');
    assert.equal(
      Object.fromEntries(tableAfter(doc, 'Model').map((r) => [r[0], r[1]]))['head'],
      'RoBERTa: classifier.dense → tanh → dropout → classifier.out_proj',
    );
    assert.equal(doc.querySelectorAll('s').length, 0, '<s> stays text, not strikethrough HTML');
  });
});

describe('untrusted text, labels and file names', () => {
  const hostile = [
    '![x](http://evil.example/track.png) and [click](javascript:alert(1)) <script>alert(1)</script>',
    '<img src=x onerror=alert(1)> &lt;b&gt; www.evil.example http://evil.example/ mail@evil.example',
    '``` closes? ```` `````````` ~~~',
    '```',
    '| a | b |',
    '|---|---|',
    '# heading? - list? 1. list? > quote?\r\nCRLF\rCR line\u2028sep',
  ].join('\n');
  const labels = ['a|b', '<b>bold</b>', '[l](http://evil.example)', '`tick` ![i](x.png)'];
  const ins = makeInspection({ text: hostile, labels, dim: 16, nLayers: 2, windowTokens: 20 });
  const fileName = 'evil](http://x) <i>.md';
  const report = inspectionReport(
    { inspection: ins, text: hostile, source: { fileName, selection: true } },
    { assetFolder: ASSETS },
  );
  const doc = rendered(report);

  it('no link, HTML element or foreign image comes out of the rendered Markdown', () => {
    // The only links are the explanations' cited sources, the report's own constants (stageText, lensStory).
    const cited = new Set([...Object.values(SOURCES), ...Object.values(LENS_SOURCES)].map((s) => s.url));
    const hrefs = Array.from(doc.querySelectorAll('a')).map((a) => a.getAttribute('href') ?? '');
    assert.ok(hrefs.length > 0, 'the stage explanations cite their sources');
    assert.deepEqual(
      hrefs.filter((h) => !cited.has(h)),
      [],
      'no link from the text, labels or file name',
    );
    assert.equal(
      doc.querySelectorAll('script, b, i, s, blockquote, ol, ul, iframe').length,
      0,
      doc.body.innerHTML.slice(0, 500),
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

  it('the excerpt shows the text verbatim (line endings normalised) in one code block', () => {
    const code = Array.from(doc.querySelectorAll('pre code'))[0]!.textContent!;
    assert.equal(code, hostile.replace(/\r\n?/g, '\n') + '\n');
  });

  it('labels and the file name round-trip as plain text, and every table keeps its columns', () => {
    assert.deepEqual(
      tableAfter(doc, 'Result').map((r) => r[0]),
      labels,
    );
    for (const r of tableAfter(doc, 'Result')) assert.equal(r.length, 3);
    for (const r of tableAfter(doc, 'Windows')) assert.equal(r.length, 5 + labels.length);
    assert.ok(doc.body.textContent!.includes(`Selection in ${fileName}: label ${ins.aggregate.label}`));
    const toward = tableAfter(doc, '6. classifier → logits → probabilities');
    assert.deepEqual(
      toward.map((r) => r[0]),
      labels,
    );
  });

  it('SVG text is escaped: hostile labels parse as text, never as elements', () => {
    const els = svgElements(report.assets.find((a) => a.fileName === 'logits.svg')!.content);
    assert.deepEqual([...new Set(els.map((e) => e.name))].sort(), [
      'desc',
      'g',
      'line',
      'rect',
      'svg',
      'text',
      'title',
    ]);
    assert.deepEqual(
      els.filter((e) => e.attributes['class'] === 'bar').map((e) => e.attributes['data-label']),
      labels,
    );
    // Each bar's tooltip: "label: value"; the axis labels are cut at 28 characters, so all of these show whole.
    const titles = els
      .filter((e) => e.name === 'title')
      .slice(1)
      .map((e) => e.text.replace(/: [^:]*$/, ''));
    assert.deepEqual(titles, labels);
    // The caption, then per bar its axis label and its value.
    assert.equal(els.find((e) => e.name === 'text')!.text, 'Logits (aggregate)');
    assert.deepEqual(
      els
        .filter((e) => e.name === 'text')
        .slice(1, 9)
        .filter((_, i) => i % 2 === 0)
        .map((e) => e.text),
      labels,
    );
    for (const a of report.assets)
      assert.ok(
        svgElements(a.content).every((e) => ['svg', 'title', 'desc', 'rect', 'text', 'line', 'g'].includes(e.name)),
        a.fileName,
      );
    for (const a of report.assets) assertWellFormed(a.content, a.fileName);
    const ctrl = barChart([{ label: 'nul\u0000 & "q" \'a\' <x/>]]>', value: 1 }], {
      title: '<t>',
      desc: '&',
      signed: false,
    });
    assertWellFormed(ctrl, 'control characters');
  });
});

describe('composing reports', () => {
  it('a new section is one more function in the list, and asset names are checked', () => {
    const ins = makeInspection({ dim: 8, nLayers: 1 });
    const section: Section = (ctx) =>
      `## Extra\n\n${ctx.image('extra-bars.svg', barChart([{ label: 'x', value: 2 }], { title: 'x', desc: 'x', signed: true }), 'extra')}`;
    const extra = composeReport([...inspectionSections({ inspection: ins }), section], {
      assetFolder: 'my report (1)-assets',
    });
    assert.match(extra.markdown, /## Extra\n\n!\[extra\]\(my%20report%20%281%29-assets\/extra-bars\.svg\)\n$/);
    assert.equal(extra.assets.at(-1)!.fileName, 'extra-bars.svg');
    // The same through inspectionReport: extra sections come before the closing line.
    const viaReport = inspectionReport({ inspection: ins }, { assetFolder: 'a', extra: [section] });
    assert.match(viaReport.markdown, /## Extra\n\n!\[extra\]\(a\/extra-bars\.svg\)\n\nMade by DistilBERT Inspector/);
    assert.throws(
      () => composeReport([(ctx) => ctx.image('../x.svg', '', 'x')], { assetFolder: 'a' }),
      /not a plain \.svg file name/,
    );
    assert.throws(
      () => composeReport([(ctx) => ctx.image('a.svg', '', 'x') + ctx.image('a.svg', '', 'x')], { assetFolder: 'a' }),
      /added twice/,
    );
  });

  it('a regression head prints a score and draws no probabilities', () => {
    const ins = makeInspection({ labels: ['LABEL_0'], problemType: 'regression', dim: 8, nLayers: 1 });
    const report = inspectionReport({ inspection: ins }, { assetFolder: ASSETS });
    const rows = tableAfter(rendered(report), 'Result');
    assert.equal(rows.length, 1);
    assertPrinted(rows[0]![1]!, ins.aggregate.logits[0]!, 'score');
    assert.equal(
      report.assets.some((a) => a.fileName === 'probabilities.svg'),
      false,
    );
  });
});
