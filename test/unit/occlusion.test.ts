// Occlusion attributions against an independent reference: for every word (or piece) of a text, the ids that
// @huggingface/tokenizers itself produces with that word's positions deleted, run one row per call through a
// plain ONNX Runtime session on the ORIGINAL (untapped) fixture graph. Tolerance: 1e-4 absolute on logits and
// probabilities (float32 graphs; the core batches rows with padding, the reference does not). The int8 fixture's
// passes run the [CLS]-only passes copy, whose last block quantizes over the [CLS] row alone (passesCopy.ts):
// against the full int8 graph they are held to TOL_INT8 (measured 0.050; the int8 graph itself is 0.085 from fp32).
// Word grouping is checked against a hand-written table, separately from the numbers.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BUNDLED, FIXTURES, isolateHome, maxAbsDiff, tempDir } from './helpers';

isolateHome();
import { Tokenizer } from '@huggingface/tokenizers';
import type * as Ort from 'onnxruntime-node';
import { groupTokens, itemSpan, type OcclusionResult, type OcclusionUnit } from '../../src/core/attribution/occlusion';
import { Inspector, InspectorError } from '../../src/core/inspector';
import { TextTokenizer } from '../../src/core/tokenizer/textTokenizer';
import { loadOrt } from '../../src/core/engine/ortRuntime';

const TOL = 1e-4;
/** The int8 fixture's passes copy vs its full graph: 0.050 measured (ModelRuntime's check allows 0.1 x (1 + |logit|)). */
const TOL_INT8 = 0.1;
const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

// ---- word grouping: a hand-written table ------------------------------------------------------------------

/** Text -> the items a person expects, in order. The same for every tokenizer (they group by offsets). */
const WORDS: [string, string[]][] = [
  [
    "A café 😀 didn't work... really great movie!",
    ['A', 'café', '😀', "didn't", 'work', '...', 'really', 'great', 'movie', '!'],
  ],
  ['(naïve) U.S.A. state-of-the-art', ['(', 'naïve', ')', 'U.S.A', '.', 'state-of-the-art']],
  ['  leading and  double\tspaces\n', ['leading', 'and', 'double', 'spaces']],
  ['Ångström ünïcödé 👍🏽!!', ['Ångström', 'ünïcödé', '👍🏽', '!!']],
  ['"quoted," she said.', ['"', 'quoted', ',"', 'she', 'said', '.']],
];

const TOKENIZERS: [string, string][] = [
  ['WordPiece fixture', path.join(FIXTURES, 'tiny-distilbert-o17-gemm')],
  ['WordPiece bundled', BUNDLED],
  ['byte-level BPE (RoBERTa) fixture', path.join(FIXTURES, 'tiny-roberta-o17')],
];

/** Char ranges of `words` found in order in `text` (the table's expectation, located by hand-free search). */
function locate(text: string, words: string[]): { start: number; end: number }[] {
  let at = 0;
  return words.map((w) => {
    const start = text.indexOf(w, at);
    assert.ok(start >= 0, `${w} in ${text}`);
    at = start + w.length;
    return { start, end: at };
  });
}

