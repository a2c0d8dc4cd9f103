// The one message protocol between the extension host (InspectorPanel) and the inspector webview.
// Both ends import this file: the types keep them in step at compile time, the guards at run time (a webview
// message is untrusted input to the host, and persisted webview state may come from an older version).
// The stale-result rule lives here too (`reduce`), so host and webview apply exactly the same logic.
import type { AttributionMethod } from '../core/attribution/explain';
import type { OcclusionResult, OcclusionUnit } from '../core/attribution/occlusion';
import { isAttentionRequest, isAttentionState, isExplanationState, isMethod, type AttentionState, type ExplanationState } from './attributionProtocol';
import type { TextComparison } from '../core/compare/textCompare';
import type { Inspection } from '../core/types';
import { isOptionalLens } from './lensGuards';

/** Where the inspected text came from; baseOffset is the document offset of the text's char 0. */
export interface PanelSource {
  uri: string;
  fileName: string;
  baseOffset: number;
  selection: boolean;
}

/** One ONNX variant's run of the compared text. */
export interface VariantRun {
  /** The side: fp32, or the 8-bit graph ('quantized': model_int8.onnx or model_quantized.onnx, see onnxFile). */
  variant: 'fp32' | 'quantized';
  onnxFile: string;
  label: string;
  /** In the order of the inspection's model.labels. */
  logits: number[];
  probabilities: Record<string, number>;
  /** Wall time of the whole inspect call (worker round trip included), and the core's inference time. */
  latencyMs: number;
  inferenceMs: number;
}

/**
 * The fp32 / int8 comparison of the shown result: offered only when the model folder has onnx/model.onnx and
 * an 8-bit graph (onnx/model_int8.onnx preferred, else onnx/model_quantized.onnx); runs fp32 first, then int8.
 */
export type CompareState =
  | { kind: 'available' }
  | { kind: 'running' }
  | { kind: 'done'; runs: VariantRun[] }
  | { kind: 'error'; message: string };

/**
 * "Which words drove the decision" for the shown result: each word (or piece) of its text removed in turn.
 * `latencyMs` is the whole run as the editor saw it (worker round trip included).
 */
export type OcclusionState =
  | { kind: 'running'; unit: OcclusionUnit; done: number; total: number }
  | { kind: 'done'; result: OcclusionResult; latencyMs: number }
  | { kind: 'cancelled' }
  | { kind: 'error'; message: string };
/** One side (A or B) of "Compare Two Texts" as the panel names it; uri/start/end are set when it can be revealed. */
export interface ComparedText {
  /** e.g. "selection 1 in a.md", "the clipboard", "a.md at HEAD". */
  what: string;
  /** The start of the text (at most COMPARED_EXCERPT_CHARS), shown as plain text. */
  excerpt: string;
  length: number;
  /** Document range of the text, for "reveal in editor" (document offsets, end exclusive). */
  uri?: string;
  start?: number;
  end?: number;
}

/** How much of each compared text the panel shows. */
export const COMPARED_EXCERPT_CHARS = 600;

/**
 * What the panel shows. Only `result` ever presents an inspection, so a pending run hides older results.
 * `notice` on a result or comparison: a neutral line above it, e.g. why a newer run stopped and this one is back.
 * `done`/`total` on a run: windows finished so far (for the progress line screen readers hear).
 */
export type ViewState =
  | { kind: 'empty'; note?: string }
  | { kind: 'running'; requestId: number; what: string; done?: number; total?: number }
  | {
      kind: 'result';
      requestId: number;
      inspection: Inspection;
      source: PanelSource;
      compare?: CompareState;
      occlusion?: OcclusionState;
      /** The explanation by the method picked in the panel (SHAP, rollout; occlusion shows as `occlusion`). */
      explanation?: ExplanationState;
      attention?: AttentionState;
      /** A neutral note over the result (e.g. a cancelled run that kept it). */
      notice?: string;
    }
  | { kind: 'error'; requestId: number; message: string }
  /** "Compare Two Texts": A and B side by side (B − A). */
  | { kind: 'comparison'; requestId: number; comparison: TextComparison; texts: [ComparedText, ComparedText]; notice?: string };

