// The core's front door, used by the CLI, the extension and the benchmarks: open a model folder, inspect texts.
// Inference happens in a worker thread; this object only validates input and forwards requests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineClient } from './engine/engineClient';
import type { LoadInfo, RowBlock } from './engine/messages';
import { InspectorError } from './errors';
import { DEFAULT_TOP_UNITS } from './head/head';
import { prepareCacheDir } from './files';
import type { OnnxVariant } from './model/modelFolder';
import { checkText } from './text/textInput';
import { DEFAULT_OVERLAP, type LongTextMode } from './text/windows';
import type { AttentionResult } from './attribution/attention';
import { DEFAULT_BUDGET, parseMethod, type AttributionMethod, type AttributionResult } from './attribution/explain';
import type { OcclusionResult, OcclusionUnit } from './attribution/occlusion';
import type { Inspection, ModelInfo } from './types';

export { InspectorError } from './errors';

/** Where and how to load a model. */
export interface InspectorOptions {
  modelDir: string;
  /** Tapped graphs are cached here (keyed by the ONNX file's content hash). */
  cacheDir: string;
  /** ONNX Runtime intra-op threads; 0 or undefined = one per core. */
  threads?: number;
  variant?: OnnxVariant;
  /** Path of the compiled worker, when it is not beside this file. */
  workerPath?: string;
}

