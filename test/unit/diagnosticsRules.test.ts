// Classifier diagnostics rules: parsing the setting, checking rules against a model's labels, and turning
// windows into findings (hand-made windows for the semantics; a real multi-label fixture, with the sigmoid
// recomputed here from the logits, for the end-to-end figures).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  evaluate,
  findingMessage,
  parseRules,
  rulesForModel,
  type DiagnosticRule,
} from '../../src/core/diagnostics/rules';
import { Inspector } from '../../src/core/inspector';
import type { WindowResult } from '../../src/core/types';
import { FIXTURES, isolateHome, tempDir } from './helpers';

const SETTING = 'distilbertInspector.diagnostics.rules';

/** Only the fields the rules read; the rest of a WindowResult does not matter to them. */
function win(start: number, end: number, probabilities: Record<string, number>): WindowResult {
  const label = Object.entries(probabilities).sort((a, b) => b[1] - a[1])[0]![0];
  return { start, end, label, probabilities } as unknown as WindowResult;
}

describe('parseRules', () => {
  test('accepts a valid rule list; severity defaults to warning; message is trimmed', () => {
    const { rules, problems } = parseRules(
      [
        { label: 'NEGATIVE', minProbability: 0.9, severity: 'error', message: '  Too negative ' },
        { label: 'POSITIVE', minProbability: 0 },
        { label: 'X', minProbability: 1, severity: 'hint' },
      ],
      SETTING,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(rules, [
      { label: 'NEGATIVE', minProbability: 0.9, severity: 'error', message: 'Too negative' },
      { label: 'POSITIVE', minProbability: 0, severity: 'warning' },
      { label: 'X', minProbability: 1, severity: 'hint' },
    ]);
  });

  test('undefined and [] are no rules, without problems', () => {
    assert.deepEqual(parseRules(undefined, SETTING), { rules: [], problems: [] });
    assert.deepEqual(parseRules([], SETTING), { rules: [], problems: [] });
  });

  test('a non-array value is one problem naming the setting and the expected shape', () => {
    const { rules, problems } = parseRules({ label: 'NEGATIVE' }, SETTING);
    assert.deepEqual(rules, []);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /distilbertInspector\.diagnostics\.rules must be an array/);
  });

  test('bad entries are dropped one by one, each problem names its index and what is wrong; good ones stay', () => {
    const { rules, problems } = parseRules(
      [
        'NEGATIVE',
        { label: 'NEGATIVE', minProbability: 1.5, severity: 'warning' },
        { label: '', minProbability: 0.5 },
        { label: 'NEGATIVE', minProbability: 0.5, severity: 'fatal' },
        { label: 'NEGATIVE', minProbability: '0.5' },
        { label: 'NEGATIVE', minProbability: 0.5, treshold: 1 },
        { label: 'POSITIVE', minProbability: 0.8, severity: 'information' },
        { label: 'NEGATIVE', minProbability: Number.NaN },
        { label: 'NEGATIVE', minProbability: 0.5, message: 3 },
      ],
      SETTING,
    );
    assert.deepEqual(rules, [{ label: 'POSITIVE', minProbability: 0.8, severity: 'information' }]);
    assert.equal(problems.length, 8);
    assert.match(problems[0]!, /rules\[0\] must be an object/);
    assert.match(problems[1]!, /rules\[1\] is ignored: "minProbability" must be a number from 0 to 1, not 1\.5/);
    assert.match(problems[2]!, /rules\[2\] is ignored: "label"/);
    assert.match(
      problems[3]!,
      /rules\[3\] is ignored: "severity" must be one of "error", "warning", "information", "hint", not "fatal"/,
    );
    assert.match(problems[4]!, /rules\[4\] is ignored: "minProbability" .* not "0\.5"/);
    assert.match(problems[5]!, /rules\[5\] is ignored: unknown key\(s\) "treshold"/);
    assert.match(problems[6]!, /rules\[7\] is ignored: "minProbability"/);
    assert.match(problems[7]!, /rules\[8\] is ignored: "message" must be a string/);
  });
});

