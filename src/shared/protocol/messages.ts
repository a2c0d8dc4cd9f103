// The messages between the extension host (InspectorPanel) and the inspector webview, as schemas. Host
// messages that set the view carry exactly the view's payload (viewState.ts `*Fields`); the webview's messages
// are checked strictly (no unknown keys): they are untrusted input to the host.
import {
  bool,
  either,
  index,
  literal,
  num,
  object,
  optional,
  orUndefined,
  refine,
  str,
  strict,
  tagged,
  type Infer,
  type InferShape,
} from '../schema';
import { attentionStateSchema, attributionMethodSchema, explanationStateSchema, isHead } from './attribution';
import { compareStateSchema, occlusionStateSchema } from './cards';
import { occlusionUnitSchema } from './results';
import { comparisonFields, errorFields, panelStateSchema, resultFields, runningFields } from './viewState';

export const modelNoteSchema = object({
  /** The model folder the note is about: it shows only under results of that model. */
  modelPath: str,
  text: str,
  /** Hub id offered as the full-size replacement, if any. */
  switchTo: optional(str),
});
/**
 * A quiet note under a result about the model that produced it, e.g. "Demo model, 82% on SST-2" (the figure
 * read from its model card), with an offer to switch to a full-size model by hub id.
 */
export type ModelNote = Infer<typeof modelNoteSchema>;

export const liveStatusSchema = object({
  on: bool,
  /** idle: nothing to do; waiting: the debounce is counting down; running: a run is in flight. */
  phase: literal('idle', 'waiting', 'running'),
  /** Live runs that produced a result since live was switched on. */
  runs: index,
  /** Wall time of the last live run that produced a result (worker round trip included). */
  lastLatencyMs: optional(refine(num, (ms) => ms >= 0)),
  /** Why nothing is shown for the current cursor, e.g. "blank line: nothing to classify". */
  note: optional(str),
  /** What the last live result classified, e.g. "the paragraph at lines 3–6 of review.md". */
  what: optional(str),
});
/** Live inspection as the panel's live bar shows it (not panel state: live is off after every reload). */
export type LiveStatus = Infer<typeof liveStatusSchema>;

/** Messages from the host to the webview. Nothing is posted before the webview says `ready`. */
export const hostToWebviewSchema = tagged('type', {
  running: runningFields,
  result: resultFields,
  error: errorFields,
  /** The fp32 / int8 comparison of the result with this request id changed (applies only to that result). */
  compare: { requestId: num, compare: compareStateSchema },
  /** The occlusion of the result with this request id changed (applies only to that result). */
  occlusion: { requestId: num, occlusion: occlusionStateSchema },
  /** The picked method's explanation, or the attention view, of the result with this request id. */
  explanation: { requestId: num, explanation: explanationStateSchema },
  attention: { requestId: num, attention: attentionStateSchema },
  /** A finished "Compare Two Texts" (same stale rule as `result`). */
  comparison: comparisonFields,
  /** The whole picture, sent in answer to every `ready` (first load, reload after hide, window reload). */
  restore: { state: panelStateSchema },
  /** Live inspection's state and last latency (results themselves arrive as `result`, under the usual rule). */
  live: { live: liveStatusSchema },
  /** Windows finished by the run on show (applies only to that run). */
  progress: { requestId: num, done: index, total: index },
  /** The note about the loaded model (not panel state: re-sent after every `ready`). */
  modelNote: { note: orUndefined(modelNoteSchema) },
});
/** Messages from the host to the webview. Nothing is posted before the webview says `ready`. */
export type HostToWebview = Infer<typeof hostToWebviewSchema>;

const windowTarget = { windowIndex: index };
const rangeTarget = { start: index, end: index };
/** Which text range to reveal: a window of the current inspection, or a char range of the inspected text. */
export type RevealTarget = InferShape<typeof windowTarget> | InferShape<typeof rangeTarget>;

const attentionRequest = refine(
  strict({ type: literal('attention'), layer: optional(index), head: optional(num) }),
  (x) =>
    (x.layer === undefined && x.head === undefined) ||
    (x.layer !== undefined && x.head !== undefined && x.layer < 1000 && isHead(x.head, 1000)),
);

/** Messages from the webview to the host; any unknown key fails. */
export const webviewToHostSchema = tagged(
  'type',
  {
    /** The webview's script has loaded and listens; the host may post from now on. */
    ready: {},
    /** Reveal a range in the editor; start/end are offsets in the inspected text (the host adds baseOffset). */
    reveal: either(
      strict({ type: literal('reveal'), ...windowTarget }),
      refine(strict({ type: literal('reveal'), ...rangeTarget }), (x) => x.start <= x.end),
    ),
    /** The user pressed Export JSON. */
    exportJson: {},
    /** The user pressed Export Markdown (a report with the charts as SVG files). */
    exportMarkdown: {},
    /** The user pressed "Compare fp32 / int8" on the current result. */
    compareVariants: {},
    /** The user pressed "Explain by occlusion" (words, or word pieces) on the current result. */
    occlude: { unit: occlusionUnitSchema },
    /** The user picked an attribution method (SHAP or rollout; occlusion goes through `occlude`). */
    explain: { method: attributionMethodSchema },
    /** Open the attention view, or show the head view of `layer`/`head` (-1: the mean of the layer's heads). */
    attention: attentionRequest,
    /** Reveal side A (0) or B (1) of the comparison on show in the editor. */
    revealCompared: { side: literal(0, 1) },
    /** The user switched live inspection on or off in the panel. */
    setLive: { on: bool },
    /** The user asked for the token lens of the current result (the same text run again with it). */
    tokenLens: {},
    /** The user opened the model card linked from the model note. */
    openModelCard: {},
    /** The user asked to switch to the full-size model the model note offers. */
    switchModel: {},
  },
  { strict: true },
);
/** Messages from the webview to the host. */
export type WebviewToHost = Infer<typeof webviewToHostSchema>;

export const isLiveStatus = liveStatusSchema.is;
export const isHostToWebview = hostToWebviewSchema.is;
export const isWebviewToHost = webviewToHostSchema.is;
