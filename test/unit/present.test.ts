// The presentation model (src/core/present) against expectations written out by hand: number formats, the
// heat maps' colour scale, which units a logit's decomposition names, and the stage explanations rendered to
// the panel's DOM and to the report's Markdown from one source.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';
import { rendered, textAfter } from './reportHarness';

const document = installDom();
import {
  decimal3,
  decimal4,
  exact,
  int,
  num,
  pct,
  pctPoints,
  signedDecimal3,
  signedNum,
} from '../../src/core/present/format';
import { maxAbsScale, robustScale, tintPercent } from '../../src/core/present/scale';
import { logitSteps, topUnitsFor } from '../../src/core/present/logitSteps';
import { plainText, stageText, type Explanation } from '../../src/core/present/stageText';
import { mdExplanation } from '../../src/core/report/richText';
import { inspectionReport } from '../../src/core/report/inspectionReport';
import { headTerms } from '../../src/core/head/headTerms';
import { renderApp } from '../../src/webview/view';
import { readPalette } from '../../src/webview/theme';
import type { HeadKind, Inspection, WindowResult } from '../../src/core/types';

describe('number formats', () => {
  it('percentages, counts and the compact panel number', () => {
    assert.equal(pct(0.935), '93.5%');
    assert.equal(pct(0.93456, 2), '93.46%');
    assert.equal(pct(1), '100.0%');
    assert.equal(int(1234567), '1,234,567');
    assert.equal(num(0), '0');
    assert.equal(num(0.0005), '5.00e-4');
    assert.equal(num(1234), '1.23e+3');
    assert.equal(num(-0.25), '-0.250');
    assert.equal(num(12.5), '12.50');
    assert.equal(num(150.75), '150.8');
    assert.equal(signedNum(-2.5), '−2.500');
    assert.equal(signedNum(0.5), '+0.500');
    assert.equal(exact(3), '3');
    assert.equal(exact(1 / 3), '0.333333');
  });

  it("the report's 4 decimals and the CLI's 3", () => {
    assert.equal(decimal4(0), '0');
    assert.equal(decimal4(0.5), '0.5000');
    assert.equal(decimal4(-1.23456), '-1.2346');
    assert.equal(decimal4(0.00001), '1.000e-5');
    assert.equal(decimal4(123456), '1.235e+5');
    assert.equal(decimal3(2.5), '2.500');
    assert.equal(decimal3(-150.75), '-150.8');
    assert.equal(signedDecimal3(0.1), '+0.100');
    assert.equal(signedDecimal3(-0.1), '-0.100');
    assert.equal(pctPoints(0.0123), '+1.2 pt');
    assert.equal(pctPoints(-0.0123, 2), '−1.23 pt');
  });
});

describe('robustScale', () => {
  it('is 1 when there is nothing to scale', () => {
    assert.equal(robustScale([]), 1);
    assert.equal(robustScale([0, 0, 0]), 1);
  });

  it('takes the 99th percentile of the non-zero magnitudes, so one outlier does not set the scale', () => {
    // 1..200: the value at rank floor(200 * 0.99) = 198 (0-based) is 199.
    assert.equal(robustScale(Array.from({ length: 200 }, (_, i) => i + 1)), 199);
    // 200 units of magnitude 2 (half negative) and one huge unit: the scale stays 2.
    const xs = Array.from({ length: 200 }, (_, i) => (i % 2 ? -2 : 2));
    assert.equal(robustScale([...xs, 1e6, 0, 0]), 2);
    // A single non-zero value is its own scale, whatever its sign.
    assert.equal(robustScale([0, -0.75, 0]), 0.75);
  });

  it("a word strip's scale is its largest |score|, and a tint is a share of 70%", () => {
    assert.equal(maxAbsScale([0.2, -0.8, 0.5]), 0.8);
    assert.equal(maxAbsScale([0, 0]), 1e-12);
    assert.equal(tintPercent(-0.8, 0.8), 70);
    assert.equal(tintPercent(0.4, 0.8), 35);
    assert.equal(tintPercent(3, 0.8), 70);
    assert.equal(tintPercent(0, 1e-12), 0);
  });
});