describe('rulesForModel', () => {
  const model = { name: 'sst2', labels: ['NEGATIVE', 'POSITIVE'], problemType: 'single_label_classification' as const };

  test("a rule naming a label the model lacks is dropped with the model's labels listed", () => {
    const rules: DiagnosticRule[] = [
      { label: 'NEGATIVE', minProbability: 0.9, severity: 'warning' },
      { label: 'TOXIC', minProbability: 0.5, severity: 'error' },
      { label: 'negative', minProbability: 0.5, severity: 'error' },
    ];
    const { rules: usable, problems } = rulesForModel(rules, model, SETTING);
    assert.deepEqual(usable, [rules[0]]);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /names the label "TOXIC", but the model sst2 has the labels "NEGATIVE", "POSITIVE"/);
    assert.ok(problems[0]!.includes(SETTING));
    assert.match(problems[1]!, /case-sensitive: did you mean "NEGATIVE"\?/);
  });

  test('a regression model takes no rules, and says why', () => {
    const { rules, problems } = rulesForModel(
      [{ label: 'LABEL_0', minProbability: 0.5, severity: 'warning' }],
      { name: 'stsb', labels: ['LABEL_0'], problemType: 'regression' },
      SETTING,
    );
    assert.deepEqual(rules, []);
    assert.match(problems[0]!, /regression model/);
  });
});

describe('evaluate', () => {
  const neg90: DiagnosticRule = { label: 'NEGATIVE', minProbability: 0.9, severity: 'warning' };

  test('one finding per window that reaches the threshold (>=), over the window\'s own range, with "window i of n"', () => {
    const windows = [
      win(0, 100, { NEGATIVE: 0.95, POSITIVE: 0.05 }),
      win(60, 160, { NEGATIVE: 0.9, POSITIVE: 0.1 }), // overlaps window 1: its own finding, not merged
      win(120, 220, { NEGATIVE: 0.899, POSITIVE: 0.101 }),
      win(180, 250, { NEGATIVE: 0.2, POSITIVE: 0.8 }),
    ];
    const f = evaluate({ windows }, [neg90]);
    assert.deepEqual(
      f.map((x) => [x.start, x.end, x.label, x.probability, x.windowIndex, x.windowCount, x.severity]),
      [
        [0, 100, 'NEGATIVE', 0.95, 0, 4, 'warning'],
        [60, 160, 'NEGATIVE', 0.9, 1, 4, 'warning'],
      ],
    );
    assert.equal(f[0]!.message, 'NEGATIVE 95.0% (rule: NEGATIVE ≥ 90%) — window 1 of 4');
    assert.equal(f[1]!.message, 'NEGATIVE 90.0% (rule: NEGATIVE ≥ 90%) — window 2 of 4');
  });

  test('a rule fires on its label even when another label wins the window (threshold below 0.5)', () => {
    const f = evaluate({ windows: [win(0, 10, { NEGATIVE: 0.3, POSITIVE: 0.7 })] }, [
      { label: 'NEGATIVE', minProbability: 0.25, severity: 'hint' },
    ]);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.probability, 0.3);
  });

  test('several rules on one label: the highest threshold that fires wins, so a window gives one finding per label', () => {
    const rules: DiagnosticRule[] = [
      { label: 'NEGATIVE', minProbability: 0.7, severity: 'information' },
      { label: 'NEGATIVE', minProbability: 0.95, severity: 'error', message: 'Far too negative' },
      { label: 'NEGATIVE', minProbability: 0.9, severity: 'warning' },
    ];
    const f = evaluate(
      {
        windows: [
          win(0, 5, { NEGATIVE: 0.97 }),
          win(5, 9, { NEGATIVE: 0.92 }),
          win(9, 12, { NEGATIVE: 0.8 }),
          win(12, 20, { NEGATIVE: 0.5 }),
        ],
      },
      rules,
    );
    assert.deepEqual(
      f.map((x) => [x.windowIndex, x.severity, x.rule.minProbability]),
      [
        [0, 'error', 0.95],
        [1, 'warning', 0.9],
        [2, 'information', 0.7],
      ],
    );
    assert.equal(f[0]!.message, 'Far too negative: NEGATIVE 97.0% (rule: NEGATIVE ≥ 95%) — window 1 of 4');
  });

  test('equal thresholds on one label: the more severe rule wins', () => {
    const f = evaluate({ windows: [win(0, 5, { NEGATIVE: 0.97 })] }, [
      { label: 'NEGATIVE', minProbability: 0.9, severity: 'hint' },
      { label: 'NEGATIVE', minProbability: 0.9, severity: 'error' },
    ]);
    assert.deepEqual(
      f.map((x) => x.severity),
      ['error'],
    );
  });

  test('multi-label: different labels fire independently on the same window', () => {
    const f = evaluate({ windows: [win(0, 30, { TOXIC: 0.8, INSULT: 0.7, SPAM: 0.1 })] }, [
      { label: 'TOXIC', minProbability: 0.5, severity: 'error' },
      { label: 'INSULT', minProbability: 0.5, severity: 'warning' },
      { label: 'SPAM', minProbability: 0.5, severity: 'warning' },
    ]);
    assert.deepEqual(
      f.map((x) => [x.label, x.severity]),
      [
        ['TOXIC', 'error'],
        ['INSULT', 'warning'],
      ],
    );
  });

  test('no rules, or no windows, give no findings', () => {
    assert.deepEqual(evaluate({ windows: [win(0, 5, { NEGATIVE: 1 })] }, []), []);
    assert.deepEqual(evaluate({ windows: [] }, [neg90]), []);
  });

  test('threshold formatting keeps up to two decimals of the percentage', () => {
    assert.equal(
      findingMessage('A', 0.12345, { label: 'A', minProbability: 0.925, severity: 'hint' }, 0, 1),
      'A 12.3% (rule: A ≥ 92.5%) — window 1 of 1',
    );
    assert.equal(
      findingMessage('A', 1, { label: 'A', minProbability: 0, severity: 'hint' }, 2, 3),
      'A 100.0% (rule: A ≥ 0%) — window 3 of 3',
    );
  });
});