/** Per-call options. */
export interface InspectOptions {
  /** Tokens per window, [CLS] and [SEP] included; defaults to the model's max length. */
  windowTokens?: number;
  /** Word pieces shared by consecutive windows. */
  overlap?: number;
  /** 'windows' (default) reads the whole text; 'truncate' reads only the first window. */
  mode?: LongTextMode;
  /** Batch x padded length per ONNX call (default BATCH_TOKENS). */
  batchTokens?: number;
  /** Units listed toward / against each label in each window's head.topUnits (1 to the model's dim; default 5). */
  topUnits?: number;
  /** Also the token lens: the head applied to every token's final hidden state (windows[].tokenLens). */
  tokenLens?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Per-call options of an occlusion run. */
export interface OccludeOptions {
  /** 'word' (default): each word's pieces removed together; 'piece': each word piece alone. */
  unit?: OcclusionUnit;
  /** Tokens of the one window occluded, specials included; defaults to the model's max length. */
  windowTokens?: number;
  /** Batch x padded length per ONNX call (default BATCH_TOKENS). */
  batchTokens?: number;
  signal?: AbortSignal;
  /** Forward passes done of the total. */
  onProgress?: (done: number, total: number) => void;
  /** Also score comprehensiveness and sufficiency (default false; at most 36 more passes). */
  faithfulness?: boolean;
}

/** Per-call options of an attention request. */
export interface AttentionOptions {
  windowTokens?: number;
  overlap?: number;
  mode?: LongTextMode;
  /** Keep the full layers x heads x seq x seq matrices, not only the [CLS] rows. */
  full?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Per-call options of an attribution. */
export interface ExplainOptions {
  method: AttributionMethod;
  /** SHAP's bound on forward passes (default 500). */
  budget?: number;
  /** Score comprehensiveness and sufficiency too (default true; 36 more passes). */
  faithfulness?: boolean;
  windowTokens?: number;
  batchTokens?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Units listed toward / against each label unless asked otherwise (defined beside the head's arithmetic). */
export { DEFAULT_TOP_UNITS };

/** Most ONNX Runtime threads accepted (the extension's threads setting has the same maximum). */
export const MAX_THREADS = 64;
/** Batch x padded length per ONNX call; measured best for throughput on 2 cores (see bench/). */
export const BATCH_TOKENS = 1024;

export class Inspector {
  private constructor(
    private readonly client: EngineClient,
    readonly info: LoadInfo,
  ) {}

  get model(): ModelInfo {
    return this.info.model;
  }

  static async open(opts: InspectorOptions): Promise<Inspector> {
    const threads = opts.threads ?? 0;
    if (!Number.isInteger(threads) || threads < 0 || threads > MAX_THREADS) {
      throw new InspectorError(
        'BAD_OPTION',
        `ONNX Runtime threads must be a whole number from 1 to ${MAX_THREADS}, or 0 for one per core; got ${threads}.`,
        'Lower the thread count (CLI: --threads).',
      );
    }
    prepareCacheDir(opts.cacheDir, 'the cache folder of the inspector');
    const client = new EngineClient(opts.workerPath);
    try {
      const info = await client.load({
        modelDir: opts.modelDir,
        cacheDir: opts.cacheDir,
        threads,
        variant: opts.variant ?? 'fp32',
      });
      return new Inspector(client, info);
    } catch (err) {
      await client.dispose();
      throw err;
    }
  }

  inspect(text: string, opts: InspectOptions = {}): Promise<Inspection> {
    const topUnits = opts.topUnits ?? DEFAULT_TOP_UNITS;
    try {
      checkText(text);
      if (!Number.isInteger(topUnits) || topUnits < 1 || topUnits > this.model.dim) {
        throw new InspectorError(
          'BAD_OPTION',
          `Top units per label must be a whole number from 1 to ${this.model.dim} (the units of this model's head); got ${topUnits}.`,
          'CLI: --top K.',
        );
      }
    } catch (err) {
      return Promise.reject(err);
    }
    const windowTokens = opts.windowTokens ?? this.model.maxLength;
    // A short window cannot hold the default overlap; keep a quarter of it instead of failing.
    const overlap = opts.overlap ?? Math.min(DEFAULT_OVERLAP, Math.floor((windowTokens - 2) / 4));
    return this.client.inspect(
      {
        text,
        windowTokens,
        overlap,
        mode: opts.mode ?? 'windows',
        batchTokens: opts.batchTokens ?? BATCH_TOKENS,
        topUnits,
        ...(opts.tokenLens ? { tokenLens: true } : {}),
      },
      opts.signal,
      opts.onProgress,
    );
  }

  /**
   * Which words drove the decision: the logits with each word (or piece) removed, minus the text's own.
   * Covers the first window only (result.coverage says where it stops on a longer text).
   */
  occlude(text: string, opts: OccludeOptions = {}): Promise<OcclusionResult> {
    try {
      checkText(text);
      if (opts.unit !== undefined && opts.unit !== 'word' && opts.unit !== 'piece') {
        throw new InspectorError(
          'BAD_OPTION',
          `Occlusion unit must be 'word' or 'piece'; got ${JSON.stringify(opts.unit)}.`,
          "Pass unit: 'word' or 'piece'.",
        );
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.client.occlude(
      {
        text,
        unit: opts.unit ?? 'word',
        windowTokens: opts.windowTokens ?? this.model.maxLength,
        batchTokens: opts.batchTokens ?? BATCH_TOKENS,
        faithfulness: opts.faithfulness === true,
      },
      opts.signal,
      opts.onProgress,
    );
  }

  /**
   * Attention probabilities of every layer and head over the text's windows ([CLS] rows and rollout; the full
   * matrices with `full`). Opens a second, attention-tapped session on first use; classification is unaffected.
   */
  attention(text: string, opts: AttentionOptions = {}): Promise<AttentionResult> {
    try {
      checkText(text);
    } catch (err) {
      return Promise.reject(err);
    }
    const windowTokens = opts.windowTokens ?? this.model.maxLength;
    const overlap = opts.overlap ?? Math.min(DEFAULT_OVERLAP, Math.floor((windowTokens - 2) / 4));
    return this.client.attention(
      { text, windowTokens, overlap, mode: opts.mode ?? 'windows', full: opts.full ?? false },
      opts.signal,
      opts.onProgress,
    );
  }

  /** A token attribution of the first window by `method`, with its faithfulness (unless `faithfulness: false`). */
  explain(text: string, opts: ExplainOptions): Promise<AttributionResult> {
    try {
      checkText(text);
      parseMethod(opts.method);
    } catch (err) {
      return Promise.reject(
        err instanceof InspectorError
          ? err
          : new InspectorError('BAD_OPTION', (err as Error).message, 'Pick one of the listed methods.'),
      );
    }
    return this.client.explain(
      {
        text,
        method: opts.method,
        windowTokens: opts.windowTokens ?? this.model.maxLength,
        batchTokens: opts.batchTokens ?? BATCH_TOKENS,
        budget: opts.budget ?? DEFAULT_BUDGET,
        faithfulness: opts.faithfulness ?? true,
      },
      opts.signal,
      opts.onProgress,
    );
  }

  /**
   * Dataset mode's primitive: classifies a chunk of texts batched across texts, each read up to its first
   * window, returning only logits, [CLS] per block and the head's activations (see src/core/dataset/run.ts).
   */
  classifyMany(
    texts: string[],
    opts: { batchTokens?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<RowBlock> {
    return this.client.classifyMany(
      { texts, windowTokens: this.model.maxLength, batchTokens: opts.batchTokens ?? BATCH_TOKENS },
      opts.signal,
      opts.onProgress,
    );
  }

  dispose(): Promise<void> {
    return this.client.dispose();
  }
}

/** The bundled default model, found from the package root (works from out/ under tsc and dist/ under webpack). */
export function defaultModelDir(): string {
  return path.join(packageRoot(), 'models', 'distilbert-sst2-small');
}

export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && readName(pkg) === 'distilbert-inspector') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new InspectorError(
        'MODEL_NOT_FOUND',
        `Cannot find the distilbert-inspector package above ${__dirname}.`,
        'Reinstall the extension.',
      );
    }
    dir = parent;
  }
}

function readName(pkg: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}
