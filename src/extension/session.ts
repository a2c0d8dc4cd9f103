// The one owner of what the user is looking at: the result on show (the inspection the panel presents as
// current, with its text, source and request id), the last comparison of two texts, and the single Activation
// Inspector panel. Whatever produces a result (a classify command, a live run, a dataset row) puts it here, and
// every command about "the current result" (occlusion, explanations, the fp32 / int8 comparison, the token
// lens, exports, Open Inspector) reads it from here, so they all act on what the person sees.
//
// Panel clicks are routed here too: webview -> InspectorPanel.onDidRequest -> Session.route -> the handler a
// command registered with `handle(type)` (e.g. OcclusionCommand for 'occlude') -> ModelService.run -> worker.
// A click about a result is passed on only while that result is still on show.
// Free of `vscode` at run time (the panel is made by `deps.createPanel`), so it is unit-tested in plain Node.
import type { TextComparison } from '../core/compare/textCompare';
import type { Inspection } from '../core/types';
import type { ComparedText, PanelSource } from '../shared/protocol';
import type { InspectorPanel, PanelRequest } from './panel/inspectorPanel';

/** A result on show: what the commands about "the current result" act on. */
export interface ShownResult {
  requestId: number;
  inspection: Inspection;
  source: PanelSource;
  /** The classified text (occlusion and the comparisons run it again; reports quote it). */
  text: string;
  /** What produced it. */
  origin: 'command' | 'live';
  /** What was classified, in words ("the selection in a.md"), for the status bar when a cancel brings it back. */
  what: string;
}

/** A finished comparison of two texts (Compare Two Texts), with the whole texts for its report. */
export interface ShownComparison {
  requestId: number;
  comparison: TextComparison;
  /** The texts as the panel names them (excerpts). */
  texts: [ComparedText, ComparedText];
  /** The whole texts A and B. */
  fullTexts: [string, string];
  /** For git: which route read the HEAD version. */
  gitVia?: string;
}

/** A request about a result: it names the result by request id. */
type ResultRequest = Extract<PanelRequest, { requestId: number }>;

/** What handles a panel request; a request about a result gets that result too. */
export type RequestHandler<T extends PanelRequest['type']> = T extends ResultRequest['type']
  ? (request: Extract<PanelRequest, { type: T }>, shown: ShownResult) => void
  : (request: Extract<PanelRequest, { type: T }>) => void;

export interface SessionDeps {
  /** Makes a new panel (InspectorPanel.create). */
  createPanel(): InspectorPanel;
  /** Whether a result's model folder has both ONNX variants, so its panel offers "Compare fp32 / int8". */
  canCompare(inspection: Inspection): boolean;
}

interface Disposable {
  dispose(): void;
}

export class Session {
  private shown: ShownResult | undefined;
  private comparison: ShownComparison | undefined;
  private opened: { panel: InspectorPanel; subs: Disposable[] } | undefined;
  private readonly handlers = new Map<PanelRequest['type'], (request: PanelRequest, shown?: ShownResult) => void>();
  private readonly openListeners = new Set<(panel: InspectorPanel) => void>();
  private readonly closeListeners = new Set<() => void>();

  constructor(private readonly deps: SessionDeps) {}

  /**
   * Puts `result` on show (and in the panel, if one is open), unless a newer request's result is already there
   * (request ids grow across all commands, so a result that arrives late never replaces a newer one).
   * Returns whether it was accepted.
   */
  show(result: ShownResult): boolean {
    if (this.shown && result.requestId < this.shown.requestId) return false;
    this.shown = result;
    this.opened?.panel.showResult(
      result.requestId,
      result.inspection,
      result.source,
      this.deps.canCompare(result.inspection),
    );
    return true;
  }

  /** The result on show, if any. */
  result(): ShownResult | undefined {
    return this.shown;
  }

  /** The result on show if it is request `requestId`'s (a panel button names the result it was drawn under). */
  resultOf(requestId: number): ShownResult | undefined {
    return this.shown?.requestId === requestId ? this.shown : undefined;
  }

  /** Records a finished comparison of two texts (the panel shows it; see TextCompareCommand). */
  showComparison(comparison: ShownComparison): void {
    this.comparison = comparison;
    this.opened?.panel.showComparison(comparison.requestId, comparison.comparison, comparison.texts);
  }

  /** The last finished comparison of two texts, if any. */
  lastComparison(): ShownComparison | undefined {
    return this.comparison;
  }

  /** The panel, if one is open. */
  panel(): InspectorPanel | undefined {
    return this.opened?.panel;
  }

  /** The panel, brought forward, or a new one. */
  openPanel(): InspectorPanel {
    if (this.opened) {
      this.opened.panel.reveal();
      return this.opened.panel;
    }
    return this.adopt(this.deps.createPanel());
  }

  /** "Open Inspector": the panel, showing the result on show when it shows no result yet. */
  openPanelOnResult(): InspectorPanel {
    const panel = this.openPanel();
    const shown = this.shown;
    if (!panel.currentInspection() && shown)
      panel.showResult(shown.requestId, shown.inspection, shown.source, this.deps.canCompare(shown.inspection));
    return panel;
  }

  /** Makes `panel` the single panel (a new one, or one restored after a window reload), closing any other. */
  adopt(panel: InspectorPanel): InspectorPanel {
    this.opened?.panel.dispose();
    const subs = [
      panel.onDidRequest((request) => this.route(request)),
      panel.onDidDispose(() => {
        if (this.opened?.panel !== panel) return;
        for (const d of this.opened.subs.splice(0)) d.dispose();
        this.opened = undefined;
        for (const l of Array.from(this.closeListeners)) l(); // a snapshot: a listener may unsubscribe itself
      }),
    ];
    this.opened = { panel, subs };
    for (const l of Array.from(this.openListeners)) l(panel); // a snapshot, as above
    return panel;
  }

  /** Calls `listener` with each panel that opens (to give it state it shows beside results, e.g. the model note). */
  onDidOpenPanel(listener: (panel: InspectorPanel) => void): Disposable {
    this.openListeners.add(listener);
    return { dispose: () => this.openListeners.delete(listener) };
  }

  /** Calls `listener` when the panel closes. */
  onDidClosePanel(listener: () => void): Disposable {
    this.closeListeners.add(listener);
    return { dispose: () => this.closeListeners.delete(listener) };
  }

  /** Registers the one handler of the panel's `type` requests (each command registers the ones it answers). */
  handle<T extends PanelRequest['type']>(type: T, handler: RequestHandler<T>): Disposable {
    if (this.handlers.has(type)) throw new Error(`Panel requests "${type}" already have a handler.`);
    this.handlers.set(type, handler as (request: PanelRequest, shown?: ShownResult) => void);
    return { dispose: () => this.handlers.delete(type) };
  }

  /** Passes a panel request to its handler; one about a result only while that result is on show. */
  route(request: PanelRequest): void {
    const handler = this.handlers.get(request.type);
    if (!handler) return;
    if (!('requestId' in request)) return handler(request);
    const shown = this.resultOf(request.requestId);
    if (shown) handler(request, shown);
  }
}
