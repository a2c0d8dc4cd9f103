// The panel's host-side state, free of `vscode` so it is unit-tested in plain Node. The InspectorPanel feeds every
// update through here; only accepted (non-stale) updates reach the webview.
import type { TextComparison } from '../../core/compare/textCompare';
import { occlusionAttribution, type AttributionResult } from '../../core/attribution/explain';
import type { Inspection } from '../../core/types';
import { upgradeSavedStages } from '../../core/present/inspectionJson';
import {
  emptyPanelState,
  isPersistedState,
  reduce,
  type CompareState,
  type ComparedText,
  type HostToWebview,
  type OcclusionState,
  type PanelSource,
  type PanelState,
  type RevealTarget,
  type ViewState,
} from '../../shared/protocol';

/** A view a cancelled run can hand the panel back to. */
type Shown = Extract<ViewState, { kind: 'result' | 'comparison' }>;

export class PanelModel {
  /** The result (or comparison) shown before the pending run, restored if that run is cancelled. */
  private previous: Shown | undefined;

  private constructor(private state: PanelState) {}

  static empty(): PanelModel {
    return new PanelModel(emptyPanelState);
  }

  /**
   * Rebuilds the model from what the webview persisted (the serializer's `state`) after a window reload.
   * Request ids restart with the new extension host, so `newest` is reset; a run that was pending when the
   * window reloaded died with the old host, so the panel says so instead of spinning forever.
   */
  static fromPersisted(saved: unknown): PanelModel {
    const persisted = upgradeSavedStages(saved);
    if (!isPersistedState(persisted)) return PanelModel.empty();
    const view = persisted.panel.view;
    if (view.kind === 'running') {
      return new PanelModel({
        newest: 0,
        view: { kind: 'empty', note: `The window reloaded while this ran: ${view.what}. Run the command again.` },
      });
    }
    if (view.kind === 'result' && view.occlusion?.kind === 'running') {
      // The occlusion died with the old host too.
      return new PanelModel({
        newest: 0,
        view: {
          ...view,
          occlusion: { kind: 'error', message: 'The window reloaded while the occlusion ran. Run it again.' },
        },
      });
    }
    if (view.kind === 'result' && (view.explanation?.kind === 'running' || view.attention?.kind === 'running')) {
      const lost = { kind: 'error' as const, message: 'The window reloaded while this ran. Run it again.' };
      return new PanelModel({
        newest: 0,
        view: {
          ...view,
          ...(view.explanation?.kind === 'running' ? { explanation: lost } : {}),
          ...(view.attention?.kind === 'running' ? { attention: lost } : {}),
        },
      });
    }
    return new PanelModel({ newest: 0, view });
  }

  get snapshot(): PanelState {
    return this.state;
  }

  /** Applies an update; returns the message to post, or undefined when it is stale and must be dropped. */
  apply(msg: HostToWebview): HostToWebview | undefined {
    const next = reduce(this.state, msg);
    if (!next) return undefined;
    this.state = next;
    return msg;
  }

  running(requestId: number, what: string): HostToWebview | undefined {
    const before = this.state.view;
    const msg = this.apply({ type: 'running', requestId, what });
    if (msg && (before.kind === 'result' || before.kind === 'comparison')) this.previous = before;
    return msg;
  }

  /** Windows finished by run `requestId` (dropped when another view is on show). */
  progress(requestId: number, done: number, total: number): HostToWebview | undefined {
    return this.apply({ type: 'progress', requestId, done, total });
  }

  /**
   * Run `requestId` was cancelled: cancelling is not a failure, so the result shown before it comes back with
   * `notice` above it (or, with none, the empty panel says `notice`). Dropped when a newer run owns the panel.
   */
  cancelled(requestId: number, notice: string): HostToWebview | undefined {
    const view = this.state.view;
    if (view.kind !== 'running' || view.requestId !== requestId) return undefined;
    const prev = this.previous;
    // Work under the old result that the new run aborted is stopped too: say so rather than spin forever.
    const back: ViewState =
      prev?.kind === 'result'
        ? {
            ...prev,
            notice,
            ...(prev.occlusion?.kind === 'running' ? { occlusion: { kind: 'cancelled' as const } } : {}),
            ...(prev.compare?.kind === 'running' ? { compare: { kind: 'available' as const } } : {}),
          }
        : prev
          ? { ...prev, notice }
          : { kind: 'empty', note: notice };
    return this.apply({ type: 'restore', state: { newest: this.state.newest, view: back } });
  }

