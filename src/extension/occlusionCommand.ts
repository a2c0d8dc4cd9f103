// "DistilBERT: Explain Result by Occlusion": the text of the current result with each word removed in turn,
// shown under that result in the panel (heat strip) and as a tint over the words in the editor. Like the fp32 /
// int8 comparison, it belongs to one result (by request id): a newer result never shows an older occlusion.
import * as vscode from 'vscode';
import type { OcclusionResult, OcclusionUnit } from '../core/attribution/occlusion';
import type { ClassifyCommands } from './commands';
import { describeFailure } from './failures';
import type { Log } from './log';
import type { ModelService } from './modelService';
import type { Notifier } from './notify';
import type { OcclusionTint, TintedRange } from './occlusionTint';
import { InspectorPanel, type PanelSource } from './panel/inspectorPanel';
import type { Session } from './session';

/** A finished occlusion of result `requestId`, for tests. */
export interface OcclusionOutcome {
  requestId: number;
  source: PanelSource;
  result: OcclusionResult;
  latencyMs: number;
  /** The editor tints (empty when the document changed since the classification, or it is not open). */
  tints: TintedRange[];
}

export interface OcclusionDeps {
  commands: ClassifyCommands;
  /** The result on show (from a command or live inspection): the one explained. */
  session: Session;
  models: ModelService;
  tint: OcclusionTint;
  notifier: Notifier;
  log: Log;
}

export class OcclusionCommand {
  private last: OcclusionOutcome | undefined;
  private running: { cancel(): void } | undefined;

  constructor(private readonly deps: OcclusionDeps) {}

  lastOutcome(): OcclusionOutcome | undefined {
    return this.last;
  }

  /** Explains the current result; `forRequestId` (a panel click) must still be the current result. */
  async run(unit: OcclusionUnit = 'word', forRequestId?: number): Promise<OcclusionOutcome | undefined> {
    const { commands, session, models, notifier, log } = this.deps;
    if (unit !== 'word' && unit !== 'piece') unit = 'word'; // a stray command argument
    const last = session.current();
    if (!last) {
      notifier.info('There is no result to explain yet. Run "DistilBERT: Classify Selection" first, then "DistilBERT: Explain Result by Occlusion".');
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
    const panel = commands.openInspector();
    log.info(`Request ${request.id}: occlusion by ${unit} of the text of request ${resultId} (${text.length} chars).`);
    panel.showOcclusion(resultId, { kind: 'running', unit, done: 0, total: 0 });
    const started = performance.now();
    try {
      const result = await Promise.resolve(
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `DistilBERT: removing each ${unit === 'word' ? 'word' : 'word piece'} in turn`, cancellable: true },
          async (progress, token) => {
            const sub = token.onCancellationRequested(() => request.cancel());
            let reported = 0;
            try {
              return await models.occlude(request, text, unit, (done, total) => {
                const pct = total > 0 ? (done / total) * 100 : 0;
                progress.report({ increment: pct - reported, message: `${done} of ${total} forward passes` });
                reported = pct;
                InspectorPanel.current?.showOcclusion(resultId, { kind: 'running', unit, done, total });
              });
            } finally {
              sub.dispose();
            }
          },
        ),
      );
      const latencyMs = performance.now() - started;
      InspectorPanel.current?.showOcclusion(resultId, { kind: 'done', result, latencyMs });
      const tints = session.resultOf(resultId) ? this.tintEditor(last.source, text, result) : [];
      this.last = { requestId: resultId, source: last.source, result, latencyMs, tints };
      return this.last;
    } catch (err) {
      const failure = describeFailure(err, models.currentChoice());
      if (failure.level === 'silent' || !request.isCurrent()) {
        log.info(`Request ${request.id}: occlusion cancelled.`);
        InspectorPanel.current?.showOcclusion(resultId, { kind: 'cancelled' });
        return undefined;
      }
      InspectorPanel.current?.showOcclusion(resultId, { kind: 'error', message: failure.text });
      notifier.failure(failure, err);
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
      this.deps.log.info(`Occlusion: ${source.fileName} changed since it was classified; the editor is not tinted (the panel shows the result).`);
      return [];
    }
    return this.deps.tint.show(doc, result, source.baseOffset);
  }
}
