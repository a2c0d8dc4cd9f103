// "DistilBERT: Explain Result by Occlusion": the text of the current result with each word removed in turn,
// shown under that result in the panel (heat strip) and as a tint over the words in the editor. Like the fp32 /
// int8 comparison, it belongs to one result (by request id): a newer result never shows an older occlusion.
import * as vscode from 'vscode';
import type { OcclusionResult, OcclusionUnit } from '../core/attribution/occlusion';
import { showFailure } from './failures';
import type { Log } from './log';
import type { ModelService } from './modelService';
import type { Notifier } from './notify';
import type { OcclusionTint, TintedRange } from './occlusionTint';
import type { PanelSource } from '../shared/protocol';
import { withProgress } from './progress';
import type { Session } from './session';

/** A finished occlusion of result `requestId`. */
export interface OcclusionOutcome {
  requestId: number;
  source: PanelSource;
  result: OcclusionResult;
  latencyMs: number;
  /** The editor tints (empty when the document changed since the classification, or it is not open). */
  tints: TintedRange[];
}

export interface OcclusionDeps {
  /** The result on show (from a command or live inspection): the one explained; and the panel. */
  session: Session;
  models: ModelService;
  tint: OcclusionTint;
  notifier: Notifier;
  log: Log;
}

export class OcclusionCommand {
  private running: { cancel(): void } | undefined;

  /** Answers the panel's "Explain by occlusion" buttons. */
  constructor(private readonly deps: OcclusionDeps) {
    deps.session.handle('occlude', (request) => void this.run(request.unit, request.requestId));
  }

  /** Explains the current result; `forRequestId` (a panel click) must still be the current result. */
  async run(unit: OcclusionUnit = 'word', forRequestId?: number): Promise<OcclusionOutcome | undefined> {
    const { session, models, notifier, log } = this.deps;
    if (unit !== 'word' && unit !== 'piece') unit = 'word'; // a stray command argument
    const last = session.result();
    if (!last) {
      notifier.info(
        'There is no result to explain yet. Run "DistilBERT: Classify Selection" first, then "DistilBERT: Explain Result by Occlusion".',
      );
      return undefined;
    }
    if (forRequestId !== undefined && forRequestId !== last.requestId) return undefined;
    const resultId = last.requestId;
    const text = last.text;
    // A new occlusion replaces one still running; a classification in flight is not disturbed (it finishes
    // first, and its new result then makes this one moot: begin() aborts followers).
    this.running?.cancel();
    const request = models.beginFollower();
    this.running = request;
    const panel = session.openPanelOnResult();
    log.info(`Request ${request.id}: occlusion by ${unit} of the text of request ${resultId} (${text.length} chars).`);
    panel.showOcclusion(resultId, { kind: 'running', unit, done: 0, total: 0 });
    const started = performance.now();
    try {
      const place = {
        title: `DistilBERT: removing each ${unit === 'word' ? 'word' : 'word piece'} in turn`,
        notification: true,
        cancel: request.cancel,
      };
      const result = await withProgress(place, (report) =>
        models.run('occlude', request, {
          text,
          unit,
          onProgress: (done, total) => {
            report(`${done} of ${total} forward passes`, done, total);
            session.panel()?.showOcclusion(resultId, { kind: 'running', unit, done, total });
          },
        }),
      );
      const latencyMs = performance.now() - started;
      session.panel()?.showOcclusion(resultId, { kind: 'done', result, latencyMs });
      const tints = session.resultOf(resultId) ? this.tintEditor(last.source, text, result) : [];
      return { requestId: resultId, source: last.source, result, latencyMs, tints };
    } catch (err) {
      const cancelled = (): void => {
        log.info(`Request ${request.id}: occlusion cancelled.`);
        session.panel()?.showOcclusion(resultId, { kind: 'cancelled' });
      };
      // Stopped by a newer result (whatever the error says): a cancel, not a failure.
      if (!request.isCurrent()) cancelled();
      else
        showFailure(err, models.currentChoice(), notifier, {
          cancelled,
          error: (message) => session.panel()?.showOcclusion(resultId, { kind: 'error', message }),
        });
      return undefined;
    } finally {
      if (this.running === request) this.running = undefined;
      request.cancel(); // finished: drop it from the model service's followers (aborting a settled run is a no-op)
    }
  }

  /** Tints the words where the text still is: the document must hold the same text at the same offset. */
  private tintEditor(source: PanelSource, text: string, result: OcclusionResult): TintedRange[] {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === source.uri);
    if (!doc) return [];
    const range = new vscode.Range(doc.positionAt(source.baseOffset), doc.positionAt(source.baseOffset + text.length));
    if (doc.getText(range) !== text) {
      this.deps.log.info(
        `Occlusion: ${source.fileName} changed since it was classified; the editor is not tinted (the panel shows the result).`,
      );
      return [];
    }
    return this.deps.tint.show(doc, result, source.baseOffset);
  }
}
