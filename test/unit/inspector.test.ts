// End to end through the worker thread: every tapped stage of every fixture against torch's own values.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, FIXTURE_NAMES, isolateHome, maxAbsDiff, readReference, tempDir } from './helpers';

isolateHome();
import { Inspector, InspectorError } from '../../src/core/inspector';
import { WORKER_NICE } from '../../src/core/engine/workerPriority';

// torch vs ONNX Runtime on the same fp32 graph: reference.json states 1e-4 absolute.
for (const name of FIXTURE_NAMES) {
  describe(`inspector on ${name}`, () => {
    const dir = path.join(FIXTURES, name);
    const ref = readReference(dir);
    let inspector: Inspector;
    before(async () => {
      inspector = await Inspector.open({ modelDir: dir, cacheDir: tempDir('dbi-cache-'), threads: 1 });
    });
    after(() => inspector.dispose());

    it('reads labels and problem type from config.json', () => {
      assert.deepEqual(inspector.model.labels, ref.labels);
      assert.equal(inspector.model.problemType, ref.problemType);
    });

    for (const [i, c] of ref.cases.entries()) {
      it(`case ${i} matches torch at every stage (${JSON.stringify(c.text.slice(0, 30))})`, async () => {
        const ins = await inspector.inspect(c.text, { mode: 'truncate' });
        const w = ins.windows[0]!;
        assert.deepEqual(
          w.tokens.map((t) => t.id),
          c.ids,
          'token ids',
        );
        assert.equal(ins.coverage.complete, !c.truncated);
        assert.equal(w.truncated, c.truncated);
        const tol = ref.tolerance;
        assert.ok(maxAbsDiff(w.stages.cls, c.cls) <= tol, `cls ${maxAbsDiff(w.stages.cls, c.cls)}`);
        assert.ok(maxAbsDiff(w.stages.preClassifier, c.preClassifier) <= tol, 'pre_classifier');
        assert.ok(maxAbsDiff(w.stages.activation, c.relu) <= tol, 'relu');
        assert.equal(w.stages.layers.length, c.layers.length);
        c.layers.forEach((l, k) => assert.ok(maxAbsDiff(w.stages.layers[k]!, l) <= tol, `layer ${k}`));
        assert.ok(maxAbsDiff(w.logits, c.logits) <= tol, 'logits');
        assert.ok(
          maxAbsDiff(
            ref.labels.map((l) => w.probabilities[l]!),
            c.probabilities,
          ) <= tol,
          'probabilities',
        );
        // The decomposition must add up to the logits ONNX Runtime computed (float32 sums: 1e-5).
        ref.labels.forEach((l, k) => {
          const d = w.contributions[l]!;
          const sum = d.bias + d.units.reduce((s, x) => s + x, 0);
          assert.ok(Math.abs(sum - w.logits[k]!) <= 1e-5, `contributions of ${l}: ${sum} vs ${w.logits[k]}`);
        });
        assert.equal(w.head.zeroedUnits, c.relu.filter((x) => x === 0).length);
      });
    }

    it('windows cover a long text completely, and batching with padding changes nothing', async () => {
      const text = ref.cases
        .map((c) => c.text)
        .join(' ')
        .repeat(3);
      const one = await inspector.inspect(text, { windowTokens: 32, overlap: 8, batchTokens: 32 });
      const batched = await inspector.inspect(text, { windowTokens: 32, overlap: 8, batchTokens: 4096 });
      assert.ok(one.windows.length > 3);
      assert.ok(one.coverage.complete);
      assert.equal(one.windows[0]!.start, text.search(/\S/));
      assert.equal(one.windows.at(-1)!.end, text.trimEnd().length);
      for (let k = 1; k < one.windows.length; k++)
        assert.ok(one.windows[k]!.start < one.windows[k - 1]!.end, 'windows overlap');
      for (const w of one.windows) assert.ok(w.tokenCount <= 32);
      one.windows.forEach((w, k) => {
        const b = batched.windows[k]!;
        assert.deepEqual([b.start, b.end], [w.start, w.end]);
        assert.ok(maxAbsDiff(w.logits, b.logits) <= 1e-4, `window ${k}: padded batch differs`);
        assert.ok(maxAbsDiff(w.stages.cls, b.stages.cls) <= 1e-4);
      });
      // The aggregate is the token-weighted mean of the windows' logits.
      const total = one.windows.reduce((s, w) => s + w.tokenCount, 0);
      ref.labels.forEach((_, k) => {
        const mean = one.windows.reduce((s, w) => s + w.logits[k]! * w.tokenCount, 0) / total;
        assert.ok(Math.abs(one.aggregate.logits[k]! - mean) < 1e-9);
      });
    });
  });
}

