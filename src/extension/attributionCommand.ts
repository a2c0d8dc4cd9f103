// The panel's method picker (partition SHAP, attention rollout; occlusion keeps its own command) and its
// attention view. Like occlusion, both belong to one result (by request id), run beside a classification
// without aborting it, and the editor tint follows the method last shown.
import * as vscode from 'vscode';
import type { AttentionResult } from '../core/attribution/attention';
import { METHOD_NAMES, type AttributionMethod, type AttributionResult } from '../core/attribution/explain';
import { attentionView, type AttentionView } from '../shared/protocol';
import { describeFailure, showFailure } from './failures';
import type { Log } from './log';
import type { ModelService } from './modelService';
import type { Notifier } from './notify';
import type { OcclusionTint, TintedRange } from './occlusionTint';
import type { ExplanationState } from '../shared/protocol';
import { withProgress } from './progress';
import type { Session } from './session';

export interface AttributionDeps {
  /** The result on show (from a command or live inspection): the one explained; and the panel. */
  session: Session;
  models: ModelService;
  tint: OcclusionTint;
  notifier: Notifier;
  log: Log;
}

/** A finished explanation. */
export interface ExplanationOutcome {
  requestId: number;
  result: AttributionResult;
  tints: TintedRange[];
}

export class AttributionCommand {
  /** The full attention of the result on show, kept for head-view requests while it is the current result. */
  private attention: { requestId: number; result: AttentionResult; textLength: number } | undefined;

  /** Answers the panel's method picker (every method, occlusion too, so each strip carries its faithfulness) and attention view. */
  constructor(private readonly deps: AttributionDeps) {
    deps.session.handle('explain', (request) => void this.explain(request.method, request.requestId));
    deps.session.handle(
      'attention',
      (request) => void this.showAttention(request.requestId, request.layer, request.head),
    );
  }

  /** Explains the current result by `method` (it must still be result `forRequestId`). */
  async explain(method: AttributionMethod, forRequestId: number): Promise<ExplanationOutcome | undefined> {
    const { session, models, tint, notifier, log } = this.deps;
    const last = session.resultOf(forRequestId);
    if (!last) return undefined;
    const text = last.text;
    const request = models.beginFollower();
    const show = (s: ExplanationState): void => session.panel()?.showExplanation(forRequestId, s);
    show({ kind: 'running', method, done: 0, total: 0 });
    const started = performance.now();
    try {
      const result = await withProgress(
        { title: `DistilBERT: explaining by ${METHOD_NAMES[method]}`, notification: true, cancel: request.cancel },
        () =>
          models.run('explain', request, {
            text,
            method,
            onProgress: (done, total) => show({ kind: 'running', method, done, total }),
          }),
      );
      show({ kind: 'done', result, latencyMs: performance.now() - started });
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === last.source.uri);
      const range =
        doc &&
        new vscode.Range(doc.positionAt(last.source.baseOffset), doc.positionAt(last.source.baseOffset + text.length));
      const tints =
        doc && range && doc.getText(range) === text && session.resultOf(forRequestId)
          ? tint.showAttribution(doc, result, last.source.baseOffset)
          : [];
      return { requestId: forRequestId, result, tints };
    } catch (err) {
      const cancelled = (): void => show({ kind: 'cancelled' });
      // Stopped by a newer result (whatever the error says): a cancel, not a failure.
      if (!request.isCurrent()) cancelled();
      else {
        showFailure(err, models.currentChoice(), notifier, {
          cancelled,
          error: (message) => {
            log.info(`Explanation by ${method} failed: ${message}`);
            show({ kind: 'error', message });
          },
        });
      }
      return undefined;
    } finally {
      request.cancel();
    }
  }

  /** Opens the attention view (layer/head undefined) or switches its head view; -1 = the mean of the heads. */
  async showAttention(forRequestId: number, layer?: number, head = -1): Promise<AttentionView | undefined> {
    const { session, models } = this.deps;
    const last = session.resultOf(forRequestId);
    if (!last) return undefined;
    const text = last.text;
    const panel = () => session.panel();
    const started = performance.now();
    if (this.attention?.requestId !== forRequestId) {
      panel()?.showAttention(forRequestId, { kind: 'running' });
      const request = models.beginFollower();
      try {
        this.attention = {
          requestId: forRequestId,
          result: await models.run('attention', request, { text }),
          textLength: text.length,
        };
      } catch (err) {
        panel()?.showAttention(forRequestId, {
          kind: 'error',
          message: describeFailure(err, models.currentChoice()).text,
        });
        return undefined;
      } finally {
        request.cancel();
      }
    }
    const w = this.attention.result.windows[0]!;
    const view = attentionView(
      w,
      layer ?? w.layers - 1,
      head,
      this.attention.result.inferenceMs,
      this.attention.textLength,
    );
    panel()?.showAttention(forRequestId, { kind: 'done', view, latencyMs: performance.now() - started });
    return view;
  }
}
