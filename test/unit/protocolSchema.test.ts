// The protocol's schemas are the one declaration of its types and guards. These tests keep them honest: a full
// sample of every message, view and card kind passes (after JSON, as postMessage and setState deliver it), the
// samples cover every case the schemas declare, removing any required field at any depth fails, a field of the
// wrong type fails, and a schema that differs from the core's type does not compile.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { OcclusionResult } from '../../src/core/attribution/occlusion';
import { compareTexts } from '../../src/core/compare/textCompare';
import {
  attentionStateSchema,
  attentionView,
  compareStateSchema,
  explanationStateSchema,
  hostToWebviewSchema,
  occlusionStateSchema,
  reduce,
  viewStateSchema,
  webviewToHostSchema,
  emptyPanelState,
  isViewState,
  type AttentionState,
  type CompareState,
  type ComparedText,
  type ExplanationState,
  type HostToWebview,
  type LiveStatus,
  type ModelNote,
  type OcclusionState,
  type PanelSource,
  type ViewState,
  type VariantRun,
  type WebviewToHost,
} from '../../src/shared/protocol';
import type { Schema } from '../../src/shared/schema';
import { attentionWindow, shapResult } from './webviewHarness/attribution';
import { makeInspection } from './webviewHarness/inspection';
import { withLens } from './webviewHarness/lensFixture';

const inspection = withLens(makeInspection(), { tokenLens: true });
inspection.model.variant = 'fp32';
inspection.model.variantReason = 'the only graph';
inspection.windows[0]!.stages.classifierInput = inspection.windows[0]!.stages.activation;
inspection.windows[0]!.stages.embeddings = inspection.windows[0]!.stages.cls;
const source: PanelSource = { uri: 'file:///w/a.md', fileName: 'a.md', baseOffset: 4, selection: true };
const shap = shapResult();
const occlusion: OcclusionResult = {
  unit: 'word',
  method: 'removed',
  passGraph: 'cls-only',
  labels: shap.labels,
  label: shap.label,
  baselineLogits: shap.baselineLogits,
  baselineProbabilities: shap.baselineProbabilities,
  tokens: shap.tokens,
  items: shap.items.map((it) => ({
    start: it.start,
    end: it.end,
    text: it.text,
    tokenIndices: it.tokenIndices,
    logits: [0.5, -0.5],
    deltaLogits: [-0.5, 0.5],
    deltaProbabilities: [-0.2, 0.2],
  })),
  forwardPasses: 5,
  batches: 2,
  inferenceMs: 10,
  totalMs: 42,
  coverage: shap.coverage,
  faithfulness: shap.faithfulness!,
};
const comparison = compareTexts(makeInspection(), makeInspection({ seed: 11, text: 'A dull film.' }), { topUnits: 3 });
const texts: [ComparedText, ComparedText] = [
  { what: 'selection 1 in a.md', excerpt: 'A gripping film', length: 15, uri: 'file:///w/a.md', start: 0, end: 15 },
  { what: 'the clipboard', excerpt: 'A dull film.', length: 12 },
];
const run = (variant: VariantRun['variant']): VariantRun => ({
  variant,
  onnxFile: `onnx/${variant}.onnx`,
  label: 'POSITIVE',
  logits: [-1, 1],
  probabilities: { NEGATIVE: 0.12, POSITIVE: 0.88 },
  latencyMs: 9,
  inferenceMs: 4,
});
const live: LiveStatus = {
  on: true,
  phase: 'running',
  runs: 2,
  lastLatencyMs: 12,
  note: 'blank line: nothing to classify',
  what: 'the paragraph at lines 3–6 of a.md',
};
const note: ModelNote = { modelPath: '/models/demo', text: 'Demo model, 82% on SST-2', switchTo: 'org/full-size' };

