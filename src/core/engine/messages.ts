// The protocol between the inspector (caller's thread) and the inference worker thread.
import type { AttentionResult } from '../attribution/attention';
import type { AttributionResult } from '../attribution/explain';
import type { OcclusionResult, OcclusionUnit } from '../attribution/occlusion';
import type { AttentionRequest, ExplainRequest } from './explainRun';
import type { OnnxVariant } from '../model/modelFolder';
import type { LongTextMode } from '../text/windows';
import type { Inspection, ModelInfo } from '../types';
import type { WireWindow } from './packing';

/** Options for loading a model into the worker. */
export interface LoadRequest {
  modelDir: string;
  cacheDir: string;
  /** ONNX Runtime intra-op threads; 0 picks one per core. */
  threads: number;
  variant: OnnxVariant;
}

/** Options for one inspection. */
export interface InspectRequest {
  text: string;
  windowTokens: number;
  overlap: number;
  mode: LongTextMode;
  /** Sequences per ONNX call are bounded by this many tokens (batch x padded length). */
  batchTokens: number;
  /** Units listed toward / against each label in head.topUnits. */
  topUnits: number;
  /** Also apply the head to every token's final hidden state (windows[].tokenLens); off by default, it costs dim^2 per token. */
  tokenLens?: boolean;
}

/** Options for one occlusion run (one window: the first `windowTokens` tokens of the text). */
export interface OccludeRequest {
  text: string;
  unit: OcclusionUnit;
  windowTokens: number;
  batchTokens: number;
  /** Also score the occlusion's faithfulness (at most 36 more passes). */
  faithfulness?: boolean;
}

/** Dataset mode: a chunk of texts, each read up to its first window. */
export interface ClassifyManyRequest {
  texts: string[];
  windowTokens: number;
  batchTokens: number;
}

/**
 * Dataset mode's result for a chunk of texts: flat row-major Float32Arrays (transferred, not cloned).
 * `pre` is the dense layer's output (DistilBERT: pre_classifier), `act` the head's activation output
 * (DistilBERT: ReLU(pre_classifier)); `layers` is [text][block][dim].
 */
export interface RowBlock {
  count: number;
  logits: Float32Array<ArrayBuffer>;
  cls: Float32Array<ArrayBuffer>;
  pre: Float32Array<ArrayBuffer>;
  act: Float32Array<ArrayBuffer>;
  layers: Float32Array<ArrayBuffer>;
  /** Tokens read per text ([CLS]/[SEP] included). */
  tokens: Int32Array<ArrayBuffer>;
  /** 1 when the text was longer than its window. */
  truncated: Uint8Array<ArrayBuffer>;
}

/** Caller -> worker. */
export type ToWorker =
  | ({ type: 'load'; id: number } & LoadRequest)
  | ({ type: 'inspect'; id: number } & InspectRequest)
  | ({ type: 'occlude'; id: number } & OccludeRequest)
  | ({ type: 'attention'; id: number } & AttentionRequest)
  | ({ type: 'explain'; id: number } & ExplainRequest)
  | ({ type: 'classifyMany'; id: number } & ClassifyManyRequest)
  | { type: 'cancel'; id: number }
  | { type: 'dispose' };

/** A serialisable error (code + hint survive the thread boundary). */
export interface WireError {
  code: string;
  message: string;
  hint: string;
  /** The fix per surface (CLI option or VS Code setting), when the error has one. */
  hints?: { cli: string; vscode: string };
  stack?: string;
}

/** What a load reports besides the model. */
export interface LoadInfo {
  model: ModelInfo;
  tappedPath: string;
  fromCache: boolean;
  loadMs: number;
  tokenizerVocab: number;
  headDescription: string;
}

export type { AttentionRequest, ExplainRequest } from './explainRun';

/** Worker -> caller. */
export type FromWorker =
  | { type: 'loaded'; id: number; info: LoadInfo }
  | { type: 'progress'; id: number; done: number; total: number }
  // Windows travel one message each: one large result would block the caller's event loop while it is
  // deserialised (a 20k-token file on a full-size model is ~8 MB of vectors).
  | { type: 'window'; id: number; index: number; window: WireWindow }
  | { type: 'result'; id: number; inspection: Inspection }
  | { type: 'occlusion'; id: number; occlusion: OcclusionResult }
  | { type: 'attention'; id: number; attention: AttentionResult }
  | { type: 'explanation'; id: number; explanation: AttributionResult }
  | { type: 'rows'; id: number; rows: RowBlock }
  | { type: 'error'; id: number; error: WireError };
