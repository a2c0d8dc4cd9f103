// Side-by-side lanes (src/core/engine/lanes.ts): an int8 graph's long windows run on single-thread sessions in
// worker threads. Every window must come out as the one-session path computes it (the same graph, one window per
// call), whichever lane ran it and in whatever order the lanes finished.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ModelRuntime, type Checkpoint } from '../../src/core/engine/modelRuntime';
import { runOcclusion } from '../../src/core/engine/occlusionRun';
import { runExplain } from '../../src/core/engine/explainRun';
import type { LaneSlot } from '../../src/core/engine/lanes';
import type { PassGraph } from '../../src/core/engine/passGraph';
import { InspectorError } from '../../src/core/errors';
import { Inspector } from '../../src/core/inspector';
import type { Inspection } from '../../src/core/types';
import { BUNDLED, ROOT, isolateHome, tempDir } from './helpers';

isolateHome();
const CACHE = tempDir('lanes-cache-');
after(() => fs.rmSync(CACHE, { recursive: true, force: true }));

/** About 2,600 word pieces of varied words: five 512-token windows. */
function longText(): string {
  const words = [
    'a',
    'gorgeous',
    'witty',
    'dull',
    'movie',
    'with',
    'no',
    'charm',
    'but',
    'great',
    'acting',
    'and',
    'the',
    'plot',
    'is',
    'thin',
    'yet',
    'moving',
    'boring',
    'script',
    'of',
    'heart',
    'bad',
    'fine',
  ];
  let seed = 7;
  const out: string[] = [];
  for (let i = 0; i < 2400; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out.push(words[seed % words.length]!);
    if (i % 17 === 16) out.push('.');
  }
  return out.join(' ');
}

const noCheck: Checkpoint = async () => undefined;
const req = (text: string) => ({
  text,
  windowTokens: 512,
  overlap: 64,
  mode: 'windows' as const,
  batchTokens: 1024,
  topUnits: 5,
});
type Inside = { lanes: LaneSlot; passes?: Promise<PassGraph | undefined> };
/** Whether any lanes are open: the tapped graph's or the passes copy's. */
async function lanesOpen(rt: ModelRuntime): Promise<boolean> {
  const inside = rt as unknown as Inside;
  return inside.lanes.isOpen || ((await inside.passes)?.lanes.isOpen ?? false);
}
/** The passes copy in use, if any (see passGraph.ts). */
const passesOf = (rt: ModelRuntime) => (rt as unknown as Inside).passes;

/** The same runtime with lanes turned off: one sequence (or window) per call on the 2-thread session. */
function sessionOnly(rt: ModelRuntime): ModelRuntime {
  const plain = Object.create(rt) as ModelRuntime;
  (plain as unknown as { useLanes: () => boolean }).useLanes = () => false;
  return plain;
}