// Mapped types: a kind added to a schema without a sample here fails to compile, and the run-time check below
// compares with the schema's own list of cases.
const compareStates: { [K in CompareState['kind']]: Extract<CompareState, { kind: K }> } = {
  available: { kind: 'available' },
  running: { kind: 'running' },
  done: { kind: 'done', runs: [run('fp32'), run('quantized')] },
  error: { kind: 'error', message: 'no 8-bit graph' },
};
const occlusionStates: { [K in OcclusionState['kind']]: Extract<OcclusionState, { kind: K }> } = {
  running: { kind: 'running', unit: 'piece', done: 1, total: 4 },
  done: { kind: 'done', result: occlusion, latencyMs: 30 },
  cancelled: { kind: 'cancelled' },
  error: { kind: 'error', message: 'worker stopped' },
};
const explanationStates: { [K in ExplanationState['kind']]: Extract<ExplanationState, { kind: K }> } = {
  running: { kind: 'running', method: 'shap', done: 3, total: 500 },
  done: { kind: 'done', result: shap, latencyMs: 40 },
  cancelled: { kind: 'cancelled' },
  error: { kind: 'error', message: 'too long' },
};
const attentionStates: { [K in AttentionState['kind']]: Extract<AttentionState, { kind: K }> } = {
  running: { kind: 'running' },
  done: { kind: 'done', view: attentionView(attentionWindow(4), 1, -1, 3, 4), latencyMs: 8 },
  error: { kind: 'error', message: 'no attention outputs' },
};
const views: { [K in ViewState['kind']]: Extract<ViewState, { kind: K }> } = {
  empty: { kind: 'empty', note: 'Select text and run Inspect' },
  running: { kind: 'running', requestId: 3, what: 'a.md', done: 1, total: 2 },
  result: {
    kind: 'result',
    requestId: 3,
    inspection,
    source,
    compare: compareStates.done,
    occlusion: occlusionStates.done,
    explanation: explanationStates.done,
    attention: attentionStates.done,
    notice: 'the newer run was cancelled',
  },
  error: { kind: 'error', requestId: 4, message: 'model.onnx is missing' },
  comparison: { kind: 'comparison', requestId: 5, comparison, texts, notice: 'kept' },
};
const host: { [K in HostToWebview['type']]: Extract<HostToWebview, { type: K }> } = {
  running: { type: 'running', requestId: 3, what: 'a.md' },
  result: { type: 'result', requestId: 3, inspection, source, compare: compareStates.available },
  error: { type: 'error', requestId: 4, message: 'model.onnx is missing' },
  compare: { type: 'compare', requestId: 3, compare: compareStates.done },
  occlusion: { type: 'occlusion', requestId: 3, occlusion: occlusionStates.done },
  explanation: { type: 'explanation', requestId: 3, explanation: explanationStates.done },
  attention: { type: 'attention', requestId: 3, attention: attentionStates.done },
  comparison: { type: 'comparison', requestId: 5, comparison, texts },
  restore: { type: 'restore', state: { newest: 3, view: views.result } },
  live: { type: 'live', live },
  progress: { type: 'progress', requestId: 3, done: 1, total: 2 },
  modelNote: { type: 'modelNote', note },
};
const fromWebview: { [K in WebviewToHost['type']]: Extract<WebviewToHost, { type: K }> } = {
  ready: { type: 'ready' },
  reveal: { type: 'reveal', start: 2, end: 9 },
  exportJson: { type: 'exportJson' },
  exportMarkdown: { type: 'exportMarkdown' },
  compareVariants: { type: 'compareVariants' },
  occlude: { type: 'occlude', unit: 'word' },
  explain: { type: 'explain', method: 'rollout' },
  attention: { type: 'attention', layer: 1, head: -1 },
  revealCompared: { type: 'revealCompared', side: 1 },
  setLive: { type: 'setLive', on: false },
  tokenLens: { type: 'tokenLens' },
  openModelCard: { type: 'openModelCard' },
  switchModel: { type: 'switchModel' },
};

const unions: [string, Schema<unknown>, Record<string, unknown>][] = [
  ['host -> webview', hostToWebviewSchema, host],
  ['webview -> host', webviewToHostSchema, fromWebview],
  ['view state', viewStateSchema, views],
  ['fp32 / int8 card', compareStateSchema, compareStates],
  ['occlusion card', occlusionStateSchema, occlusionStates],
  ['explanation card', explanationStateSchema, explanationStates],
  ['attention card', attentionStateSchema, attentionStates],
];

type Path = (string | number)[];
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** Every field the schema declares along the sample, at every depth (first item of each array), and whether it is required. */
function fieldsOf(s: Schema<unknown>, v: unknown, at: Path, out: { path: Path; required: boolean }[]): typeof out {
  const inner = (s as { inner?: Schema<unknown> }).inner;
  if (s.optional && inner) return fieldsOf(inner, v, at, out);
  if (v === undefined || v === null) return out;
  const obj = v as Record<string, unknown>;
  if (s.tag && s.cases) {
    const c = s.cases[obj[s.tag] as string];
    return c ? fieldsOf(c, v, at, out) : out;
  }
  if (s.fields) {
    for (const [k, f] of Object.entries(s.fields)) {
      out.push({ path: [...at, k], required: !f.is(undefined) });
      fieldsOf(f, obj[k], [...at, k], out);
    }
  }
  if (s.item && Array.isArray(v) && v.length > 0) fieldsOf(s.item, v[0], [...at, 0], out);
  if (s.items && Array.isArray(v)) s.items.forEach((it, i) => fieldsOf(it, v[i], [...at, i], out));
  return out;
}