describe('occlusion word grouping (hand-written table)', () => {
  for (const [name, dir] of TOKENIZERS) {
    const tok = TextTokenizer.fromFolder(dir);
    for (const [text, words] of WORDS) {
      it(`${name}: ${JSON.stringify(text)}`, () => {
        const enc = tok.encode(text, 512);
        const groups = groupTokens(enc.tokens, text, 'word');
        const spans = groups.map((g) => itemSpan(enc.tokens, g, text));
        assert.deepEqual(
          spans.map((s) => s.text),
          words,
          `tokens: ${enc.tokens.map((t) => t.text).join(' ')}`,
        );
        assert.deepEqual(
          spans.map(({ start, end }) => ({ start, end })),
          locate(text, words),
        );
        // Every non-special piece in exactly one word, in order; specials in none.
        const flat = groups.flat();
        assert.deepEqual(
          flat,
          enc.tokens.map((t, i) => (t.special ? -1 : i)).filter((i) => i >= 0),
        );
      });
    }
    it(`${name}: 'piece' makes one item per non-special token`, () => {
      const text = WORDS[0]![0];
      const enc = tok.encode(text, 512);
      const groups = groupTokens(enc.tokens, text, 'piece');
      assert.deepEqual(
        groups,
        enc.tokens.flatMap((t, i) => (t.special ? [] : [[i]])),
      );
    });
  }

  it('WordPiece continuations ("##") join their word; a written [CLS]/[SEP] is never an item', () => {
    const tok = TextTokenizer.fromFolder(BUNDLED);
    const text = '[CLS] unbelievably [SEP] good';
    const enc = tok.encode(text, 512);
    const groups = groupTokens(enc.tokens, text, 'word', new Set([tok.clsId, tok.sepId, tok.padId]));
    assert.deepEqual(
      groups.map((g) => itemSpan(enc.tokens, g, text).text),
      ['unbelievably', 'good'],
    );
    const unbelievably = groups[0]!.map((i) => enc.tokens[i]!.text);
    assert.ok(
      unbelievably.length > 1 && unbelievably.slice(1).every((p) => p.startsWith('##')),
      unbelievably.join(' '),
    );
  });
});

// ---- numbers: brute force through ONNX Runtime directly -------------------------------------------------