/** `fn` on a freshly loaded int8 runtime (no lanes open yet), disposed afterwards; `cacheDir` removed if given. */
async function withInt8Runtime(fn: (rt: ModelRuntime) => Promise<void>, cacheDir?: string): Promise<void> {
  const rt = await ModelRuntime.load({ modelDir: BUNDLED, cacheDir: cacheDir ?? CACHE, threads: 2, variant: 'int8' });
  try {
    await fn(rt);
  } finally {
    await rt.dispose();
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Largest |a - b| over every window's logits and tapped stages. */
function maxDiff(a: Inspection, b: Inspection): number {
  assert.equal(a.windows.length, b.windows.length);
  let d = 0;
  const cmp = (x: number[], y: number[]) => {
    assert.equal(x.length, y.length);
    x.forEach((v, i) => (d = Math.max(d, Math.abs(v - y[i]!))));
  };
  a.windows.forEach((w, k) => {
    const v = b.windows[k]!;
    assert.equal(w.start, v.start);
    assert.equal(w.end, v.end);
    cmp(w.logits, v.logits);
    cmp(w.stages.cls, v.stages.cls);
    cmp(w.stages.preClassifier, v.stages.preClassifier);
    cmp(w.stages.activation, v.stages.activation);
    w.stages.layers.forEach((l, i) => cmp(l, v.stages.layers[i]!));
    cmp(w.stages.embeddings!, v.stages.embeddings!);
  });
  return d;
}

describe("lanes: an int8 graph's long windows side by side", () => {
  let rt: ModelRuntime;
  before(async () => {
    rt = await ModelRuntime.load({ modelDir: BUNDLED, cacheDir: CACHE, threads: 2, variant: 'int8' });
  });
  after(async () => {
    await rt.dispose();
  });

  it('runs a long file on lanes and gives every window exactly what one session gives it', async () => {
    assert.equal(rt.batchInvariant, false, 'the bundled int8 graph is dynamically quantized');
    const text = longText();
    const viaLanes = await rt.inspect(req(text), noCheck);
    assert.ok(viaLanes.windows.length >= 4, `${viaLanes.windows.length} windows`);
    assert.ok(await lanesOpen(rt), 'the run opened lanes');
    const viaSession = await sessionOnly(rt).inspect(req(text), noCheck);
    assert.equal(maxDiff(viaLanes, viaSession), 0);
    assert.deepEqual(viaLanes.aggregate, viaSession.aggregate);
  });

  it('keeps a short text on the session', async () => {
    await withInt8Runtime(async (fresh) => {
      await fresh.inspect(req('a gorgeous, witty, seductive movie'), noCheck);
      assert.equal(await lanesOpen(fresh), false);
    });
  });

  it('stops at a cancel between windows and runs again afterwards', async () => {
    const text = longText();
    let calls = 0;
    const cancelAtThird: Checkpoint = async () => {
      if (++calls === 3) throw new InspectorError('CANCELLED', 'cancelled', '');
    };
    await assert.rejects(rt.inspect(req(text), cancelAtThird), (e: InspectorError) => e.code === 'CANCELLED');
    const again = await rt.inspect(req(text), noCheck);
    assert.ok(again.windows.every((w) => w !== undefined && w.logits.length === 2));
  });
});

describe("lanes: an int8 graph's occlusion and explanation passes side by side", () => {
  const short =
    'a gorgeous , witty , seductive movie with no charm but great acting , and a thin plot that is yet moving';
  // ~70 tokens: its ~67 passes read ~4,600 tokens, over LANE_MIN_PASS_TOKENS.
  const text = [short, short.split(' ').reverse().join(' '), short].join(' . ');

  it('runs occlusion passes on lanes, each pass exactly what one session gives it', async () => {
    await withInt8Runtime(async (rt) => {
      const occ = { text, unit: 'word' as const, windowTokens: 512, batchTokens: 1024, faithfulness: true };
      const viaLanes = await runOcclusion(rt, occ, noCheck);
      assert.ok(await lanesOpen(rt), 'short passes opened lanes too');
      assert.ok(await passesOf(rt), 'the passes ran on the [CLS]-only copy');
      assert.ok(viaLanes.items.length >= 15, `${viaLanes.items.length} words`);
      const viaSession = await runOcclusion(sessionOnly(rt), occ, noCheck);
      assert.deepEqual(viaLanes.baselineLogits, viaSession.baselineLogits);
      assert.deepEqual(
        viaLanes.items.map((it) => it.logits),
        viaSession.items.map((it) => it.logits),
      );
      assert.deepEqual(viaLanes.faithfulness, viaSession.faithfulness);
      // One sequence per call either way: an int8 graph's activation scales span the batch.
      assert.equal(viaLanes.batches, viaLanes.forwardPasses);
      const shap = {
        text,
        method: 'shap' as const,
        windowTokens: 512,
        batchTokens: 1024,
        budget: 64,
        faithfulness: false,
      };
      const a = await runExplain(rt, shap, noCheck);
      const b = await runExplain(sessionOnly(rt), shap, noCheck);
      assert.deepEqual(a.items, b.items);
    });
  });

  it("runs a dataset's texts on lanes, every vector exactly what one session gives", async () => {
    await withInt8Runtime(async (rt) => {
      const words = text.split(' ');
      const texts = Array.from({ length: 150 }, (_, i) => words.slice(i % 40, (i % 40) + 8 + (i % 13)).join(' '));
      const req = { texts, windowTokens: 128, batchTokens: 1024 };
      const viaLanes = await rt.classifyMany(req, noCheck);
      assert.ok(await lanesOpen(rt), 'the texts opened lanes');
      const viaSession = await sessionOnly(rt).classifyMany(req, noCheck);
      for (const k of ['logits', 'cls', 'pre', 'act', 'layers', 'tokens'] as const)
        assert.deepEqual(viaLanes[k], viaSession[k], k);
    });
  });

  it("keeps a short text's few passes on the session while no lanes are open", async () => {
    await withInt8Runtime(async (rt) => {
      await runOcclusion(rt, { text: short, unit: 'word', windowTokens: 512, batchTokens: 1024 }, noCheck);
      assert.equal(await lanesOpen(rt), false);
    });
  });

  it('stops at a cancel between passes and runs again afterwards', async () => {
    await withInt8Runtime(async (rt) => {
      const occ = { text, unit: 'word' as const, windowTokens: 512, batchTokens: 1024 };
      let calls = 0;
      const cancelAtFifth: Checkpoint = async () => {
        if (++calls === 5) throw new InspectorError('CANCELLED', 'cancelled', '');
      };
      await assert.rejects(runOcclusion(rt, occ, cancelAtFifth), (e: InspectorError) => e.code === 'CANCELLED');
      const again = await runOcclusion(rt, occ, noCheck);
      assert.ok(again.items.every((it) => it.logits.length === 2));
    });
  });
});

describe('lanes that cannot open', () => {
  it('leave the run on the session when the tapped file is gone', async () => {
    await withInt8Runtime(async (rt) => {
      fs.rmSync(rt.info.tappedPath);
      const r = await rt.inspect(req(longText()), noCheck);
      assert.ok(r.windows.length >= 4 && r.windows.every((w) => w.logits.length === 2));
      assert.equal(await lanesOpen(rt), false);
    }, tempDir('lanes-gone-'));
  });
});

describe('lanes that fail to open', () => {
  it('leave occlusion and a long file on the sessions (graph files ONNX Runtime cannot load)', async () => {
    await withInt8Runtime(async (rt) => {
      // A short occlusion opens the passes copy's session (no lanes); then the files break. The sessions already
      // hold their graphs; only the lanes read the files again.
      await runOcclusion(rt, { text: 'a witty movie', unit: 'word', windowTokens: 512, batchTokens: 1024 }, noCheck);
      const passes = await passesOf(rt);
      assert.ok(passes);
      fs.writeFileSync(passes.lanes.file, 'not an onnx file');
      fs.writeFileSync(rt.info.tappedPath, 'not an onnx file');
      const words = longText().split(' ').slice(0, 90).join(' ');
      const occ = await runOcclusion(rt, { text: words, unit: 'word', windowTokens: 512, batchTokens: 1024 }, noCheck);
      assert.ok(occ.items.length >= 60 && occ.items.every((it) => it.logits.length === 2));
      const r = await rt.inspect(req(longText()), noCheck);
      assert.ok(r.windows.length >= 4 && r.windows.every((w) => w.logits.length === 2));
      assert.equal(await lanesOpen(rt), false);
    }, tempDir('lanes-broken-'));
  });
});

describe('lanes in the webpack bundle (what the extension runs)', () => {
  it('dist/worker.js finds dist/laneWorker.js and gives the same windows as the tsc build', async () => {
    const dist = path.join(ROOT, 'dist', 'worker.js');
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'laneWorker.js')), 'build first: npx webpack --mode development');
    const bundled = await Inspector.open({
      modelDir: BUNDLED,
      cacheDir: CACHE,
      threads: 2,
      variant: 'int8',
      workerPath: dist,
    });
    const direct = await ModelRuntime.load({ modelDir: BUNDLED, cacheDir: CACHE, threads: 2, variant: 'int8' });
    try {
      const text = longText();
      const a = await bundled.inspect(text, { windowTokens: 512, overlap: 64 });
      const b = await direct.inspect(req(text), noCheck);
      assert.ok(await lanesOpen(direct), 'the direct run used lanes');
      assert.equal(maxDiff(a, b), 0);
    } finally {
      await bundled.dispose();
      await direct.dispose();
    }
  });
});
