// What the panel shows (ViewState), the host's record of it (PanelState) and what the webview persists. The
// payloads a host message carries are declared once here (`*Fields`); messages.ts sends exactly those, and the
// view adds only what accumulates on it (cards, notices, progress).
import { bool, index, literal, num, object, optional, refine, str, tagged, tuple, type Infer } from '../schema';
import { attentionStateSchema, explanationStateSchema } from './attribution';
import { compareStateSchema, occlusionStateSchema } from './cards';
import { inspectionSchema } from './inspection';
import { textComparisonSchema } from './results';

export const panelSourceSchema = object({ uri: str, fileName: str, baseOffset: index, selection: bool });
/** Where the inspected text came from; baseOffset is the document offset of the text's char 0. */
export type PanelSource = Infer<typeof panelSourceSchema>;

/** How much of each compared text the panel shows. */
export const COMPARED_EXCERPT_CHARS = 600;

export const comparedTextSchema = refine(
  object({
    /** e.g. "selection 1 in a.md", "the clipboard", "a.md at HEAD". */
    what: str,
    /** The start of the text (at most COMPARED_EXCERPT_CHARS), shown as plain text. */
    excerpt: str,
    length: index,
    /** Document range of the text, for "reveal in editor" (document offsets, end exclusive). */
    uri: optional(str),
    start: optional(index),
    end: optional(index),
  }),
  (x) =>
    x.uri === undefined
      ? x.start === undefined && x.end === undefined
      : x.start !== undefined && x.end !== undefined && x.start <= x.end,
);
/** One side (A or B) of "Compare Two Texts" as the panel names it; uri/start/end are set when it can be revealed. */
export type ComparedText = Infer<typeof comparedTextSchema>;

/** A run started (host message `running`, view `running`). */
export const runningFields = { requestId: num, what: str };
/** An inspection to show; `compare` says whether the fp32 / int8 comparison is offered. */
export const resultFields = {
  requestId: num,
  inspection: inspectionSchema,
  source: panelSourceSchema,
  compare: optional(compareStateSchema),
};
export const errorFields = { requestId: num, message: str };
/** A finished "Compare Two Texts": A and B side by side (B − A). */
export const comparisonFields = {
  requestId: num,
  comparison: textComparisonSchema,
  texts: tuple(comparedTextSchema, comparedTextSchema),
};

export const viewStateSchema = tagged('kind', {
  empty: { note: optional(str) },
  running: { ...runningFields, done: optional(index), total: optional(index) },
  result: {
    ...resultFields,
    occlusion: optional(occlusionStateSchema),
    /** The explanation by the method picked in the panel (SHAP, rollout; occlusion shows as `occlusion`). */
    explanation: optional(explanationStateSchema),
    attention: optional(attentionStateSchema),
    /** A neutral note over the result (e.g. a cancelled run that kept it). */
    notice: optional(str),
  },
  error: errorFields,
  comparison: { ...comparisonFields, notice: optional(str) },
});
/**
 * What the panel shows. Only `result` ever presents an inspection, so a pending run hides older results.
 * `notice` on a result or comparison: a neutral line above it, e.g. why a newer run stopped and this one is back.
 * `done`/`total` on a run: windows finished so far (for the progress line screen readers hear).
 */
export type ViewState = Infer<typeof viewStateSchema>;

export const panelStateSchema = object({ newest: num, view: viewStateSchema });
/** The host's record of the panel: the view plus the newest request id it has seen. */
export type PanelState = Infer<typeof panelStateSchema>;

export const persistedStateSchema = object({ version: literal(1), panel: panelStateSchema, selectedWindow: index });
/** What the webview persists with setState (and the serializer hands back after a window reload). */
export type PersistedState = Infer<typeof persistedStateSchema>;

export const emptyPanelState: PanelState = { newest: 0, view: { kind: 'empty' } };

export const isPanelSource = panelSourceSchema.is;
export const isViewState = viewStateSchema.is;
export const isPanelState = panelStateSchema.is;
export const isPersistedState = persistedStateSchema.is;