/** One window whose decomposition is written out by hand: logit = 0.3 + sum(units). */
function handWindow(units: number[], act: number[], topUnits?: WindowResult['head']['topUnits']): WindowResult {
  const w = makeInspection({ dim: units.length, labels: ['A', 'B'] }).windows[0]!;
  w.contributions = { A: { bias: 0.3, units }, B: { bias: 0, units: units.map(() => 0) } };
  w.stages.activation = act;
  w.head.topUnits = topUnits ?? {};
  return w;
}

describe('the units a logit names and its steps', () => {
  const units = [0.5, -0.2, 0, 0.1, -0.4, 0.05, 0.07, 0.06, 0.02];
  const act = [1, 2, 0, 0.5, 4, 1, 1, 1, 1];

  it("without the core's list: the five largest shares each side, from the contributions", () => {
    const w = handWindow(units, act);
    const t = topUnitsFor(w, 'A');
    assert.deepEqual(
      t.toward.map((x) => x.unit),
      [0, 3, 6, 7, 5],
    );
    assert.deepEqual(
      t.against.map((x) => x.unit),
      [4, 1],
    );
    const steps = logitSteps(w, 'A', 0.5)!;
    assert.deepEqual(
      steps.map((s) => s.label),
      ['bias', 'unit 0', 'unit 3', 'unit 6', 'unit 7', 'unit 5', 'unit 4', 'unit 1', '1 other units', 'logit A'],
    );
    const rest = steps.at(-2)!;
    assert.equal(rest.count, 1); // unit 8 (0.02); unit 2 is zero and not counted
    assert.ok(Math.abs(rest.delta - 0.02) < 1e-12);
    const unit4 = steps.find((s) => s.unit === 4)!;
    assert.equal(unit4.input, 4);
    assert.ok(Math.abs(unit4.weight! - -0.1) < 1e-12);
    assert.ok(Math.abs(steps.at(-1)!.sum! - 0.5) < 1e-12);
    // Every step but the total adds up to the logit.
    assert.ok(Math.abs(steps.slice(0, -1).reduce((a, s) => a + s.delta, 0) - 0.5) < 1e-12);
  });

  it("with the core's list: exactly its units, sorted, zero or wrong-signed entries dropped", () => {
    const w = handWindow(units, act, {
      A: {
        toward: [
          { unit: 3, value: 0.1 },
          { unit: 0, value: 0.5 },
          { unit: 2, value: 0 },
        ],
        against: [{ unit: 1, value: -0.2 }],
      },
    });
    const t = topUnitsFor(w, 'A');
    assert.deepEqual(
      t.toward.map((x) => x.unit),
      [0, 3],
    );
    assert.deepEqual(
      t.against.map((x) => x.unit),
      [1],
    );
    const steps = logitSteps(w, 'A', 0.5)!;
    assert.equal(steps.at(-2)!.label, '5 other units'); // 4, 5, 6, 7, 8
  });

  it('an int8 classifier: the weight is the share over the dequantized input it multiplies', () => {
    const w = handWindow(units, act);
    w.stages.classifierInput = act.map((a) => a * 1.25);
    const unit0 = logitSteps(w, 'A', 0.5)!.find((s) => s.unit === 0)!;
    assert.equal(unit0.input, 1.25);
    assert.ok(Math.abs(unit0.weight! - 0.4) < 1e-12);
  });

  it('a label without contributions has no steps', () => {
    assert.equal(logitSteps(handWindow(units, act), 'C', 0), undefined);
  });
});

