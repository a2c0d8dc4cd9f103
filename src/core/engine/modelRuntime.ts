// A loaded model: tokenizer, tapped ONNX graph and one reused ONNX Runtime session (plus, for an int8 graph's long
// windows, the single-thread sessions of lanes.ts). Runs inside the worker thread (ONNX Runtime's Node binding
// computes on the calling thread); windowResults.ts turns the fetched taps into results. The attribution runs
// (occlusionRun.ts, explainRun.ts) drive it through runLogits and call.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type * as Ort from 'onnxruntime-node';
import type { PassGraphKind } from '../attribution/occlusion';
import { InspectorError } from '../errors';
import { HEAD_NAMES } from '../model/modelConfig';
import { resolveModelFolder } from '../model/modelFolder';
import { loadOrt, openSession } from './ortRuntime';
import { feedArrays, makeBatches } from './batches';
import { prepareAttentionModel } from '../onnx/attentionTaps';
import { prepareTappedModel, type HeadWeights, type TapPlan } from '../onnx/taps';
import { checkWindowOptions, coveredChars, planWindows } from '../text/windows';
import { TextTokenizer, padBatch } from '../tokenizer/textTokenizer';
import type { Encoding, Inspection, ModelInfo, WindowResult } from '../types';
import type { ClassifyManyRequest, InspectRequest, LoadInfo, LoadRequest, RowBlock } from './messages';
import { LANE_MIN_PASS_TOKENS, LANE_MIN_TOKENS, LANE_MIN_WINDOWS, LaneSlot, Lanes, type LaneFeeds } from './lanes';
import { openPassGraph, type PassGraph } from './passGraph';
import { aggregate, readRows, windowResult, type Fetched, type Row } from './windowResults';

/** Called between ONNX calls; throws to stop (cancellation). */
export type Checkpoint = (done: number, total: number) => Promise<void>;

/** Receives each window's result as soon as its batch has run. */
export type WindowSink = (index: number, window: WindowResult) => void;

export class ModelRuntime {
  private constructor(
    readonly info: LoadInfo,
    readonly tokenizer: TextTokenizer,
    private readonly session: Ort.InferenceSession,
    private readonly plan: TapPlan,
    private readonly weights: HeadWeights,
    private readonly threads: number,
  ) {
    this.lanes = new LaneSlot(info.tappedPath, threads);
  }

  /** False for dynamically quantized graphs: run one sequence per call (see TapPlan.batchInvariant). */
  get batchInvariant(): boolean {
    return this.plan.batchInvariant;
  }

  private attention: Promise<{ session: Ort.InferenceSession; outputs: string[] }> | undefined;
  /** Single-thread sessions side by side for an int8 graph's long windows (see lanes.ts); opened on first use. */
  private readonly lanes: LaneSlot;
  /** The passes copy (see passGraph.ts), opened on the first passes; undefined inside: they run on the full graph. */
  private passes: Promise<PassGraph | undefined> | undefined;
  /** Why the passes run on the full graph, when they do. */
  passesNote: string | undefined;

  static async load(req: LoadRequest): Promise<ModelRuntime> {
    const t0 = performance.now();
    const folder = resolveModelFolder(req.modelDir, req.variant);
    const { config } = folder;
    const tokenizer = TextTokenizer.fromFolder(folder.dir);
    if (tokenizer.vocabSize > config.vocabSize) {
      throw new InspectorError(
        'TOKENIZER_MISMATCH',
        `${folder.tokenizerPath} has ${tokenizer.vocabSize} tokens but ${folder.configPath} says the embedding has vocab_size ${config.vocabSize}.`,
        'The tokenizer belongs to another model: copy the tokenizer.json that was saved with this model.',
      );
    }
    const tapped = await prepareTappedModel(folder.onnxPath, req.cacheDir, {
      expectedLayers: config.nLayers,
      headKind: config.headKind,
    });
    if (tapped.plan.head.dim !== config.dim || tapped.plan.head.numLabels !== config.labels.length) {
      throw new InspectorError(
        'MODEL_CONFIG_INVALID',
        `${folder.onnxPath} has a head of dim ${tapped.plan.head.dim} with ${tapped.plan.head.numLabels} labels, but ${folder.configPath} says dim ${config.dim} with ${config.labels.length} labels.`,
        'config.json and the ONNX file come from different models; export them together.',
      );
    }
    const threads = req.threads > 0 ? req.threads : Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
    const session = await openSession(tapped.path, threads, folder.onnxPath);
    const model: ModelInfo = {
      name: folder.name,
      path: folder.dir,
      architecture: config.architecture,
      labels: config.labels,
      problemType: config.problemType,
      dim: config.dim,
      nLayers: config.nLayers,
      maxLength: config.maxLength,
      onnxFile: folder.onnxPath,
      variant: folder.variant,
      variantReason: folder.variantReason,
      dropout: config.seqClassifDropout,
      head: {
        kind: config.headKind,
        activation: tapped.plan.head.activation,
        ...HEAD_NAMES[config.headKind],
        denseParams: config.dim * config.dim + config.dim,
        classifierParams: config.labels.length * config.dim + config.labels.length,
        denseOp: tapped.plan.head.preClassifierOp,
        classifierOp: tapped.plan.head.classifierOp,
        quantized: tapped.plan.head.quantized,
      },
    };
    const info: LoadInfo = {
      model,
      tappedPath: tapped.path,
      fromCache: tapped.fromCache,
      loadMs: performance.now() - t0,
      tokenizerVocab: tokenizer.vocabSize,
      headDescription: tapped.plan.head.description,
    };
    return new ModelRuntime(info, tokenizer, session, tapped.plan, tapped.weights, threads);
  }