  /** The model loaded after a settings change: an error about the old one is cleared, with `note` instead. */
  modelReady(note: string): HostToWebview | undefined {
    if (this.state.view.kind !== 'error') return undefined;
    return this.apply({ type: 'restore', state: { newest: this.state.newest, view: { kind: 'empty', note } } });
  }

  result(
    requestId: number,
    inspection: Inspection,
    source: PanelSource,
    compare?: CompareState,
  ): HostToWebview | undefined {
    return this.apply({ type: 'result', requestId, inspection, source, ...(compare ? { compare } : {}) });
  }

  /** The fp32 / int8 comparison of result `requestId`; dropped when another result (or a run) is on show. */
  variantCompare(requestId: number, compare: CompareState): HostToWebview | undefined {
    return this.apply({ type: 'compare', requestId, compare });
  }

  /** The occlusion of result `requestId`; dropped when another result (or a run) is on show. */
  occlusion(requestId: number, occlusion: OcclusionState): HostToWebview | undefined {
    return this.apply({ type: 'occlusion', requestId, occlusion });
  }

  currentOcclusion(): { requestId: number; occlusion: OcclusionState | undefined } | undefined {
    const view = this.state.view;
    return view.kind === 'result' ? { requestId: view.requestId, occlusion: view.occlusion } : undefined;
  }

  /** The finished explanations under the result on show, in the panel's order (occlusion card, then the picked method). */
  currentExplanations(): AttributionResult[] {
    const view = this.state.view;
    if (view.kind !== 'result') return [];
    return [
      view.occlusion?.kind === 'done' ? occlusionAttribution(view.occlusion.result) : undefined,
      view.explanation?.kind === 'done' ? view.explanation.result : undefined,
    ].filter((r) => r !== undefined);
  }

  /** The request id of the result on show, if any (what a "compare" click refers to). */
  currentRequestId(): number | undefined {
    return this.state.view.kind === 'result' ? this.state.view.requestId : undefined;
  }

  /** A finished "Compare Two Texts"; stale (dropped) when a newer request has started. */
  comparison(
    requestId: number,
    comparison: TextComparison,
    texts: [ComparedText, ComparedText],
  ): HostToWebview | undefined {
    return this.apply({ type: 'comparison', requestId, comparison, texts });
  }

  /** The document range of side A (0) or B (1) of the comparison on show; undefined when it has none (clipboard, HEAD). */
  revealCompared(side: 0 | 1): { uri: string; start: number; end: number } | undefined {
    const view = this.state.view;
    if (view.kind !== 'comparison') return undefined;
    const t = view.texts[side];
    if (t.uri === undefined || t.start === undefined || t.end === undefined) return undefined;
    return { uri: t.uri, start: t.start, end: t.end };
  }

  error(requestId: number, message: string): HostToWebview | undefined {
    return this.apply({ type: 'error', requestId, message });
  }

  /** The inspection the panel presents as current; undefined while a run is pending or after an error. */
  currentInspection(): Inspection | undefined {
    return this.state.view.kind === 'result' ? this.state.view.inspection : undefined;
  }

  /** The text comparison on show, if any. */
  currentComparison(): TextComparison | undefined {
    return this.state.view.kind === 'comparison' ? this.state.view.comparison : undefined;
  }

  /** The text comparison on show with the texts it names (what "Export Markdown" writes), if any. */
  currentComparisonView():
    { requestId: number; comparison: TextComparison; texts: [ComparedText, ComparedText] } | undefined {
    const view = this.state.view;
    return view.kind === 'comparison'
      ? { requestId: view.requestId, comparison: view.comparison, texts: view.texts }
      : undefined;
  }

  currentSource(): PanelSource | undefined {
    return this.state.view.kind === 'result' ? this.state.view.source : undefined;
  }

  /** The document range of a window (or offsets) of the result on show, or undefined if it does not fit that result. */
  windowRange(target: RevealTarget): { uri: string; start: number; end: number } | undefined {
    const view = this.state.view;
    if (view.kind !== 'result') return undefined;
    const { inspection, source } = view;
    let start: number;
    let end: number;
    if ('windowIndex' in target) {
      const w = inspection.windows[target.windowIndex];
      if (!w) return undefined;
      ({ start, end } = w);
    } else {
      ({ start, end } = target);
    }
    const len = inspection.coverage.textLength;
    if (start > end || end > len) return undefined;
    return { uri: source.uri, start: source.baseOffset + start, end: source.baseOffset + end };
  }
}