describe('stage explanations: one source, rendered to Markdown and to the panel', () => {
  it('Markdown: escaped text, verbatim code, cited links, no panel-only sentence', () => {
    const e: Explanation = [
      ['a *b* ', { code: 'x`y' }, { panelOnly: ' Click it.' }, ' ', { link: 'https://example.org/a (b)', text: 'T_1' }],
      [{ strong: 'Why. ' }, 'c'],
    ];
    assert.equal(mdExplanation(e), 'a \\*b\\* ``x`y`` [T\\_1](https://example.org/a%20%28b%29)\n\n**Why\\.** c');
    assert.equal(plainText(e), 'a *b* x`y T_1\n\nWhy. c');
    assert.equal(plainText(e, true), 'a *b* x`y Click it. T_1\n\nWhy. c');
  });

  for (const kind of ['distilbert', 'bert', 'roberta'] as HeadKind[]) {
    it(`${kind}: every stage's words in the panel and in the report are the model's`, () => {
      const ins = makeInspection({ dim: 24, head: kind, labels: ['NEG', 'POS'] });
      const t = headTerms(ins.model);
      const w = ins.windows[0]!;
      const dim = ins.model.dim;
      const text = {
        tokens: stageText.tokens(t),
        layers: stageText.layers(t, w.stages.layers.length),
        cls: stageText.cls(t, dim),
        dense: stageText.dense(t, dim),
        activation: stageText.activation(t),
        dropout: stageText.dropout(t, ins.model.dropout),
        classifier: stageText.classifier(t, dim, 2, ins.model.problemType),
      };
      const panel = panelExplanations(ins);
      const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();
      for (const [stage, e] of Object.entries(text)) {
        assert.equal(squash(panel[stage]!), squash(plainText(e, true)), `${kind} ${stage}: the panel's words`);
      }
      const doc = rendered(inspectionReport({ inspection: ins }, { assetFolder: 'a' }));
      const headings = Array.from(doc.querySelectorAll('h3')).map((h) => h.textContent ?? '');
      const sectionOf = (n: number): string =>
        squash(
          textAfter(
            doc,
            headings.find((h) => h.startsWith(`${n}. `))!,
          ),
        );
      const order = ['tokens', 'layers', 'cls', 'dense', 'activation', 'dropout', 'classifier'] as const;
      order.forEach((stage, n) => {
        const words = squash(plainText(text[stage]));
        assert.ok(sectionOf(n).includes(words), `${kind} ${stage}: the report's words\n${sectionOf(n)}\n${words}`);
      });
    });
  }
});

/** The explanation text of each stage card the panel draws. */
function panelExplanations(ins: Inspection): Record<string, string> {
  const root = renderApp(
    {
      version: 1,
      panel: {
        newest: 1,
        view: {
          kind: 'result',
          requestId: 1,
          inspection: ins,
          source: { uri: 'file:///a', fileName: 'a', baseOffset: 0, selection: false },
        },
      },
      selectedWindow: 0,
    },
    readPalette(),
    { selectWindow: () => {}, reveal: () => {}, exportJson: () => {}, compareVariants: () => {} },
  );
  document.getElementById('app')!.replaceChildren(root);
  const explainOf = (sel: string): string => {
    const card = root.querySelector(sel);
    assert.ok(card, `card ${sel}`);
    // The card's own explanation: a <p class="explain"> or a <div class="explain"> of them, directly in the card.
    const el = Array.from(card.children).find((c) => c.classList.contains('explain'));
    assert.ok(el, `explanation in ${sel}`);
    return Array.from(el.tagName === 'DIV' ? el.children : [el])
      .map((p) => p.textContent ?? '')
      .join('\n\n');
  };
  return {
    tokens: explainOf('[aria-labelledby="card-tokens"]'),
    layers: explainOf('[data-testid="stage-layers"]'),
    cls: explainOf('[data-testid="stage-cls"]'),
    dense: explainOf('[data-testid="stage-pre-classifier"]'),
    activation: explainOf('[data-testid="stage-relu"]'),
    dropout: explainOf('[data-testid="stage-dropout"]'),
    classifier: explainOf('[data-testid="stage-classifier"]'),
  };
}