describe('inspector errors and cancellation', () => {
  const dir = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
  let inspector: Inspector;
  before(async () => {
    inspector = await Inspector.open({ modelDir: dir, cacheDir: tempDir('dbi-cache-'), threads: 1 });
  });
  after(() => inspector.dispose());

  it('rejects empty text and bad window options with codes', async () => {
    await assert.rejects(inspector.inspect('   '), (e: InspectorError) => e.code === 'EMPTY_TEXT');
    await assert.rejects(
      inspector.inspect('fine text', { windowTokens: 65 }),
      (e: InspectorError) => e.code === 'BAD_OPTION',
    );
  });

  it('a cancelled request rejects with CANCELLED and the next one still works', async () => {
    const ctrl = new AbortController();
    const long = 'a gorgeous , witty , seductive movie . '.repeat(2000);
    const p = inspector.inspect(long, { windowTokens: 16, overlap: 0, batchTokens: 16, signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 20);
    await assert.rejects(p, (e: InspectorError) => e.code === 'CANCELLED');
    const ok = await inspector.inspect('a witty movie');
    assert.equal(ok.windows.length, 1);
  });

  it('reads 1 MB of text completely, in windows', async () => {
    const sentence = 'the acting , costumes , music , cinematography and sound are all astounding . ';
    const text = sentence.repeat(Math.ceil((1024 * 1024) / sentence.length));
    const ins = await inspector.inspect(text);
    assert.ok(ins.coverage.complete);
    assert.ok(ins.windows.length > 1000, `${ins.windows.length} windows`);
    assert.equal(ins.windows.at(-1)!.end, text.trimEnd().length);
  });

  it('reports progress for multi-window texts', async () => {
    const seen: number[] = [];
    const ins = await inspector.inspect('a witty movie . '.repeat(200), {
      windowTokens: 16,
      overlap: 2,
      onProgress: (d) => seen.push(d),
    });
    assert.ok(seen.length >= 2);
    assert.equal(seen.at(-1), ins.windows.length);
  });
});

// Inference must not compete with the caller's event loop for the cores: the worker thread and the ONNX Runtime
// threads it starts run at a lower priority (Linux only; elsewhere the call would lower the whole process).
describe('inference runs at a lower priority than the caller', { skip: process.platform !== 'linux' }, () => {
  const niceOf = (task: string) =>
    Number(fs.readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
  const tasks = () => new Map(fs.readdirSync('/proc/self/task').map((t) => [t, niceOf(t)]));

  it('lowers the worker and its ONNX Runtime pool threads, not the calling thread', async () => {
    const before = tasks();
    const mainNice = niceOf(String(process.pid));
    const inspector = await Inspector.open({
      modelDir: path.join(FIXTURES, 'tiny-distilbert-o17-gemm'),
      cacheDir: tempDir('dbi-cache-'),
      threads: 2,
    });
    try {
      await inspector.inspect('a witty movie');
      const lowered = [...tasks()].filter(([t, n]) => !before.has(t) && n === Math.min(19, mainNice + WORKER_NICE));
      // The worker thread itself plus at least one intra-op pool thread (threads: 2 = the caller + one pool thread).
      assert.ok(lowered.length >= 2, `threads at nice ${mainNice + WORKER_NICE}: ${lowered.length} of ${tasks().size}`);
      assert.equal(niceOf(String(process.pid)), mainNice, 'the calling thread keeps its priority');
    } finally {
      await inspector.dispose();
    }
  });
});