  /** The attention copy's session, opened on first use (see onnx/attentionTaps.ts); a failure is retried next time. */
  attentionSession(): Promise<{ session: Ort.InferenceSession; outputs: string[] }> {
    const { onnxFile, head, nLayers } = this.info.model;
    this.attention ??= prepareAttentionModel(onnxFile, this.info.tappedPath, head?.kind, nLayers).then(
      async (plan) => ({
        session: await openSession(plan.path, this.threads, onnxFile),
        outputs: plan.outputs,
      }),
    );
    this.attention.catch(() => (this.attention = undefined));
    return this.attention;
  }

  async inspect(req: InspectRequest, checkpoint: Checkpoint, onWindow?: WindowSink): Promise<Inspection> {
    const t0 = performance.now();
    const { model } = this.info;
    checkWindowOptions(req.windowTokens, req.overlap, model.maxLength);
    const pieces = this.tokenizer.tokenize(req.text);
    if (pieces.length === 0) {
      throw new InspectorError(
        'EMPTY_TEXT',
        'The text has no tokens the model can read.',
        'Classify text with words in it.',
      );
    }
    const plans = planWindows(pieces, req.windowTokens, req.overlap, req.mode);
    const encodings = plans.map((p) =>
      this.tokenizer.encodePieces(pieces.slice(p.first, p.last), req.windowTokens, p.end, p.start),
    );
    const t1 = performance.now();

    const windows = new Array<WindowResult>(plans.length);
    // Dynamically quantized graphs scale activations over the whole batch: one window per call keeps a
    // window's result independent of its neighbours.
    const batches = makeBatches(encodings, this.plan.batchInvariant ? req.batchTokens : 0);
    const head = { model, weights: this.weights, activation: this.plan.head.activation };
    let done = 0;
    const runBatch = async (batch: number[], lanes?: Lanes) => {
      await checkpoint(done, plans.length);
      const seqs = batch.map((i) => encodings[i]!);
      const rows = await this.run(seqs, req.tokenLens === true, lanes);
      batch.forEach((w, r) => {
        windows[w] = windowResult(
          head,
          plans[w]!,
          encodings[w]!,
          rows[r]!,
          plans[w]!.last < pieces.length && req.mode === 'truncate',
          req.topUnits,
        );
        onWindow?.(w, windows[w]!);
      });
      done += batch.length;
    };
    const long = encodings.some((e) => e.ids.length >= LANE_MIN_TOKENS);
    const lanes = long && this.useLanes(batches.length, this.lanes) ? await this.lanes.open() : undefined;
    if (lanes) await lanes.each(batches, (batch) => runBatch(batch, lanes));
    else for (const batch of batches) await runBatch(batch);
    await checkpoint(done, plans.length);
    const t2 = performance.now();

    return {
      model,
      windows,
      aggregate: aggregate(windows, model),
      coverage: {
        textLength: req.text.length,
        coveredChars: coveredChars(plans),
        complete: plans[plans.length - 1]!.last === pieces.length,
        tokens: pieces.length,
        windowTokens: req.windowTokens,
        stride: req.windowTokens - 2 - req.overlap,
        coveredEnd: plans[plans.length - 1]!.end,
      },
      timing: { tokenizeMs: t1 - t0, inferenceMs: t2 - t1, totalMs: performance.now() - t0 },
    };
  }

