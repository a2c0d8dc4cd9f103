// The classification of one text, as every command that shows a result runs it: checks the text, starts a
// request (aborting the one running), shows it running in the panel and the status bar with a progress
// indicator, then puts the result on show in the session; a cancel brings the previous result back under a
// neutral note. Classify Selection / File (commands.ts) and a dataset example's click (datasetCommand.ts) use it.
import type { Inspection } from '../core/types';
import type { PanelSource } from '../shared/protocol';
import { showFailure } from './failures';
import type { Log } from './log';
import { MODEL_CHANGED, type ModelService } from './modelService';
import type { Notifier } from './notify';
import { LONG_TEXT_CHARS, withProgress, type ProgressPlace } from './progress';
import type { Session } from './session';
import type { ResultStatusBar } from './statusBar';
import { textProblem } from './textChecks';

/** A finished classification (the session's result on show when it finished). */
export interface ClassifyOutcome {
  requestId: number;
  inspection: Inspection;
  source: PanelSource;
}

export interface ClassifierDeps {
  models: ModelService;
  /** Where the result goes on show (and the panel it is shown in). */
  session: Session;
  statusBar: ResultStatusBar;
  notifier: Notifier;
  log: Log;
}

export class Classifier {
  constructor(private readonly deps: ClassifierDeps) {}

  /**
   * Classifies a text that `source` locates (a document range, or a dataset row) and shows it like any result:
   * the session (panel), the status bar, and `onResult` for the caller's own display (editor decorations).
   * `runAgain` is offered when a model change stops the run.
   */
  async classify(
    text: string,
    what: string,
    source: PanelSource,
    onResult?: (inspection: Inspection) => void,
    runAgain: () => void = () => void this.classify(text, what, source, onResult),
  ): Promise<ClassifyOutcome | undefined> {
    const { models, session, statusBar, notifier, log } = this.deps;
    const problem = textProblem(text, what);
    if (problem) {
      notifier.warn(problem);
      return undefined;
    }
    const request = models.begin();
    log.info(`Request ${request.id}: classifying ${what} (${text.length} chars).`);
    session.openPanel().showRunning(request.id, what);
    statusBar.showRunning(what);
    const progress = { done: 0, total: 0 };
    try {
      const inspection = await withProgress(classifying(what, text.length, request.cancel), (report) =>
        models.run('inspect', request, {
          text,
          onProgress: (done, total) => {
            Object.assign(progress, { done, total });
            session.panel()?.showProgress(request.id, done, total);
            report(`window ${done} of ${total}`, done, total);
          },
        }),
      );
      if (!request.isCurrent()) {
        log.info(`Request ${request.id}: finished after a newer request started; its result is dropped.`);
        return undefined;
      }
      // Closing the panel mid-run is fine: the result still reaches the status bar and the editor.
      const shown = { requestId: request.id, inspection, source, text, origin: 'command' as const, what };
      session.show(shown);
      statusBar.showResult(inspection, what);
      onResult?.(inspection);
      return shown;
    } catch (err) {
      if (!request.isCurrent()) return undefined; // superseded: the newer request owns the UI now
      showFailure(err, models.currentChoice(), notifier, {
        cancelled: () => this.cancelled(request.id, request.signal.reason, progress, runAgain),
        error: (text) => {
          statusBar.showError(text);
          session.panel()?.showError(request.id, text);
        },
      });
      return undefined;
    }
  }

  /**
   * A cancel is not a failure: the previous result stays (panel and status bar) under a neutral note saying
   * where the run stopped. When a model change stopped it, the note says so and offers to run it again.
   */
  private cancelled(
    requestId: number,
    reason: unknown,
    progress: { done: number; total: number },
    runAgain: () => void,
  ): void {
    const { statusBar, notifier, log, session } = this.deps;
    const last = session.result();
    const where =
      progress.total > 0
        ? `at window ${Math.min(progress.done + 1, progress.total)} of ${progress.total}`
        : 'before its first window finished';
    const keeps = last ? '; showing the previous result' : '';
    const modelChanged = reason === MODEL_CHANGED;
    const note = modelChanged
      ? `Stopped ${where} because the model settings changed${keeps}.`
      : `Cancelled ${where}${keeps}.`;
    log.info(`Request ${requestId}: ${note}`);
    session.panel()?.showCancelled(requestId, note);
    if (last) statusBar.showResult(last.inspection, last.what);
    else statusBar.showCancelled();
    if (modelChanged) notifier.info(`${note} Run it again on the new model?`, { title: 'Run Again', run: runAgain });
  }
}

/** Classifying `what`: a cancellable notification for long texts, the window's progress indicator otherwise. */
export function classifying(what: string, length: number, cancel: () => void): ProgressPlace {
  return length > LONG_TEXT_CHARS
    ? { title: `DistilBERT: classifying ${what}`, notification: true, cancel }
    : { title: 'DistilBERT', notification: false };
}