function probabilities(logits: number[], problemType: string): number[] {
  if (problemType === 'multi_label_classification') return logits.map((x) => 1 / (1 + Math.exp(-x)));
  if (problemType === 'regression') return logits.slice();
  const m = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

class Reference {
  private constructor(
    private readonly session: Ort.InferenceSession,
    private readonly lib: Tokenizer,
    readonly tok: TextTokenizer,
    readonly problemType: string,
  ) {}

  static async open(dir: string, onnx = 'model.onnx'): Promise<Reference> {
    const session = await loadOrt().InferenceSession.create(path.join(dir, 'onnx', onnx), { intraOpNumThreads: 1 });
    const lib = new Tokenizer(
      readJson(path.join(dir, 'tokenizer.json')) as object,
      readJson(path.join(dir, 'tokenizer_config.json')) as object,
    );
    const config = readJson(path.join(dir, 'config.json')) as { problem_type?: string };
    return new Reference(
      session,
      lib,
      TextTokenizer.fromFolder(dir),
      config.problem_type ?? 'single_label_classification',
    );
  }

  /** The library's own ids ([CLS] ... [SEP]) for a text that fits one window. */
  ids(text: string): number[] {
    return this.lib.encode(text).ids;
  }

  async logits(ids: number[]): Promise<number[]> {
    const dims = [1, ids.length];
    const feeds: Record<string, Ort.Tensor> = {};
    for (const name of this.session.inputNames) {
      const data =
        name === 'input_ids'
          ? BigInt64Array.from(ids.map(BigInt))
          : name === 'attention_mask'
            ? new BigInt64Array(ids.length).fill(1n)
            : new BigInt64Array(ids.length);
      feeds[name] = new (loadOrt().Tensor)('int64', data, dims);
    }
    const out = await this.session.run(feeds);
    return Array.from(out[this.session.outputNames[0]!]!.data as Float32Array);
  }

  /**
   * Token positions (into the library's ids) to delete for each expected item, found from char ranges: the
   * pieces inside the word, plus (byte-level BPE) whitespace-only pieces between the previous word and it,
   * and after the last word.
   */
  positions(text: string, unit: OcclusionUnit, words: string[] | undefined): number[][] {
    const pieces = this.tok.tokenize(text);
    if (unit === 'piece') return pieces.map((_, i) => [i + 1]);
    const ranges = locate(text, words!);
    return ranges.map((w, k) => {
      const from = k === 0 ? 0 : ranges[k - 1]!.end;
      const to = k === ranges.length - 1 ? Infinity : w.end;
      return pieces.flatMap((p, i) => {
        const blank = text.slice(p.start, p.end).trim() === '';
        return (p.start >= w.start && p.end <= w.end) || (blank && p.start >= from && p.end <= to) ? [i + 1] : [];
      });
    });
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

async function checkAgainstReference(
  result: OcclusionResult,
  ref: Reference,
  text: string,
  unit: OcclusionUnit,
  words?: string[],
  TOL = 1e-4,
): Promise<void> {
  const ids = ref.ids(text);
  assert.deepEqual(
    result.tokens.map((t) => t.id),
    ids,
    "the window is the library's encoding",
  );
  const base = await ref.logits(ids);
  assert.ok(maxAbsDiff(result.baselineLogits, base) <= TOL, `baseline ${result.baselineLogits} vs ${base}`);
  const positions = ref.positions(text, unit, words);
  assert.equal(result.items.length, positions.length, 'one item per expected word/piece');
  assert.equal(result.forwardPasses, positions.length + 1);
  const baseProbs = probabilities(base, ref.problemType);
  for (const [k, drop] of positions.entries()) {
    const item = result.items[k]!;
    assert.deepEqual(item.tokenIndices, drop, `item ${k} (${item.text}) removes the positions of its characters`);
    assert.equal(item.text, text.slice(item.start, item.end));
    const variant = ids.filter((_, i) => !drop.includes(i));
    const logits = await ref.logits(variant);
    assert.ok(maxAbsDiff(item.logits, logits) <= TOL, `item ${k} (${item.text}): ${item.logits} vs ${logits}`);
    const delta = logits.map((x, i) => x - base[i]!);
    assert.ok(maxAbsDiff(item.deltaLogits, delta) <= TOL, `item ${k} delta logits`);
    const dp = probabilities(logits, ref.problemType).map((p, i) => p - baseProbs[i]!);
    assert.ok(maxAbsDiff(item.deltaProbabilities, dp) <= TOL, `item ${k} delta probabilities`);
  }
}

const MODELS: { name: string; variant?: 'quantized' }[] = [
  { name: 'tiny-distilbert-o17-gemm' },
  { name: 'tiny-distilbert-o14-matmul' },
  { name: 'tiny-distilbert-o17-multilabel' },
  { name: 'tiny-bert-o17' },
  { name: 'tiny-roberta-o17' },
  { name: 'tiny-distilbert-o17-int8', variant: 'quantized' },
];

for (const m of MODELS) {
  describe(`occlusion on ${m.name}${m.variant ? ' (int8)' : ''} vs a brute-force ONNX Runtime loop`, () => {
    const dir = path.join(FIXTURES, m.name);
    let inspector: Inspector;
    let ref: Reference;
    before(async () => {
      inspector = await Inspector.open({
        modelDir: dir,
        cacheDir: tempDir('dbi-occl-cache-'),
        threads: 1,
        variant: m.variant ?? 'fp32',
      });
      ref = await Reference.open(dir, m.variant ? 'model_quantized.onnx' : 'model.onnx');
    });
    after(async () => {
      await inspector.dispose();
      await ref.release();
    });

    for (const [text, words] of WORDS.slice(0, 3)) {
      it(`words of ${JSON.stringify(text)}`, async () => {
        const r = await inspector.occlude(text);
        assert.equal(r.unit, 'word');
        assert.equal(r.method, 'removed');
        assert.equal(r.passGraph, 'cls-only', 'every fixture export gets the [CLS]-only passes copy');
        assert.deepEqual(r.labels, inspector.model.labels);
        assert.ok(r.coverage.complete);
        assert.equal(r.coverage.coveredEnd, text.length);
        await checkAgainstReference(r, ref, text, 'word', words, m.variant ? TOL_INT8 : TOL);
        if (m.variant === 'quantized') assert.equal(r.batches, r.forwardPasses, 'int8 graphs run one row per call');
        else assert.ok(r.batches < r.forwardPasses, 'fp32 passes are batched');
      });
    }

    it('pieces of a text with accents and an emoji', async () => {
      const text = WORDS[0]![0];
      const r = await inspector.occlude(text, { unit: 'piece' });
      assert.equal(r.unit, 'piece');
      await checkAgainstReference(r, ref, text, 'piece', undefined, m.variant ? TOL_INT8 : TOL);
    });
  });
}

describe('occlusion limits, errors and cancellation', () => {
  const dir = path.join(FIXTURES, 'tiny-distilbert-o17-gemm');
  let inspector: Inspector;
  let ref: Reference;
  before(async () => {
    inspector = await Inspector.open({ modelDir: dir, cacheDir: tempDir('dbi-occl-cache-'), threads: 1 });
    ref = await Reference.open(dir);
  });
  after(async () => {
    await inspector.dispose();
    await ref.release();
  });

  it("a text longer than the model's window: the first window only, and the coverage says where it stops", async () => {
    const text = Array.from({ length: 40 }, (_, i) => `word${i} is fine.`).join(' ');
    const r = await inspector.occlude(text);
    assert.equal(inspector.model.maxLength, 64);
    assert.equal(r.coverage.windowTokens, 64);
    assert.equal(r.coverage.complete, false);
    assert.ok(r.coverage.textTokens > 64);
    assert.ok(r.coverage.coveredEnd < text.length);
    const kept = ref.tok.tokenize(text).slice(0, 62);
    assert.equal(r.coverage.coveredEnd, kept.at(-1)!.end);
    assert.ok(r.items.every((it) => it.end <= r.coverage.coveredEnd));
    assert.equal(
      r.items.reduce((n, it) => n + it.tokenIndices.length, 0),
      62,
      'every kept piece is in one item',
    );
    // The truncated window's own numbers still match the reference.
    const ids = [ref.tok.clsId, ...kept.map((p) => p.id), ref.tok.sepId];
    const base = await ref.logits(ids);
    assert.ok(maxAbsDiff(r.baselineLogits, base) <= TOL);
    const last = r.items.at(-1)!;
    const variant = ids.filter((_, i) => !last.tokenIndices.includes(i));
    assert.ok(maxAbsDiff(last.logits, await ref.logits(variant)) <= TOL);
  });

  it('a smaller window on request', async () => {
    const r = await inspector.occlude('one two three four five six seven eight nine ten', { windowTokens: 8 });
    assert.equal(r.coverage.windowTokens, 8);
    assert.equal(
      r.items.reduce((n, it) => n + it.tokenIndices.length, 0),
      6,
    );
    assert.equal(r.items[0]!.text, 'one');
    assert.equal(r.coverage.complete, false);
    await assert.rejects(
      inspector.occlude('x y', { windowTokens: 65 }),
      (e: unknown) => e instanceof InspectorError && e.code === 'BAD_OPTION',
    );
  });

  it('one row per call gives the same numbers as the batched run', async () => {
    const text = WORDS[1]![0];
    const batched = await inspector.occlude(text);
    const single = await inspector.occlude(text, { batchTokens: 0 });
    assert.equal(single.batches, single.forwardPasses);
    assert.ok(batched.batches < single.batches);
    batched.items.forEach((it, k) => assert.ok(maxAbsDiff(it.logits, single.items[k]!.logits) <= TOL));
  });

  it('faithfulness on request: each drop recomputed with a plain loop over the reference session (deletion and [MASK])', async () => {
    const text = 'the plot is thin but the actors are wonderful and warm';
    const plain = await inspector.occlude(text);
    assert.equal(plain.faithfulness, undefined, 'not asked, not computed');
    const seen: [number, number][] = [];
    const r = await inspector.occlude(text, { faithfulness: true, onProgress: (d, t) => seen.push([d, t]) });
    const f = r.faithfulness!;
    const y = r.labels.indexOf(r.label);
    const n = r.items.length;
    const ids = [ref.tok.clsId, ...ref.tok.tokenize(text).map((p) => p.id), ref.tok.sepId];
    const prob = async (xs: number[]) => {
      const z = await ref.logits(xs);
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      return e[y]! / e.reduce((a, b) => a + b, 0);
    };
    const p0 = await prob(ids);
    // Rank by the drop of the label's logit when the word is removed (what the card colours), ties by position.
    const support = r.items.map((it) => -it.deltaLogits[y]!);
    const order = support.map((_, i) => i).sort((a, b) => support[b]! - support[a]! || a - b);
    assert.equal(f.label, r.label);
    assert.deepEqual(f.fractions, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    for (const [name, mask] of [
      ['deletion', undefined],
      ['mask', ref.tok.maskId],
    ] as const) {
      const s = name === 'deletion' ? f.deletion : f.mask;
      if (name === 'mask' && mask === undefined) {
        assert.equal(s, undefined);
        continue;
      }
      for (const [i, frac] of f.fractions.entries()) {
        const k = Math.min(n, Math.max(1, Math.round(frac * n)));
        assert.equal(f.counts[i], k);
        const top = new Set(order.slice(0, k).flatMap((j) => r.items[j]!.tokenIndices));
        const take = (drop: (t: number) => boolean) =>
          mask === undefined ? ids.filter((_, t) => !drop(t)) : ids.map((id, t) => (drop(t) ? mask : id));
        const content = (t: number) => t > 0 && t < ids.length - 1;
        const comp = p0 - (await prob(take((t) => top.has(t))));
        const suff = p0 - (await prob(take((t) => content(t) && !top.has(t))));
        assert.ok(
          Math.abs(s!.comprehensiveness[i]! - comp) <= TOL,
          `${name} comprehensiveness at ${frac}: ${s!.comprehensiveness[i]} vs ${comp}`,
        );
        assert.ok(
          Math.abs(s!.sufficiency[i]! - suff) <= TOL,
          `${name} sufficiency at ${frac}: ${s!.sufficiency[i]} vs ${suff}`,
        );
      }
      assert.ok(Math.abs(s!.comprehensivenessAopc - s!.comprehensiveness.reduce((a, b) => a + b) / 9) <= 1e-12);
    }
    assert.equal(f.forwardPasses, f.mask ? 36 : 18);
    assert.equal(r.forwardPasses, n + 1, "the occlusion's own passes stay its own");
    const last = seen.at(-1)!;
    assert.equal(last[0], n + 1 + f.forwardPasses, 'progress counts the faithfulness passes too');
    r.items.forEach((it, k) =>
      assert.ok(maxAbsDiff(it.logits, plain.items[k]!.logits) <= TOL, 'the occlusion itself is unchanged'),
    );
  });

  it('empty, whitespace-only and special-only texts are refused by name', async () => {
    for (const text of ['', '  \n\t']) {
      await assert.rejects(
        inspector.occlude(text),
        (e: unknown) => e instanceof InspectorError && e.code === 'EMPTY_TEXT',
      );
    }
    await assert.rejects(
      inspector.occlude('[CLS] [SEP]'),
      (e: unknown) => e instanceof InspectorError && e.code === 'EMPTY_TEXT' && /only special tokens/.test(e.message),
    );
    await assert.rejects(
      inspector.occlude('\u200b'),
      (e: unknown) => e instanceof InspectorError && e.code === 'EMPTY_TEXT',
    );
    await assert.rejects(
      inspector.occlude('ok', { unit: 'letter' as OcclusionUnit }),
      (e: unknown) => e instanceof InspectorError && e.code === 'BAD_OPTION',
    );
  });

  it('cancels between batches, reports progress in forward passes, and the worker stays usable', async () => {
    const text = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    const controller = new AbortController();
    const seen: [number, number][] = [];
    const run = inspector.occlude(text, {
      batchTokens: 0,
      signal: controller.signal,
      onProgress: (done, total) => {
        seen.push([done, total]);
        if (done >= 3) controller.abort();
      },
    });
    await assert.rejects(run, (e: unknown) => e instanceof InspectorError && e.code === 'CANCELLED');
    assert.ok(seen.length >= 1 && seen.every(([d, t]) => t === seen[0]![1] && d < t), JSON.stringify(seen));
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(
      inspector.occlude(text, { signal: aborted.signal }),
      (e: unknown) => e instanceof InspectorError && e.code === 'CANCELLED',
    );
    const after = await inspector.occlude(text);
    assert.equal(after.items.length, 20);
    assert.equal(after.forwardPasses, 21);
  });
});