  /**
   * Dataset mode: many short texts, each read up to its first `windowTokens` tokens, batched across texts
   * under the token budget. Returns only the vectors the dataset views use, as flat Float32Arrays (row-major,
   * one row per text), never per-token detail.
   */
  async classifyMany(req: ClassifyManyRequest, checkpoint: Checkpoint): Promise<RowBlock> {
    const { dim, nLayers, labels } = this.info.model;
    const n = req.texts.length;
    const encodings = req.texts.map((t) => this.tokenizer.encode(t, req.windowTokens));
    const block: RowBlock = {
      count: n,
      logits: new Float32Array(n * labels.length),
      cls: new Float32Array(n * dim),
      pre: new Float32Array(n * dim),
      act: new Float32Array(n * dim),
      layers: new Float32Array(n * nLayers * dim),
      tokens: Int32Array.from(encodings, (e) => e.ids.length),
      truncated: Uint8Array.from(encodings, (e) => (e.truncated ? 1 : 0)),
    };
    const o = this.plan.outputs;
    const batches = makeBatches(encodings, this.plan.batchInvariant ? req.batchTokens : 0);
    const fetches = [o.logits, o.cls, o.preClassifier, o.relu, ...o.layers];
    let done = 0;
    const runBatch = async (batch: number[], lanes?: Lanes) => {
      await checkpoint(done, n);
      const seqs = batch.map((i) => encodings[i]!);
      const out = await this.callOn(lanes, seqs, fetches);
      const copy = (name: string, into: Float32Array, width: number, offset: (i: number) => number) => {
        const data = out[name]!.data as Float32Array;
        batch.forEach((i, r) => into.set(data.subarray(r * width, (r + 1) * width), offset(i)));
      };
      copy(o.logits, block.logits, labels.length, (i) => i * labels.length);
      copy(o.cls, block.cls, dim, (i) => i * dim);
      copy(o.preClassifier, block.pre, dim, (i) => i * dim);
      copy(o.relu, block.act, dim, (i) => i * dim);
      o.layers.forEach((name, l) => copy(name, block.layers, dim, (i) => (i * nLayers + l) * dim));
      done += batch.length;
    };
    // An int8 graph runs one text per call: side by side on the lanes, as occlusion's passes.
    const lanes = await this.passLanes(batches.length, encodings, this.lanes);
    if (lanes) await lanes.each(batches, (batch) => runBatch(batch, lanes));
    else for (const batch of batches) await runBatch(batch);
    await checkpoint(done, n);
    return block;
  }

  /**
   * One ONNX call fetching only the logits (on a lane when given, else on the passes copy's session when given, else
   * on the tapped session): one small tensor to copy out, not every tap.
   */
  async runLogits(batch: { ids: number[] }[], lanes?: Lanes, passes?: PassGraph): Promise<number[][]> {
    const name = passes?.logits ?? this.plan.outputs.logits;
    const call = (session?: Ort.InferenceSession) => this.callOn(lanes, batch, [name], session);
    const t = (lanes || !passes ? await call() : await passes.session.use(call))[name]!;
    const width = t.dims[t.dims.length - 1]!;
    return batch.map((_, r) => Array.from((t.data as Float32Array).subarray(r * width, (r + 1) * width)));
  }

  /**
   * The logits of many sequences (occlusion's and the explanations' passes), batched under `batchTokens` where the
   * graph allows; an int8 graph runs one sequence per call, and then side by side on the lanes. `before(done)` runs
   * before each call (the caller's cancellation checkpoint). Returns the rows in order and the number of calls.
   */
  async logitsOfMany(
    seqs: { ids: number[] }[],
    batchTokens: number,
    before: (done: number) => Promise<void>,
  ): Promise<{ logits: number[][]; calls: number; passGraph: PassGraphKind }> {
    const out = new Array<number[]>(seqs.length);
    const batches = makeBatches(seqs, this.plan.batchInvariant ? batchTokens : 0);
    let done = 0;
    let passes = seqs.length > 0 ? await this.passGraph(seqs[0]!) : undefined;
    const lanes = await this.passLanes(batches.length, seqs, passes?.lanes ?? this.lanes);
    if (passes && !lanes && !(await passes.session.reopen())) {
      // The copy's session was released after idling and its file no longer loads (a cleared cache): forgotten,
      // so the next run makes it again; this one runs on the full graph.
      this.passes = undefined;
      passes = undefined;
    }
    const runBatch = async (batch: number[]) => {
      await before(done);
      const rows = await this.runLogits(
        batch.map((i) => seqs[i]!),
        lanes,
        passes,
      );
      batch.forEach((v, r) => (out[v] = rows[r]!));
      done += batch.length;
    };
    if (lanes) await lanes.each(batches, runBatch);
    else for (const batch of batches) await runBatch(batch);
    return { logits: out, calls: batches.length, passGraph: passes ? 'cls-only' : 'full' };
  }

