// The head lens against an independent reference: the head re-read from the ONNX initializers by their Hugging
// Face names and applied in float64 numpy (test/unit/lens_reference.py), never the project's head code. The
// embeddings' [CLS] row and every token's final hidden state are checked against a copy of the original graph
// with those tensors exposed by python's onnx package and run by onnxruntime directly, not through the tapper.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Inspector } from '../../src/core/inspector';
import type { HeadKind, Inspection, WindowResult } from '../../src/core/types';
import { BUNDLED, FIXTURES, ROOT, isolateHome, maxAbsDiff, tempDir } from './helpers';

isolateHome();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

const SCRIPT = path.join(ROOT, 'test', 'unit', 'lens_reference.py');
const TOL = 1e-5;

interface HeadRef {
  results: { logits: number[]; act: number[] }[];
  classifierOnly: number[][];
  classifierWeight: number[][];
}

function python(args: string[], input?: unknown): string {
  return execFileSync('/usr/bin/python3', [SCRIPT, ...args], {
    input: input === undefined ? '' : JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
}

/** The embeddings' output and the last block's output at every position, from the untapped graph. */
async function exposed(
  onnxFile: string,
  kind: HeadKind,
  nLayers: number,
  w: WindowResult,
): Promise<{ embeddings: Float32Array; hidden: Float32Array }> {
  const copy = path.join(tempDir('dbi-lens-ref-'), 'model.onnx');
  const names = JSON.parse(python(['expose', onnxFile, kind, String(nLayers), copy])) as {
    embeddings: string;
    hidden: string;
  };
  const session = await ort.InferenceSession.create(copy, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  try {
    const n = w.tokens.length;
    const ids = new ort.Tensor('int64', BigInt64Array.from(w.tokens.map((t) => BigInt(t.id))), [1, n]);
    const feeds: Record<string, import('onnxruntime-node').Tensor> = {
      input_ids: ids,
      attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
    };
    if (session.inputNames.includes('token_type_ids'))
      feeds['token_type_ids'] = new ort.Tensor('int64', new BigInt64Array(n), [1, n]);
    const out = await session.run(feeds, [names.embeddings, names.hidden]);
    return { embeddings: out[names.embeddings]!.data as Float32Array, hidden: out[names.hidden]!.data as Float32Array };
  } finally {
    await session.release();
  }
}

const softmax = (xs: number[]): number[] => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};
const argmax = (xs: number[]): number => xs.indexOf(Math.max(...xs));

const CASES: { name: string; dir: string; kind: HeadKind; text: string }[] = [
  {
    name: 'bundled DistilBERT (pre_classifier -> ReLU -> classifier)',
    dir: BUNDLED,
    kind: 'distilbert',
    text: "it 's a charming and often affecting journey , but the ending is dull .",
  },
  {
    name: 'BERT fixture (pooler.dense -> tanh -> classifier)',
    dir: path.join(FIXTURES, 'tiny-bert-o17'),
    kind: 'bert',
    text: 'a gorgeous , witty , seductive movie .',
  },
  {
    name: 'RoBERTa fixture (classifier.dense -> tanh -> out_proj)',
    dir: path.join(FIXTURES, 'tiny-roberta-o17'),
    kind: 'roberta',
    text: 'the plot is paper-thin and the acting worse .',
  },
];

for (const c of CASES) {
  describe(`head lens: ${c.name}`, () => {
    let ins: Inspection;
    let w: WindowResult;
    let ref: HeadRef;
    let exp: { embeddings: Float32Array; hidden: Float32Array };
    before(async () => {
      const inspector = await Inspector.open({ modelDir: c.dir, cacheDir: tempDir('dbi-lens-cache-'), threads: 1 });
      try {
        ins = await inspector.inspect(c.text, { tokenLens: true });
      } finally {
        await inspector.dispose();
      }
      w = ins.windows[0]!;
      exp = await exposed(ins.model.onnxFile, c.kind, ins.model.nLayers, w);
      const dim = ins.model.dim;
      const rows = Array.from({ length: w.tokens.length }, (_, t) =>
        Array.from(exp.hidden.subarray(t * dim, (t + 1) * dim)),
      );
      const cls = w.stages.cls;
      const bypassInput = c.kind === 'distilbert' ? cls.map((x) => Math.max(0, x)) : cls.map(Math.tanh);
      ref = JSON.parse(
        python(['head', ins.model.onnxFile, c.kind], {
          vectors: [w.stages.embeddings, ...w.stages.layers, ...rows],
          classifierOnly: [bypassInput, w.stages.preClassifier],
        }),
      ) as HeadRef;
    });

    it('taps the embeddings [CLS] row the graph computes', () => {
      assert.ok(w.stages.embeddings, 'stages.embeddings is tapped');
      assert.ok(maxAbsDiff(w.stages.embeddings, exp.embeddings.subarray(0, ins.model.dim)) < 1e-6);
    });

    it('gives one entry for the embeddings and one per block, each matching the reference within 1e-5', () => {
      const lens = w.lens!;
      assert.deepEqual(
        lens.map((e) => e.layer),
        Array.from({ length: ins.model.nLayers + 1 }, (_, i) => i),
      );
      lens.forEach((e, k) => {
        const r = ref.results[k]!;
        assert.ok(maxAbsDiff(e.logits, r.logits) < TOL, `layer ${k} logits ${e.logits} vs ${r.logits}`);
        assert.ok(maxAbsDiff(e.probabilities, softmax(r.logits)) < TOL, `layer ${k} probabilities`);
        assert.equal(e.label, ins.model.labels[argmax(r.logits)]);
        assert.equal(e.activeUnits, r.act.filter((a) => a !== 0).length, `layer ${k} active units`);
        ins.model.labels.forEach((label, l) => {
          const terms = r.act.map((a, u) => ({ unit: u, value: ref.classifierWeight[l]![u]! * a }));
          const toward = terms
            .filter((t) => t.value > 0)
            .sort((a, b) => b.value - a.value)
            .slice(0, 5);
          const against = terms
            .filter((t) => t.value < 0)
            .sort((a, b) => a.value - b.value)
            .slice(0, 5);
          const got = e.topUnits[label]!;
          assert.deepEqual(
            got.toward.map((t) => t.unit),
            toward.map((t) => t.unit),
            `layer ${k} ${label} toward`,
          );
          assert.deepEqual(
            got.against.map((t) => t.unit),
            against.map((t) => t.unit),
            `layer ${k} ${label} against`,
          );
          assert.ok(
            maxAbsDiff(
              got.toward.map((t) => t.value),
              toward.map((t) => t.value),
            ) < TOL,
          );
        });
      });
      // The last entry reads what the head reads: the window's own logits (ONNX Runtime's fp32) within 1e-4.
      assert.ok(maxAbsDiff(lens[lens.length - 1]!.logits, w.logits) < 1e-4);
      assert.equal(lens[lens.length - 1]!.label, w.label);
    });

    it('says where the label settles', () => {
      const labels = ref.results.slice(0, ins.model.nLayers + 1).map((r) => argmax(r.logits));
      let settle = labels.length - 1;
      while (settle > 0 && labels[settle - 1] === labels[labels.length - 1]) settle--;
      assert.equal(w.lensSettledAt, settle);
    });

    it('applies the head to every token (token lens) and to the two experiments', () => {
      const tl = w.tokenLens!;
      assert.equal(tl.length, w.tokens.length);
      const off = ins.model.nLayers + 1;
      tl.forEach((t, i) => assert.ok(maxAbsDiff(t.logits, ref.results[off + i]!.logits) < TOL, `token ${i}`));
      // Position 0 is [CLS]: the token lens there is the head's own reading.
      assert.ok(maxAbsDiff(tl[0]!.logits, w.logits) < 1e-4);
      const ex = w.experiments!;
      assert.ok(maxAbsDiff(ex.bypassDense.logits, ref.classifierOnly[0]!) < TOL, 'bypass dense');
      assert.ok(maxAbsDiff(ex.noActivation.logits, ref.classifierOnly[1]!) < TOL, 'no activation');
    });
  });
}

describe('head lens is opt-in where it costs', () => {
  it('leaves the token lens out unless asked', async () => {
    const inspector = await Inspector.open({ modelDir: BUNDLED, cacheDir: tempDir('dbi-lens-cache-'), threads: 1 });
    try {
      const w = (await inspector.inspect('a fine film .')).windows[0]!;
      assert.equal(w.tokenLens, undefined);
      assert.equal(w.lens!.length, inspector.model.nLayers + 1);
    } finally {
      await inspector.dispose();
    }
  });
});

describe('the lens kernel', () => {
  it('matches a plain loop for odd and even sizes and any number of vectors', async () => {
    const { linear } = await import('../../src/core/head/lens');
    for (const [n, inDim, outDim] of [
      [1, 5, 3],
      [3, 8, 2],
      [4, 7, 7],
      [9, 33, 4],
      [37, 6, 5],
    ] as const) {
      const W = Float32Array.from({ length: outDim * inDim }, (_, i) => Math.sin(i * 1.7));
      const b = Float32Array.from({ length: outDim }, (_, i) => Math.cos(i));
      const xs = Float64Array.from({ length: n * inDim }, (_, i) => Math.sin(i * 0.3) * 2);
      const got = linear(W, b, xs, n, inDim);
      for (let k = 0; k < n; k++) {
        for (let o = 0; o < outDim; o++) {
          let s = b[o]!;
          for (let i = 0; i < inDim; i++) s += W[o * inDim + i]! * xs[k * inDim + i]!;
          assert.ok(Math.abs(got[k * outDim + o]! - s) < 1e-12, `n ${n} in ${inDim} out ${outDim} at ${k},${o}`);
        }
      }
    }
  });
});