/**
 * A quiet note under a result about the model that produced it, e.g. "Demo model, 82% on SST-2" (the figure
 * read from its model card), with an offer to switch to a full-size model by hub id.
 */
export interface ModelNote {
  /** The model folder the note is about: it shows only under results of that model. */
  modelPath: string;
  text: string;
  /** Hub id offered as the full-size replacement, if any. */
  switchTo?: string;
}

/** Live inspection as the panel's live bar shows it (not panel state: live is off after every reload). */
export interface LiveStatus {
  on: boolean;
  /** idle: nothing to do; waiting: the debounce is counting down; running: a run is in flight. */
  phase: 'idle' | 'waiting' | 'running';
  /** Live runs that produced a result since live was switched on. */
  runs: number;
  /** Wall time of the last live run that produced a result (worker round trip included). */
  lastLatencyMs?: number;
  /** Why nothing is shown for the current cursor, e.g. "blank line: nothing to classify". */
  note?: string;
  /** What the last live result classified, e.g. "the paragraph at lines 3–6 of review.md". */
  what?: string;
}

/** The host's record of the panel: the view plus the newest request id it has seen. */
export interface PanelState {
  newest: number;
  view: ViewState;
}

/** Messages from the host to the webview. Nothing is posted before the webview says `ready`. */
export type HostToWebview =
  | { type: 'running'; requestId: number; what: string }
  | { type: 'result'; requestId: number; inspection: Inspection; source: PanelSource; compare?: CompareState }
  | { type: 'error'; requestId: number; message: string }
  /** The fp32 / int8 comparison of the result with this request id changed (applies only to that result). */
  | { type: 'compare'; requestId: number; compare: CompareState }
  /** The occlusion of the result with this request id changed (applies only to that result). */
  | { type: 'occlusion'; requestId: number; occlusion: OcclusionState }
  /** The picked method's explanation, or the attention view, of the result with this request id. */
  | { type: 'explanation'; requestId: number; explanation: ExplanationState }
  | { type: 'attention'; requestId: number; attention: AttentionState }
  /** A finished "Compare Two Texts" (same stale rule as `result`). */
  | { type: 'comparison'; requestId: number; comparison: TextComparison; texts: [ComparedText, ComparedText] }
  /** The whole picture, sent in answer to every `ready` (first load, reload after hide, window reload). */
  | { type: 'restore'; state: PanelState }
  /** Live inspection's state and last latency (results themselves arrive as `result`, under the usual rule). */
  | { type: 'live'; live: LiveStatus }
  /** Windows finished by the run on show (applies only to that run). */
  | { type: 'progress'; requestId: number; done: number; total: number }
  /** The note about the loaded model (not panel state: re-sent after every `ready`). */
  | { type: 'modelNote'; note: ModelNote | undefined };

/** Which text range to reveal: a window of the current inspection, or a char range of the inspected text. */
export type RevealTarget = { windowIndex: number } | { start: number; end: number };

/** Messages from the webview to the host. */
export type WebviewToHost =
  /** The webview's script has loaded and listens; the host may post from now on. */
  | { type: 'ready' }
  /** Reveal a range in the editor; start/end are offsets in the inspected text (the host adds baseOffset). */
  | ({ type: 'reveal' } & RevealTarget)
  /** The user pressed Export JSON. */
  | { type: 'exportJson' }
  /** The user pressed Export Markdown (a report with the charts as SVG files). */
  | { type: 'exportMarkdown' }
  /** The user pressed "Compare fp32 / int8" on the current result. */
  | { type: 'compareVariants' }
  /** The user pressed "Explain by occlusion" (words, or word pieces) on the current result. */
  | { type: 'occlude'; unit: OcclusionUnit }
  /** The user picked an attribution method (SHAP or rollout; occlusion goes through `occlude`). */
  | { type: 'explain'; method: AttributionMethod }
  /** Open the attention view, or show the head view of `layer`/`head` (-1: the mean of the layer's heads). */
  | { type: 'attention'; layer?: number; head?: number }
  /** Reveal side A (0) or B (1) of the comparison on show in the editor. */
  | { type: 'revealCompared'; side: 0 | 1 }
  /** The user switched live inspection on or off in the panel. */
  | { type: 'setLive'; on: boolean }
  /** The user asked for the token lens of the current result (the same text run again with it). */
  | { type: 'tokenLens' }
  /** The user opened the model card linked from the model note. */
  | { type: 'openModelCard' }
  /** The user asked to switch to the full-size model the model note offers. */
  | { type: 'switchModel' };