  /**
   * Whether a run of `count` calls may go to side-by-side lanes: int8 graphs (one sequence per call), more than one
   * core, enough calls to pay for opening them.
   */
  private useLanes(count: number, slot: LaneSlot): boolean {
    // The lanes open a cached file; if it was removed since the load, the session (which holds the graph) runs.
    return !this.plan.batchInvariant && this.threads > 1 && count >= LANE_MIN_WINDOWS && fs.existsSync(slot.file);
  }

  /** The lanes for `count` short calls (passes, dataset texts) when they pay for their opening (about a session
   * load): LANE_MIN_PASS_TOKENS read in all, or lanes open already. */
  private async passLanes(count: number, seqs: { ids: number[] }[], slot: LaneSlot): Promise<Lanes | undefined> {
    const tokens = seqs.reduce((n, e) => n + e.ids.length, 0);
    const worth = slot.isOpen || tokens >= LANE_MIN_PASS_TOKENS;
    return worth && this.useLanes(count, slot) ? slot.open() : undefined;
  }

  /** The passes copy, opened and checked against the full graph on `sample` the first time passes run. */
  private passGraph(sample: { ids: number[] }): Promise<PassGraph | undefined> {
    const { onnxFile, head, nLayers } = this.info.model;
    const logitsOf = async (session: Ort.InferenceSession, name: string) =>
      (await this.call([sample], [name], session))[name]!.data as Float32Array;
    this.passes ??= openPassGraph(
      {
        onnxFile,
        tappedPath: this.info.tappedPath,
        headKind: head?.kind,
        nLayers,
        threads: this.threads,
        quantized: !this.plan.batchInvariant,
        fullLogits: () => logitsOf(this.session, this.plan.outputs.logits),
        copyLogits: logitsOf,
      },
      (why) => (this.passesNote = why),
    );
    return this.passes;
  }

  /** One ONNX call on a lane when given, else on `session` (the tapped one by default). */
  private callOn(
    lanes: Lanes | undefined,
    batch: { ids: number[] }[],
    fetches: string[],
    session = this.session,
  ): Promise<Fetched> {
    return lanes ? lanes.run(this.feedArrays(batch), fetches) : this.call(batch, fetches, session);
  }

  /** The graph's inputs for a padded batch, as int64 arrays by input name. */
  feedArrays(batch: { ids: number[] }[]): LaneFeeds {
    return feedArrays(padBatch(batch, this.tokenizer.padId), this.plan.inputNames);
  }

  /** One ONNX call of `session` (the tapped model's by default) on a padded batch. */
  async call(
    batch: { ids: number[] }[],
    fetches: string[],
    session = this.session,
  ): Promise<Ort.InferenceSession.ReturnType> {
    const ort = loadOrt();
    const feeds: Record<string, Ort.Tensor> = {};
    for (const [name, f] of Object.entries(this.feedArrays(batch)))
      feeds[name] = new ort.Tensor('int64', f.data, f.dims);
    try {
      return await session.run(feeds, fetches);
    } catch (err) {
      throw new InspectorError(
        'INFERENCE_FAILED',
        `ONNX Runtime failed: ${(err as Error).message}`,
        'See the log; try a shorter window.',
      );
    }
  }

  /**
   * One ONNX call for a batch (on a lane when given, else on the session); returns per-row stages and logits (and
   * every position's final hidden state when asked).
   */
  private async run(batch: Encoding[], allPositions: boolean, lanes?: Lanes): Promise<Row[]> {
    const o = this.plan.outputs;
    const fetches = [
      o.logits,
      o.cls,
      o.preClassifier,
      o.relu,
      o.embeddings,
      ...o.layers,
      ...(o.classifierInput ? [o.classifierInput] : []),
    ];
    if (allPositions) fetches.push(o.hiddenStates);
    return readRows(await this.callOn(lanes, batch, fetches), batch, o, allPositions);
  }

  async dispose(): Promise<void> {
    await this.lanes.close();
    const passes = await this.passes;
    this.passes = undefined;
    await passes?.lanes.close();
    await passes?.session.release();
    await this.session.release();
    const attention = await this.attention?.catch(() => undefined);
    await attention?.session.release();
  }
}
