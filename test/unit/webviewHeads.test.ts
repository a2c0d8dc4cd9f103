// Each head named in its own terms (DistilBERT pre_classifier + ReLU, BERT bert.pooler.dense + tanh, RoBERTa
// classifier.dense + tanh -> classifier.out_proj) and the comparison card, on consistent fixture Inspections.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDom } from './webviewHarness/linkedom';
import { makeInspection } from './webviewHarness/inspection';

const document = installDom();
import { renderApp, type ViewCallbacks } from '../../src/webview/view';
import { readPalette } from '../../src/webview/theme';
import type { HeadKind, Inspection } from '../../src/core/types';
import type { PersistedState } from '../../src/shared/protocol';

function render(ins: Inspection): HTMLElement {
  const st: PersistedState = {
    version: 1,
    panel: {
      newest: 1,
      view: {
        kind: 'result',
        requestId: 1,
        inspection: ins,
        source: { uri: 'file:///w/a.txt', fileName: 'a.txt', baseOffset: 0, selection: true },
      },
    },
    selectedWindow: 0,
  };
  const cb: ViewCallbacks = {
    selectWindow: () => {},
    reveal: () => {},
    exportJson: () => {},
    compareVariants: () => {},
  };
  const root = renderApp(st, readPalette(), cb);
  document.getElementById('app')!.replaceChildren(root);
  return root;
}

const el = (root: ParentNode, id: string): Element => {
  const e = root.querySelector(`[data-testid="${id}"]`);
  assert.ok(e, `missing [data-testid=${id}]`);
  return e;
};
const title = (root: ParentNode, id: string): string => el(root, id).querySelector('h3')?.textContent ?? '';

const cases: Array<{ kind: HeadKind; first: string; dense: string; act: string; classifier: string }> = [
  { kind: 'distilbert', first: '[CLS]', dense: 'pre_classifier', act: 'ReLU', classifier: 'classifier' },
  { kind: 'bert', first: '[CLS]', dense: 'bert.pooler.dense', act: 'tanh', classifier: 'classifier' },
  { kind: 'roberta', first: '<s>', dense: 'classifier.dense', act: 'tanh', classifier: 'classifier.out_proj' },
];

for (const c of cases) {
  test(`${c.kind}: stages are named ${c.dense} -> ${c.act} -> ${c.classifier}`, () => {
    const root = render(makeInspection({ head: c.kind, dim: 32 }));
    assert.equal(title(root, 'stage-cls'), `${c.first} entering ${c.dense}`);
    assert.equal(title(root, 'stage-pre-classifier'), `${c.dense} (dense)`);
    assert.equal(title(root, 'stage-relu'), c.act);
    assert.equal(title(root, 'stage-classifier'), `${c.classifier} → logits → probabilities`);
    assert.ok((el(root, 'stage-classifier').textContent ?? '').includes(`${c.classifier} = Linear(32, 2)`));
    // Other families' layer names appear only in the comparison card, never in this model's stages.
    const others = cases.filter((o) => o.kind !== c.kind && o.dense !== c.dense).map((o) => o.dense);
    for (const id of ['stage-cls', 'stage-pre-classifier', 'stage-relu']) {
      const text = el(root, id).querySelector('header')?.textContent ?? '';
      for (const o of others) assert.ok(!text.includes(o), `${id} header mentions ${o}: ${text}`);
    }
  });
}

test('tanh heads show saturation (|x| > 0.99) instead of zeroed units, counted from the vector', () => {
  for (const kind of ['bert', 'roberta'] as const) {
    const ins = makeInspection({ head: kind, dim: 40, seed: 3 });
    const act = ins.windows[0]!.stages.activation;
    const sat = act.filter((x) => Math.abs(x) > 0.99).length;
    assert.ok(sat > 0 && sat < 40, `fixture has some saturated units (${sat})`);
    const root = render(ins);
    assert.equal(el(root, 'saturated').textContent, `${sat} of 40`);
    assert.equal(el(root, 'stage-relu').querySelector('[data-testid="zeroed"]'), null);
    assert.ok((el(root, 'stage-relu').textContent ?? '').includes('none is zeroed'));
  }
  const relu = render(makeInspection({ head: 'distilbert', dim: 40, seed: 3 }));
  assert.equal(el(relu, 'stage-relu').querySelector('[data-testid="saturated"]'), null);
  assert.ok(el(relu, 'zeroed'));
});

test('the comparison card: one row per family, this model marked, pretrained only for BERT, counts from the model dim', () => {
  for (const c of cases) {
    const dim = 24;
    const labels = ['a', 'b', 'c'];
    const root = render(makeInspection({ head: c.kind, dim, labels }));
    const card = el(root, 'head-comparison');
    const rows = Array.from(card.querySelectorAll('tbody tr'));
    assert.deepEqual(
      rows.map((r) => r.getAttribute('data-head')),
      ['distilbert', 'bert', 'roberta'],
    );
    const current = rows.filter((r) => r.getAttribute('aria-current') === 'true');
    assert.equal(current.length, 1);
    assert.equal(current[0]!.getAttribute('data-head'), c.kind);
    assert.match(current[0]!.textContent ?? '', /this model/);
    for (const r of rows) {
      const cells = Array.from(r.querySelectorAll('td')).map((td) => td.textContent ?? '');
      const kind = r.getAttribute('data-head');
      assert.equal(cells[1], kind === 'distilbert' ? 'ReLU' : 'tanh', `${kind} activation`);
      assert.match(cells[2]!, kind === 'bert' ? /^yes/ : /^no/, `${kind} pretrained`);
      assert.equal(cells[3], (dim * dim + dim).toLocaleString('en-US'));
      assert.equal(cells[4], (labels.length * dim + labels.length).toLocaleString('en-US'));
    }
    const hrefs = Array.from(card.querySelectorAll('a')).map((a) => a.getAttribute('href') ?? '');
    for (const f of ['modeling_distilbert.py', 'modeling_bert.py', 'modeling_roberta.py']) {
      assert.ok(
        hrefs.some((h) => h.endsWith(f)),
        `link to ${f}`,
      );
    }
    assert.match(card.textContent ?? '', /next-sentence prediction/);
  }
});

test('an Inspection without model.head (older exports) renders as DistilBERT', () => {
  const root = render(makeInspection({ dim: 16 }));
  assert.equal(title(root, 'stage-pre-classifier'), 'pre_classifier (dense)');
  assert.equal(
    el(root, 'head-comparison').querySelector('tr[aria-current="true"]')?.getAttribute('data-head'),
    'distilbert',
  );
});