/** What the webview persists with setState (and the serializer hands back after a window reload). */
export interface PersistedState {
  version: 1;
  panel: PanelState;
  selectedWindow: number;
}

export const emptyPanelState: PanelState = { newest: 0, view: { kind: 'empty' } };

export function assertNever(x: never, what = 'message'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(x)}`);
}

/**
 * Applies a host message to the panel state. Returns undefined when the message is stale: a running, result
 * or error whose request id is older than the newest one seen. Equal ids are accepted (running, then its result).
 */
export function reduce(state: PanelState, msg: HostToWebview): PanelState | undefined {
  switch (msg.type) {
    case 'running':
      if (msg.requestId < state.newest) return undefined;
      return { newest: msg.requestId, view: { kind: 'running', requestId: msg.requestId, what: msg.what } };
    case 'result':
      if (msg.requestId < state.newest) return undefined;
      return {
        newest: msg.requestId,
        view: { kind: 'result', requestId: msg.requestId, inspection: msg.inspection, source: msg.source, ...(msg.compare ? { compare: msg.compare } : {}) },
      };
    case 'compare':
      // Only for the result on show: a comparison of an older result must not appear under a newer one.
      if (state.view.kind !== 'result' || state.view.requestId !== msg.requestId) return undefined;
      return { newest: state.newest, view: { ...state.view, compare: msg.compare } };
    case 'occlusion':
      // Like a comparison: only under its own result, never under a newer one.
      if (state.view.kind !== 'result' || state.view.requestId !== msg.requestId) return undefined;
      return { newest: state.newest, view: { ...state.view, occlusion: msg.occlusion } };
    case 'explanation':
    case 'attention':
      if (state.view.kind !== 'result' || state.view.requestId !== msg.requestId) return undefined;
      return { newest: state.newest, view: msg.type === 'explanation' ? { ...state.view, explanation: msg.explanation } : { ...state.view, attention: msg.attention } };
    case 'error':
      if (msg.requestId < state.newest) return undefined;
      return { newest: msg.requestId, view: { kind: 'error', requestId: msg.requestId, message: msg.message } };
    case 'comparison':
      if (msg.requestId < state.newest) return undefined;
      return { newest: msg.requestId, view: { kind: 'comparison', requestId: msg.requestId, comparison: msg.comparison, texts: msg.texts } };
    case 'restore':
      return msg.state;
    case 'progress':
      if (state.view.kind !== 'running' || state.view.requestId !== msg.requestId) return undefined;
      return { newest: state.newest, view: { ...state.view, done: msg.done, total: msg.total } };
    case 'live':
    case 'modelNote':
      return state; // not panel state; main.ts keeps them beside the PersistedState
    default:
      return assertNever(msg);
  }
}

// ---- run-time guards -------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
export const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
export const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
export const isIndex = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
export const isStr = (x: unknown): x is string => typeof x === 'string';

/** A check of one `kind` of a card's state (the rest of the object). */
export type KindCheck = (x: Obj) => boolean;
/** Kinds that carry nothing more, and the error kind that carries its message. */
export const NOTHING_MORE: KindCheck = () => true;
export const HAS_MESSAGE: KindCheck = (x) => isStr(x.message);

/**
 * The guard every panel card's state shares (fp32/int8 comparison, occlusion, explanation, attention): an
 * object whose `kind` is one of `kinds` (own keys only, so "toString" is no kind) and passes that kind's check.
 */
export function isCardState(x: unknown, kinds: Record<string, KindCheck>): boolean {
  if (!isObj(x) || typeof x.kind !== 'string' || !Object.prototype.hasOwnProperty.call(kinds, x.kind)) return false;
  return kinds[x.kind]!(x);
}
const isOptStr = (x: unknown): boolean => x === undefined || typeof x === 'string';
const isNumArray = (x: unknown): x is number[] => Array.isArray(x) && x.every(isNum);
const isNumRecord = (x: unknown): x is Record<string, number> => isObj(x) && Object.values(x).every(isNum);

function isTokenSpan(x: unknown): boolean {
  return isObj(x) && isNum(x.id) && isStr(x.text) && isIndex(x.start) && isIndex(x.end) && typeof x.special === 'boolean';
}

function isWindow(x: unknown, dim: number, nLabels: number): boolean {
  if (!isObj(x) || !isIndex(x.start) || !isIndex(x.end) || !isStr(x.label) || !isNumRecord(x.probabilities)) return false;
  if (!isNumArray(x.logits) || x.logits.length !== nLabels || typeof x.truncated !== 'boolean') return false;
  if (!Array.isArray(x.tokens) || !x.tokens.every(isTokenSpan)) return false;
  const s = x.stages;
  if (!isObj(s) || !Array.isArray(s.layers) || !s.layers.every(isNumArray)) return false;
  if (![s.cls, s.preClassifier, s.activation].every((v) => isNumArray(v) && v.length === dim)) return false;
  const h = x.head;
  if (!isObj(h) || !isNum(h.zeroedUnits) || !isObj(h.norms) || !isObj(h.topUnits)) return false;
  if (!isObj(x.contributions)) return false;
  if (!isOptionalLens(x, nLabels, Array.isArray(x.tokens) ? x.tokens.length : 0)) return false;
  return Object.values(x.contributions).every((c) => isObj(c) && isNum(c.bias) && isNumArray(c.units));
}

/** Structural check of an Inspection: enough that the renderer cannot trip over a malformed one. */
export function isInspection(x: unknown): x is Inspection {
  if (!isObj(x) || !isObj(x.model) || !isObj(x.aggregate) || !isObj(x.coverage) || !isObj(x.timing)) return false;
  const m = x.model;
  if (!isStr(m.name) || !Array.isArray(m.labels) || !m.labels.every(isStr) || !isIndex(m.dim) || !isIndex(m.nLayers)) {
    return false;
  }
  const a = x.aggregate;
  if (!isStr(a.label) || !isNumRecord(a.probabilities) || !isNumArray(a.logits)) return false;
  const c = x.coverage;
  if (!isIndex(c.textLength) || !isIndex(c.coveredChars) || typeof c.complete !== 'boolean') return false;
  const dim = m.dim;
  const nLabels = m.labels.length;
  return Array.isArray(x.windows) && x.windows.length > 0 && x.windows.every((w) => isWindow(w, dim, nLabels));
}

function isVariantRun(x: unknown): x is VariantRun {
  return (
    isObj(x) && (x.variant === 'fp32' || x.variant === 'quantized') && isStr(x.onnxFile) && isStr(x.label) &&
    isNumArray(x.logits) && isNumRecord(x.probabilities) && isNum(x.latencyMs) && isNum(x.inferenceMs)
  );
}

export function isCompareState(x: unknown): x is CompareState {
  return isCardState(x, {
    available: NOTHING_MORE,
    running: NOTHING_MORE,
    done: (s) => Array.isArray(s.runs) && s.runs.length === 2 && s.runs.every(isVariantRun),
    error: HAS_MESSAGE,
  });
}

const isIndexArray = (x: unknown): x is number[] => Array.isArray(x) && x.every(isIndex);
const isUnit = (x: unknown): x is OcclusionUnit => x === 'word' || x === 'piece';

/** Structural check of an occlusion result: item ranges ordered, vectors one value per label, token indices in range. */
export function isOcclusionResult(x: unknown): x is OcclusionResult {
  if (!isObj(x) || !isUnit(x.unit) || x.method !== 'removed' || !Array.isArray(x.labels) || !x.labels.every(isStr) || !isStr(x.label)) return false;
  const n = x.labels.length;
  const perLabel = (v: unknown) => isNumArray(v) && v.length === n;
  if (!perLabel(x.baselineLogits) || !perLabel(x.baselineProbabilities)) return false;
  if (!Array.isArray(x.tokens) || !x.tokens.every(isTokenSpan)) return false;
  const tokens = x.tokens.length;
  if (![x.forwardPasses, x.batches].every(isIndex) || !isNum(x.inferenceMs) || !isNum(x.totalMs)) return false;
  const c = x.coverage;
  if (!isObj(c) || ![c.windowTokens, c.textTokens, c.coveredEnd, c.textLength].every(isIndex) || typeof c.complete !== 'boolean') return false;
  const f = x.faithfulness;
  if (f !== undefined && !(isObj(f) && isStr(f.label) && isObj(f.deletion) && isNum(f.deletion.comprehensivenessAopc) && isNumArray(f.fractions))) return false;
  return (
    Array.isArray(x.items) &&
    x.items.every(
      (it) =>
        isObj(it) && isIndex(it.start) && isIndex(it.end) && it.start <= it.end && isStr(it.text) &&
        isIndexArray(it.tokenIndices) && it.tokenIndices.every((i) => i < tokens) &&
        perLabel(it.logits) && perLabel(it.deltaLogits) && perLabel(it.deltaProbabilities),
    )
  );
}

export function isOcclusionState(x: unknown): x is OcclusionState {
  return isCardState(x, {
    running: (s) => isUnit(s.unit) && isIndex(s.done) && isIndex(s.total),
    done: (s) => isOcclusionResult(s.result) && isNum(s.latencyMs),
    cancelled: NOTHING_MORE,
    error: HAS_MESSAGE,
  });
}

function isUnitDeltas(x: unknown): boolean {
  return Array.isArray(x) && x.every((t) => isObj(t) && isIndex(t.unit) && isNum(t.a) && isNum(t.b) && isNum(t.delta));
}

function isComparedSide(x: unknown, nLabels: number): boolean {
  return (
    isObj(x) && isStr(x.label) && isNumArray(x.logits) && x.logits.length === nLabels && isNumRecord(x.probabilities) &&
    isIndex(x.windows) && isIndex(x.tokens) && isIndex(x.textLength) && typeof x.complete === 'boolean' && typeof x.mean === 'boolean'
  );
}

function isStageKey(x: unknown, nLayers: number): boolean {
  if (!isObj(x)) return false;
  if (x.kind === 'layer') return isIndex(x.layer) && x.layer < nLayers;
  return x.kind === 'cls' || x.kind === 'preClassifier' || x.kind === 'relu';
}

/** Structural check of a TextComparison: every array the renderer indexes has the model's sizes. */
export function isTextComparison(x: unknown): x is TextComparison {
  if (!isObj(x) || x.version !== 1 || !isObj(x.model) || !isIndex(x.topUnits)) return false;
  const m = x.model;
  if (!isStr(m.name) || !Array.isArray(m.labels) || !m.labels.every(isStr) || !isIndex(m.dim) || !isIndex(m.nLayers)) return false;
  const nLabels = m.labels.length;
  const dim = m.dim;
  const nLayers = m.nLayers;
  if (!isComparedSide(x.a, nLabels) || !isComparedSide(x.b, nLabels) || typeof x.labelChanged !== 'boolean') return false;
  if (!isNumArray(x.logitDelta) || x.logitDelta.length !== nLabels || !isNumRecord(x.probabilityDelta)) return false;
  const stagesOk =
    Array.isArray(x.stages) &&
    x.stages.every(
      (d) =>
        isObj(d) && isStageKey(d.stage, nLayers) && (d.cosine === null || isNum(d.cosine)) && isNum(d.normA) && isNum(d.normB) &&
        isNum(d.distance) && isNumArray(d.delta) && d.delta.length === dim && isUnitDeltas(d.top),
    );
  if (!stagesOk) return false;
  return (
    Array.isArray(x.contributions) &&
    x.contributions.every((c) => isObj(c) && isStr(c.label) && isNum(c.logitDelta) && isNum(c.rest) && isUnitDeltas(c.top))
  );
}

function isComparedText(x: unknown): x is ComparedText {
  if (!isObj(x) || !isStr(x.what) || !isStr(x.excerpt) || !isIndex(x.length)) return false;
  if (x.uri === undefined) return x.start === undefined && x.end === undefined;
  return isStr(x.uri) && isIndex(x.start) && isIndex(x.end) && x.start <= x.end;
}

function isComparedTexts(x: unknown): x is [ComparedText, ComparedText] {
  return Array.isArray(x) && x.length === 2 && x.every(isComparedText);
}

export function isPanelSource(x: unknown): x is PanelSource {
  return isObj(x) && isStr(x.uri) && isStr(x.fileName) && isIndex(x.baseOffset) && typeof x.selection === 'boolean';
}

export function isViewState(x: unknown): x is ViewState {
  if (!isObj(x)) return false;
  switch (x.kind) {
    case 'empty':
      return x.note === undefined || isStr(x.note);
    case 'running':
      return isNum(x.requestId) && isStr(x.what) && (x.done === undefined || isIndex(x.done)) && (x.total === undefined || isIndex(x.total));
    case 'result':
      return (
        isNum(x.requestId) && isInspection(x.inspection) && isPanelSource(x.source) && (x.compare === undefined || isCompareState(x.compare)) &&
        (x.occlusion === undefined || isOcclusionState(x.occlusion)) &&
        (x.explanation === undefined || isExplanationState(x.explanation)) &&
        (x.attention === undefined || isAttentionState(x.attention)) &&
        isOptStr(x.notice)
      );
    case 'error':
      return isNum(x.requestId) && isStr(x.message);
    case 'comparison':
      return isNum(x.requestId) && isTextComparison(x.comparison) && isComparedTexts(x.texts) && isOptStr(x.notice);
    default:
      return false;
  }
}

export function isPanelState(x: unknown): x is PanelState {
  return isObj(x) && isNum(x.newest) && isViewState(x.view);
}

export function isPersistedState(x: unknown): x is PersistedState {
  return isObj(x) && x.version === 1 && isPanelState(x.panel) && isIndex(x.selectedWindow);
}

export function isLiveStatus(x: unknown): x is LiveStatus {
  return (
    isObj(x) && typeof x.on === 'boolean' && (x.phase === 'idle' || x.phase === 'waiting' || x.phase === 'running') && isIndex(x.runs) &&
    (x.lastLatencyMs === undefined || (isNum(x.lastLatencyMs) && x.lastLatencyMs >= 0)) && (x.note === undefined || isStr(x.note)) && (x.what === undefined || isStr(x.what))
  );
}

export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'running':
      return isNum(x.requestId) && isStr(x.what);
    case 'result':
      return isNum(x.requestId) && isInspection(x.inspection) && isPanelSource(x.source) && (x.compare === undefined || isCompareState(x.compare));
    case 'error':
      return isNum(x.requestId) && isStr(x.message);
    case 'compare':
      return isNum(x.requestId) && isCompareState(x.compare);
    case 'occlusion':
      return isNum(x.requestId) && isOcclusionState(x.occlusion);
    case 'explanation':
      return isNum(x.requestId) && isExplanationState(x.explanation);
    case 'attention':
      return isNum(x.requestId) && isAttentionState(x.attention);
    case 'comparison':
      return isNum(x.requestId) && isTextComparison(x.comparison) && isComparedTexts(x.texts);
    case 'restore':
      return isPanelState(x.state);
    case 'live':
      return isLiveStatus(x.live);
    case 'progress':
      return isNum(x.requestId) && isIndex(x.done) && isIndex(x.total);
    case 'modelNote':
      return x.note === undefined || isModelNote(x.note);
    default:
      return false;
  }
}

function isModelNote(x: unknown): x is ModelNote {
  return isObj(x) && isStr(x.modelPath) && isStr(x.text) && isOptStr(x.switchTo);
}

export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'ready':
    case 'exportJson':
    case 'exportMarkdown':
    case 'compareVariants':
    case 'tokenLens':
    case 'openModelCard':
    case 'switchModel':
      return Object.keys(x).length === 1;
    case 'occlude':
      return isUnit(x.unit) && Object.keys(x).length === 2;
    case 'setLive':
      return typeof x.on === 'boolean' && Object.keys(x).length === 2;
    case 'explain':
      return isMethod(x.method) && Object.keys(x).length === 2;
    case 'attention':
      return isAttentionRequest(x);
    case 'reveal':
      if ('windowIndex' in x) return isIndex(x.windowIndex) && !('start' in x) && !('end' in x);
      return isIndex(x.start) && isIndex(x.end) && x.start <= x.end;
    case 'revealCompared':
      return (x.side === 0 || x.side === 1) && Object.keys(x).length === 2;
    default:
      return false;
  }
}