/** A JSON copy of `x` with the value at `p` replaced (or removed). */
function changed(x: unknown, p: Path, to: { remove: true } | { value: unknown }): unknown {
  const copy = json(x) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = p[p.length - 1]!;
  if ('remove' in to) delete parent[last];
  else parent[last] = to.value;
  return copy;
}

test('a full sample of every case passes, after JSON too, and the samples cover every case the schemas declare', () => {
  for (const [what, schema, samples] of unions) {
    assert.deepEqual(Object.keys(samples).sort(), Object.keys(schema.cases!).sort(), `${what}: one sample per case`);
    for (const [k, sample] of Object.entries(samples)) {
      assert.ok(schema.is(sample), `${what} ${k}`);
      assert.ok(schema.is(json(sample)), `${what} ${k} after JSON`);
    }
  }
});

test('removing any required field, at any depth, fails the guard; a field of the wrong type fails too', () => {
  let required = 0;
  for (const [what, schema, samples] of unions) {
    for (const [k, sample] of Object.entries(samples)) {
      for (const f of fieldsOf(schema, json(sample), [], [])) {
        const where = `${what} ${k}: ${f.path.join('.')}`;
        if (f.required) {
          required++;
          assert.equal(schema.is(changed(sample, f.path, { remove: true })), false, `${where} removed`);
        }
        assert.equal(schema.is(changed(sample, f.path, { value: { wrong: true } })), false, `${where} = an object`);
      }
    }
  }
  // The walk reaches deep into the samples (inspection windows, lens entries, occlusion items, attention views).
  assert.ok(required > 400, `only ${required} required fields walked`);
});

test('a webview message with any key the protocol does not declare is rejected', () => {
  for (const [k, m] of Object.entries(fromWebview)) {
    assert.equal(webviewToHostSchema.is({ ...m, path: '/etc/passwd' }), false, k);
  }
  assert.ok(webviewToHostSchema.is({ type: 'attention' }), 'attention with no head: open the view');
  assert.ok(webviewToHostSchema.is({ type: 'reveal', windowIndex: 0 }));
  for (const bad of [
    { type: 'attention', layer: 1 },
    { type: 'attention', layer: 1, head: -2 },
    { type: 'attention', layer: 1000, head: 0 },
    { type: 'reveal', windowIndex: 0, start: 0 },
  ]) {
    assert.equal(webviewToHostSchema.is(bad), false, JSON.stringify(bad));
  }
});

test('a host message that sets the view carries exactly the view payload, which reduce passes on unchanged', () => {
  for (const msg of [host.running, host.result, host.error, host.comparison]) {
    const next = reduce(emptyPanelState, msg);
    assert.ok(next && isViewState(next.view), msg.type);
    const { type, ...payload } = msg;
    const { kind, ...view } = next.view as ViewState & Record<string, unknown>;
    assert.equal(kind, type);
    assert.deepEqual(view, payload, type);
  }
});

test('a schema that differs from the core type it checks does not compile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-drift-'));
  const src = path.resolve(__dirname, '../../../src');
  const tsc = path.resolve(__dirname, '../../../node_modules/typescript/bin/tsc');
  const check = (fields: string) => {
    fs.writeFileSync(
      path.join(dir, 'drift.ts'),
      `import { index, num, object, optional, sameType, str, bool, type Infer } from ${JSON.stringify(path.join(src, 'shared/schema'))};\n` +
        `import type { TokenSpan } from ${JSON.stringify(path.join(src, 'core/types'))};\n` +
        `const s = object({ ${fields} });\nsameType<Infer<typeof s>, TokenSpan>(true);\n`,
    );
    const r = spawnSync(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--target',
        'ES2022',
        '--module',
        'commonjs',
        '--types',
        '',
        'drift.ts',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    return { ok: r.status === 0, out: r.stdout + r.stderr };
  };
  try {
    const same = check('id: num, text: str, start: index, end: index, special: bool');
    assert.ok(same.ok, same.out);
    for (const drifted of [
      'id: num, text: str, start: index, end: index',
      'id: num, text: str, start: index, end: index, special: optional(bool)',
      'id: num, text: str, start: index, end: index, special: bool, extra: num',
      'id: str, text: str, start: index, end: index, special: bool',
    ]) {
      const r = check(drifted);
      assert.equal(r.ok, false, drifted);
      assert.match(r.out, /drift\.ts\(4,/, drifted);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