describe('evaluate on a real multi-label (sigmoid) model', () => {
  let inspector: Inspector;
  before(async () => {
    isolateHome();
    inspector = await Inspector.open({
      modelDir: path.join(FIXTURES, 'tiny-distilbert-o17-multilabel'),
      cacheDir: tempDir('dbi-diag-cache-'),
      threads: 1,
    });
  });
  after(() => inspector?.dispose());

  test('findings are exactly the windows whose sigmoid(logit) reaches each rule, recomputed here from the logits', async () => {
    const text = 'The plot is thin and the acting is wooden. '.repeat(4) + 'A warm, funny and wise film. '.repeat(4);
    const ins = await inspector.inspect(text, { windowTokens: 16, overlap: 4 });
    assert.equal(ins.model.problemType, 'multi_label_classification');
    assert.ok(ins.windows.length >= 4, `${ins.windows.length} windows`);
    const labels = ins.model.labels;
    // Thresholds halfway between two middle window probabilities of each label, so some windows fire and
    // some do not, and none sits on the threshold (where float32 vs float64 rounding would decide).
    const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
    const rules: DiagnosticRule[] = labels.map((label, li) => {
      const ps = ins.windows.map((w) => sigmoid(w.logits[li]!)).sort((a, b) => a - b);
      const k = Math.floor(ps.length / 2);
      return { label, minProbability: (ps[k - 1]! + ps[k]!) / 2, severity: 'warning' };
    });
    const checked = rulesForModel(rules, ins.model, SETTING);
    assert.deepEqual(checked.problems, []);
    const got = evaluate(ins, checked.rules).map((f) => `${f.windowIndex}:${f.label}:${f.start}-${f.end}`);
    const want: string[] = [];
    ins.windows.forEach((w, i) => {
      labels.forEach((label, li) => {
        if (sigmoid(w.logits[li]!) >= rules[li]!.minProbability) want.push(`${i}:${label}:${w.start}-${w.end}`);
      });
    });
    assert.deepEqual(got, want);
    assert.ok(got.length > 0 && got.length < ins.windows.length * labels.length, `${got.length} findings`);
    // Several labels fire on one window somewhere: sigmoid labels are independent.
    const perWindow = new Map<string, number>();
    for (const g of got) perWindow.set(g.split(':')[0]!, (perWindow.get(g.split(':')[0]!) ?? 0) + 1);
    assert.ok(
      [...perWindow.values()].some((c) => c > 1),
      'some window fires more than one label',
    );
  });
});
